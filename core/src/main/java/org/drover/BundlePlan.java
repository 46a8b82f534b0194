package org.drover;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jgrapht.Graph;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.graph.AsUnmodifiableGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.builder.GraphTypeBuilder;
import org.jgrapht.traverse.TopologicalOrderIterator;

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
    private final Graph<String, DefaultEdge> graph;

    private BundlePlan(String bundleName, ImmutableList<Job> order,
                       ImmutableMap<String, ImmutableList<ResolvedDependency>> dependencies,
                       ImmutableMap<String, List<String>> sweeps, ImmutableMap<String, Bundle.ArrayOption> arrays,
                       Graph<String, DefaultEdge> graph) {
        this.bundleName = bundleName;
        this.order = order;
        this.dependencies = dependencies;
        this.sweeps = sweeps;
        this.arrays = arrays;
        this.graph = graph;
    }

    /** One resolved dependency: the job depended on and how. */
    public record ResolvedDependency(String job, DependencyType type) {}

    static BundlePlan of(Bundle bundle, Map<String, Job> jobs, Map<String, List<String>> sweeps,
                         Map<String, Bundle.ArrayOption> arrays) {
        String name = bundle.name();
        Graph<String, DefaultEdge> g = GraphTypeBuilder.<String, DefaultEdge>directed()
                .allowingSelfLoops(true).allowingMultipleEdges(false).weighted(false)
                .edgeClass(DefaultEdge.class).buildGraph();
        Map<String, Integer> index = new HashMap<>(jobs.size() * 2);
        for (Job j : jobs.values()) {
            index.put(j.name(), index.size());
            g.addVertex(j.name());
        }
        Map<String, List<String>> patternCache = new HashMap<>();
        ImmutableMap.Builder<String, ImmutableList<ResolvedDependency>> deps = ImmutableMap.builder();
        for (Job j : jobs.values()) {
            if (!j.isRunnable()) {
                throw new InvalidBundleException("job '" + j.name() + "' of bundle '" + name + "' has no command or script");
            }
            if (j.dependencies().isEmpty()) {
                deps.put(j.name(), ImmutableList.of());
                continue;
            }
            Set<ResolvedDependency> resolved = new LinkedHashSet<>();
            for (Dependency d : j.dependencies()) {
                for (String target : targets(d, jobs, sweeps, patternCache, j, name)) {
                    if (target.equals(j.name())) {
                        throw new InvalidBundleException("bundle '" + name + "' has a dependency cycle: "
                                + target + " -> " + target + " (job '" + target + "' depends on itself)",
                                List.of(target, target));
                    }
                    resolved.add(new ResolvedDependency(target, d.type()));
                    g.addEdge(target, j.name());
                }
            }
            deps.put(j.name(), ImmutableList.copyOf(resolved));
        }
        ImmutableList<Job> order = topologicalOrder(g, jobs, index, name);
        ImmutableMap.Builder<String, List<String>> sweepCopy = ImmutableMap.builder();
        sweeps.forEach((k, v) -> sweepCopy.put(k, List.copyOf(v)));
        return new BundlePlan(name, order, deps.build(), sweepCopy.build(), ImmutableMap.copyOf(arrays),
                new AsUnmodifiableGraph<>(g));
    }

    private static List<String> targets(Dependency d, Map<String, Job> jobs, Map<String, List<String>> sweeps,
                                        Map<String, List<String>> patternCache, Job of, String bundle) {
        String t = d.target();
        if (d.isPattern()) {
            List<String> matches = patternCache.computeIfAbsent(t, p -> {
                Pattern regex = Pattern.compile(("\\Q" + p + "\\E").replace("*", "\\E.*\\Q"));
                List<String> m = new ArrayList<>();
                for (String candidate : jobs.keySet()) {
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
        if (jobs.containsKey(t)) {
            return List.of(t);
        }
        List<String> members = sweeps.get(t);
        if (members != null) {
            return members;
        }
        throw new InvalidBundleException("job '" + of.name() + "' depends on '" + t
                + "', which is no job or sweep of bundle '" + bundle + "'");
    }

    private static ImmutableList<Job> topologicalOrder(Graph<String, DefaultEdge> g, Map<String, Job> jobs,
                                                       Map<String, Integer> index, String bundle) {
        ImmutableList.Builder<Job> order = ImmutableList.builderWithExpectedSize(jobs.size());
        int count = 0;
        try {
            TopologicalOrderIterator<String, DefaultEdge> it =
                    new TopologicalOrderIterator<>(g, (a, b) -> Integer.compare(index.get(a), index.get(b)));
            while (it.hasNext()) {
                order.add(jobs.get(it.next()));
                count++;
            }
        } catch (IllegalArgumentException notADag) {
            count = -1;
        }
        if (count != jobs.size()) {
            List<String> cycle = findCycle(g, index);
            throw new InvalidBundleException("bundle '" + bundle + "' has a dependency cycle: "
                    + String.join(" -> ", cycle) + " (each job depends on the next)", cycle);
        }
        return order.build();
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

    public String bundleName() {
        return bundleName;
    }

    /** Jobs in submission order: every job after all of its dependencies. */
    public List<Job> order() {
        return order;
    }

    /** The resolved dependencies of a job (empty for an unknown name). */
    public List<ResolvedDependency> dependenciesOf(String jobName) {
        return dependencies.getOrDefault(jobName, ImmutableList.of());
    }

    /** The names of each sweep's jobs. */
    public Map<String, List<String>> sweeps() {
        return sweeps;
    }

    /** The array option of a sweep, if it is to be submitted as one array job. */
    public Optional<Bundle.ArrayOption> arrayOption(String sweep) {
        return Optional.ofNullable(arrays.get(sweep));
    }

    /** The dependency graph: an edge goes from a job to each job that depends on it. Read-only. */
    public Graph<String, DefaultEdge> graph() {
        return graph;
    }

    public int size() {
        return order.size();
    }
}
