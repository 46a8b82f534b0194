package org.drover;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.drover.internal.Listing;
import org.drover.internal.Plural;
import org.jgrapht.Graph;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.graph.AsUnmodifiableGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.builder.GraphTypeBuilder;

/**
 * A validated bundle: every dependency resolved to job names, the jobs in a deterministic
 * topological order (ties broken by the order jobs were added), and the dependency graph.
 *
 * <pre>{@code
 * BundlePlan plan = bundle.plan();
 * for (Job job : plan.order()) {
 *     plan.dependenciesOf(job.name());   // [ResolvedDependency[job=prep, type=AFTER_OK]]
 * }
 * }</pre>
 */
public final class BundlePlan {
    private final String bundleName;
    private final ImmutableList<Job> order;
    private final ImmutableMap<String, ImmutableList<ResolvedDependency>> dependencies;
    private final ImmutableMap<String, List<String>> sweeps;
    private final ImmutableMap<String, Bundle.ArrayOption> arrays;
    private volatile Graph<String, DefaultEdge> graph;   // built on first use: ordering does not need it

    private BundlePlan(String bundleName, ImmutableList<Job> order,
                       ImmutableMap<String, ImmutableList<ResolvedDependency>> dependencies,
                       ImmutableMap<String, List<String>> sweeps, ImmutableMap<String, Bundle.ArrayOption> arrays) {
        this.bundleName = bundleName;
        this.order = order;
        this.dependencies = dependencies;
        this.sweeps = sweeps;
        this.arrays = arrays;
    }

    /** One resolved dependency: the job depended on and how. */
    public record ResolvedDependency(String job, DependencyType type) {}

    static BundlePlan of(Bundle bundle, Map<String, Job> jobs, Map<String, List<String>> sweeps,
                         Map<String, Bundle.ArrayOption> arrays) {
        String name = bundle.name();
        int n = jobs.size();
        Job[] byIndex = jobs.values().toArray(new Job[0]);
        Map<String, Integer> index = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            index.put(byIndex[i].name(), i);
        }
        // Resolution: names and types for the plan, distinct job indices for the ordering.
        Map<String, List<String>> patternCache = new HashMap<>();
        ImmutableMap.Builder<String, ImmutableList<ResolvedDependency>> deps = ImmutableMap.builderWithExpectedSize(n);
        int[][] dependsOn = new int[n][];
        int[] seenBy = new int[n];          // seenBy[d] == i + 1: d already counted as a dependency of i
        int[] scratch = new int[16];
        for (int i = 0; i < n; i++) {
            Job j = byIndex[i];
            if (!j.isRunnable()) {
                throw new InvalidBundleException("job '" + j.name() + "' of bundle '" + name + "' has no command or script");
            }
            if (j.dependencies().isEmpty()) {
                deps.put(j.name(), ImmutableList.of());
                dependsOn[i] = NONE;
                continue;
            }
            List<ResolvedDependency> resolved = new ArrayList<>(j.dependencies().size());
            int distinct = 0;
            for (Dependency d : j.dependencies()) {
                Integer direct = d.isPattern() ? null : index.get(d.target());   // the common case: one lookup
                List<String> targets = direct != null ? List.of(d.target())
                        : targets(d, jobs.keySet(), sweeps, patternCache, j, name);
                for (String target : targets) {
                    int t = direct != null ? direct : index.get(target);
                    if (t == i) {
                        throw new InvalidBundleException("bundle '" + name + "' has a dependency cycle: "
                                + target + " -> " + target + " (job '" + target + "' depends on itself)",
                                List.of(target, target));
                    }
                    ResolvedDependency r = new ResolvedDependency(target, d.type());
                    if (seenBy[t] != i + 1) {
                        seenBy[t] = i + 1;
                        if (distinct == scratch.length) {
                            scratch = Arrays.copyOf(scratch, distinct * 2);
                        }
                        scratch[distinct++] = t;
                        resolved.add(r);
                    } else if (!resolved.contains(r)) {   // the same job under another dependency type
                        resolved.add(r);
                    }
                }
            }
            dependsOn[i] = Arrays.copyOf(scratch, distinct);
            deps.put(j.name(), ImmutableList.copyOf(resolved));
        }
        ImmutableMap<String, ImmutableList<ResolvedDependency>> dependencies = deps.build();
        int[] order = topologicalOrder(dependsOn);
        if (order == null) {
            List<String> cycle = findCycle(buildGraph(jobs.keySet(), dependencies), index);
            throw new InvalidBundleException("bundle '" + name + "' has a dependency cycle: "
                    + String.join(" -> ", cycle) + " (each job depends on the next)", cycle);
        }
        ImmutableList.Builder<Job> ordered = ImmutableList.builderWithExpectedSize(n);
        for (int i : order) {
            ordered.add(byIndex[i]);
        }
        ImmutableMap.Builder<String, List<String>> sweepCopy = ImmutableMap.builder();
        sweeps.forEach((k, v) -> sweepCopy.put(k, List.copyOf(v)));
        return new BundlePlan(name, ordered.build(), dependencies, sweepCopy.build(), ImmutableMap.copyOf(arrays));
    }

    private static final int[] NONE = new int[0];

    /** The jobs a sweep name or a pattern stands for. */
    private static List<String> targets(Dependency d, Set<String> jobs, Map<String, List<String>> sweeps,
                                        Map<String, List<String>> patternCache, Job of, String bundle) {
        String t = d.target();
        if (d.isPattern()) {
            List<String> matches = patternCache.computeIfAbsent(t, p -> {
                Pattern regex = Pattern.compile(("\\Q" + p + "\\E").replace("*", "\\E.*\\Q"));
                List<String> m = new ArrayList<>();
                for (String candidate : jobs) {
                    if (regex.matcher(candidate).matches()) {
                        m.add(candidate);
                    }
                }
                return m;
            });
            List<String> others = new ArrayList<>(matches);
            others.remove(of.name());   // a pattern never makes a job depend on itself
            if (others.isEmpty()) {
                throw new InvalidBundleException("job '" + of.name() + "' depends on '" + t
                        + "', which matches no other job of bundle '" + bundle + "'");
            }
            return others;
        }
        List<String> members = sweeps.get(t);
        if (members != null) {
            return members;
        }
        throw new InvalidBundleException("job '" + of.name() + "' depends on '" + t
                + "', which is no job or sweep of bundle '" + bundle + "'");
    }

    /**
     * Kahn's algorithm on job indices; among the jobs ready at any moment the earliest added goes
     * first (a min-heap of indices), so the order is deterministic.
     *
     * @return the indices in order, or null if the dependencies have a cycle
     */
    private static int[] topologicalOrder(int[][] dependsOn) {
        int n = dependsOn.length;
        int[] waitingFor = new int[n];
        int[] dependentCount = new int[n + 1];
        for (int i = 0; i < n; i++) {
            waitingFor[i] = dependsOn[i].length;
            for (int d : dependsOn[i]) {
                dependentCount[d + 1]++;
            }
        }
        int[] start = dependentCount;          // prefix sums: dependents of d are dependents[start[d] .. start[d + 1])
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] dependents = new int[start[n]];
        int[] fill = Arrays.copyOf(start, n);
        for (int i = 0; i < n; i++) {
            for (int d : dependsOn[i]) {
                dependents[fill[d]++] = i;
            }
        }
        IntMinHeap ready = new IntMinHeap(n);
        for (int i = 0; i < n; i++) {
            if (waitingFor[i] == 0) {
                ready.add(i);
            }
        }
        int[] order = new int[n];
        int count = 0;
        while (!ready.isEmpty()) {
            int v = ready.poll();
            order[count++] = v;
            for (int k = start[v]; k < start[v + 1]; k++) {
                int w = dependents[k];
                if (--waitingFor[w] == 0) {
                    ready.add(w);
                }
            }
        }
        return count == n ? order : null;
    }

    /** A binary min-heap of ints with a fixed capacity. */
    private static final class IntMinHeap {
        private final int[] heap;
        private int size;

        IntMinHeap(int capacity) {
            heap = new int[Math.max(1, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(int v) {
            int k = size++;
            while (k > 0) {
                int parent = (k - 1) >>> 1;
                if (heap[parent] <= v) {
                    break;
                }
                heap[k] = heap[parent];
                k = parent;
            }
            heap[k] = v;
        }

        int poll() {
            int top = heap[0];
            int last = heap[--size];
            int k = 0;
            int half = size >>> 1;
            while (k < half) {
                int child = 2 * k + 1;
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (last <= heap[child]) {
                    break;
                }
                heap[k] = heap[child];
                k = child;
            }
            heap[k] = last;
            return top;
        }
    }

    /** The dependency graph: an edge from each job to each job that depends on it. */
    private static Graph<String, DefaultEdge> buildGraph(Collection<String> names,
                                                         Map<String, ImmutableList<ResolvedDependency>> dependencies) {
        Graph<String, DefaultEdge> g = GraphTypeBuilder.<String, DefaultEdge>directed()
                .allowingSelfLoops(true).allowingMultipleEdges(false).weighted(false)
                .edgeClass(DefaultEdge.class).buildGraph();
        names.forEach(g::addVertex);
        for (String v : names) {
            for (ResolvedDependency d : dependencies.getOrDefault(v, ImmutableList.of())) {
                g.addEdge(d.job(), v);
            }
        }
        return g;
    }

    /** One concrete cycle, written in "depends on" direction, starting at its earliest-added job. */
    static List<String> findCycle(Graph<String, DefaultEdge> g, Map<String, Integer> index) {
        List<Set<String>> components = new KosarajuStrongConnectivityInspector<>(g).stronglyConnectedSets();
        Set<String> scc = null;
        String start = null;
        for (Set<String> c : components) {
            if (c.size() < 2) {
                continue;
            }
            String first = Collections.min(c, (a, b) -> Integer.compare(index.get(a), index.get(b)));
            if (start == null || index.get(first) < index.get(start)) {
                scc = c;
                start = first;
            }
        }
        if (scc == null) {
            throw new IllegalStateException("graph is not a DAG but has no cycle");
        }
        // Shortest path inside the component, following "depends on" (edges reversed): start -> ... -> start.
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        queue.add(start);
        Set<String> seen = new HashSet<>(Set.of(start));
        String last = null;
        while (!queue.isEmpty() && last == null) {
            String v = queue.poll();
            List<String> next = new ArrayList<>();
            for (DefaultEdge e : g.incomingEdgesOf(v)) {
                next.add(g.getEdgeSource(e));
            }
            next.sort((a, b) -> Integer.compare(index.get(a), index.get(b)));
            for (String u : next) {
                if (!scc.contains(u)) {
                    continue;
                }
                if (u.equals(start)) {
                    last = v;
                    break;
                }
                if (seen.add(u)) {
                    parent.put(u, v);
                    queue.add(u);
                }
            }
        }
        List<String> path = new ArrayList<>();
        for (String v = last; v != null; v = parent.get(v)) {
            path.add(v);
        }
        Collections.reverse(path);
        path.add(start);
        return path;
    }

    /**
     * The planned bundle's name.
     *
     * @return the name
     */
    public String bundleName() {
        return bundleName;
    }

    /**
     * Jobs in submission order: every job after all of its dependencies.
     *
     * @return jobs in submission order: every job after all of its dependencies
     */
    public List<Job> order() {
        return order;
    }

    /**
     * The resolved dependencies of a job (empty for an unknown name).
     *
     * @param jobName the job's name
     * @return the resolved dependencies of a job (empty for an unknown name)
     */
    public List<ResolvedDependency> dependenciesOf(String jobName) {
        return dependencies.getOrDefault(jobName, ImmutableList.of());
    }

    /**
     * The names of each sweep's jobs.
     *
     * @return the names of each sweep's jobs
     */
    public Map<String, List<String>> sweeps() {
        return sweeps;
    }

    /**
     * The array option of a sweep, if it is to be submitted as one array job.
     *
     * @param sweep the sweep's name
     * @return the array option of a sweep, if it is to be submitted as one array job
     */
    public Optional<Bundle.ArrayOption> arrayOption(String sweep) {
        return Optional.ofNullable(arrays.get(sweep));
    }

    /**
     * The dependency graph: an edge goes from a job to each job that depends on it. Read-only.
     *
     * @return the dependency graph: an edge goes from a job to each job that depends on it
     */
    public Graph<String, DefaultEdge> graph() {
        Graph<String, DefaultEdge> g = graph;
        if (g == null) {
            g = new AsUnmodifiableGraph<>(buildGraph(dependencies.keySet(), dependencies));
            graph = g;
        }
        return g;
    }

    /**
     * How many jobs the plan holds.
     *
     * @return the number of jobs
     */
    public int size() {
        return order.size();
    }

    /**
     * The order in which the jobs go out, with what each waits for.
     *
     * @return e.g. {@code BundlePlan study: 4 jobs in this order} then {@code 1. prep}, {@code 2. train_0 after prep}, ...
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BundlePlan ").append(bundleName).append(": ")
                .append(Plural.of(order.size(), "job")).append(" in this order");
        int[] position = {0};
        return Listing.append(sb, order, j -> {
            position[0]++;
            List<ResolvedDependency> deps = dependencies.getOrDefault(j.name(), ImmutableList.of());
            StringBuilder line = new StringBuilder().append(position[0]).append(". ").append(j.name());
            if (!deps.isEmpty()) {
                line.append(" after ");
                for (int k = 0; k < deps.size(); k++) {
                    ResolvedDependency d = deps.get(k);
                    line.append(k == 0 ? "" : ", ").append(d.job());
                    if (d.type() != DependencyType.AFTER_OK) {
                        line.append(" (").append(d.type().keyword()).append(')');
                    }
                }
            }
            return line.toString();
        }).toString();
    }
}
