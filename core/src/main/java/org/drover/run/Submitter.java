package org.drover.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.drover.Bundle;
import org.drover.BundlePlan;
import org.drover.DroverException;
import org.drover.InvalidBundleException;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.internal.Json;
import org.drover.internal.Plural;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;

/**
 * Submits a whole bundle through any {@link Scheduler}, once: creates the run directory, saves the
 * bundle record, and submits the jobs in topological order, each with the scheduler ids of its
 * dependencies. Sweeps marked {@link Sweep#asArray() as arrays} go as one array job where the
 * scheduler supports it.
 *
 * <p>If the scheduler refuses a job, the jobs already submitted are cancelled (one batched call)
 * and the error says which job failed and why, so a bundle never runs half-submitted. For
 * retries, skipping jobs already done and restarts, use the {@code RunManager}.
 *
 * <pre>{@code
 * try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
 *     SubmittedBundle run = Submitter.submit(bundle, local, Path.of("runs"));
 *     Map<String, JobStatus> end = run.awaitCompletion(Duration.ofMinutes(10));
 * }
 * }</pre>
 */
public final class Submitter {
    private Submitter() {}

    /**
     * Plans and submits the bundle under {@code runsRoot}.
     *
     * @return the submitted bundle: its run directory and every job's scheduler id
     * @throws InvalidBundleException if the bundle has unknown dependencies or a cycle
     * @throws SchedulerException if the scheduler refused a job (those already submitted are cancelled)
     * @param bundle the bundle
     * @param scheduler the scheduler
     * @param runsRoot the runs root
     */
    public static SubmittedBundle submit(Bundle bundle, Scheduler scheduler, Path runsRoot) {
        return submit(bundle, scheduler, runsRoot, scheduler.submitParallelism());
    }

    /**
     * As {@link #submit(Bundle, Scheduler, Path)}, with up to {@code parallelism} submissions at
     * once: jobs of the same dependency level (all their dependencies already submitted) go
     * together, which hides the latency of each scheduler call; their ids then do not follow the
     * plan's order within a level. 1 submits strictly one by one, in the plan's order.
     *
     * @param bundle the bundle
     * @param scheduler the scheduler
     * @param runsRoot the runs root
     * @param parallelism the parallelism
     * @return the submitted bundle: its run directory and every job's scheduler id
     */
    public static SubmittedBundle submit(Bundle bundle, Scheduler scheduler, Path runsRoot, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        BundlePlan plan = bundle.plan();
        RunDirectory run = RunDirectory.create(scheduler.shell(), runsRoot, bundle.name());
        scheduler.shell().writeFile(run.recordFile(), Json.writeBytes(bundle));
        Map<String, String> ids = new ConcurrentHashMap<>();
        Map<String, String> arrayIds = new HashMap<>();      // sweep -> array id
        Map<String, String> arraySweepOf = new HashMap<>();  // member job -> its sweep, for arrays with an id
        ExecutorService pool = parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "drover-submit");
            t.setDaemon(true);
            return t;
        });
        try {
            for (List<Job> level : levels(plan)) {
                List<Future<?>> pending = new ArrayList<>();
                for (Job job : level) {
                    if (ids.containsKey(job.name())) {
                        continue;   // submitted with its array
                    }
                    Optional<List<Job>> array = arrayMembers(plan, job);
                    if (array.isPresent() && array.get().size() > 1) {
                        List<Submission> tasks = new ArrayList<>();
                        for (Job member : array.get()) {
                            tasks.add(prepare(scheduler, run, member, plan, ids, arrayIds, arraySweepOf));
                        }
                        String sweep = job.sweep().orElseThrow();
                        Scheduler.SubmittedArray result =
                                scheduler.submitArray(tasks, plan.arrayOption(sweep).orElseThrow().maxRunning());
                        for (int i = 0; i < tasks.size(); i++) {
                            ids.put(tasks.get(i).job().name(), result.taskIds().get(i));
                        }
                        if (result.arrayId() != null) {
                            arrayIds.put(sweep, result.arrayId());
                            tasks.forEach(t -> arraySweepOf.put(t.job().name(), sweep));
                        }
                    } else {
                        Submission s = prepare(scheduler, run, job, plan, ids, arrayIds, arraySweepOf);
                        if (pool == null) {
                            ids.put(job.name(), scheduler.submit(s));
                        } else {
                            pending.add(pool.submit(() -> ids.put(job.name(), scheduler.submit(s))));
                        }
                    }
                }
                awaitAll(pending);
            }
        } catch (RuntimeException e) {
            if (!ids.isEmpty()) {
                scheduler.cancel(ids.values());
            }
            throw new SchedulerException("bundle '" + bundle.name() + "' not submitted: " + e.getMessage()
                    + (ids.isEmpty() ? "" : "; the " + Plural.of(ids.size(), "job") + " already submitted " + (ids.size() == 1 ? "was" : "were") + " cancelled"),
                    e instanceof SchedulerException && ((SchedulerException) e).isTransient(), e);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (Job job : plan.order()) {
            ordered.put(job.name(), ids.get(job.name()));
        }
        return new SubmittedBundle(bundle.name(), run, scheduler, plan, ordered);
    }

    /** Waits for every submission of a level; the first failure is rethrown once all have ended. */
    private static void awaitAll(List<Future<?>> pending) {
        RuntimeException first = null;
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
                            : new DroverException(e.getCause().toString(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DroverException("interrupted while submitting", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The plan's jobs by dependency level (0: no dependency), each level in topological order. */
    static List<List<Job>> levels(BundlePlan plan) {
        Map<String, Integer> level = new HashMap<>();
        List<List<Job>> levels = new ArrayList<>();
        for (Job job : plan.order()) {
            int l = 0;
            for (BundlePlan.ResolvedDependency d : plan.dependenciesOf(job.name())) {
                l = Math.max(l, level.get(d.job()) + 1);
            }
            level.put(job.name(), l);
            while (levels.size() <= l) {
                levels.add(new ArrayList<>());
            }
            levels.get(l).add(job);
        }
        return levels;
    }

    /**
     * The members of the job's sweep, in index order, if the sweep is to go as an array and can:
     * indices 0..n-1, the default output paths, and the same dependencies for all.
     */
    static Optional<List<Job>> arrayMembers(BundlePlan plan, Job job) {
        String sweep = job.sweep().orElse(null);
        if (sweep == null || plan.arrayOption(sweep).isEmpty()) {
            return Optional.empty();
        }
        List<String> names = plan.sweeps().get(sweep);
        List<Job> members = new ArrayList<>(names.size());
        List<BundlePlan.ResolvedDependency> deps = plan.dependenciesOf(job.name());
        for (Job candidate : plan.order()) {
            if (sweep.equals(candidate.sweep().orElse(null))) {
                members.add(candidate);
            }
        }
        members.sort((a, b) -> Integer.compare(a.sweepIndex(), b.sweepIndex()));
        for (int i = 0; i < members.size(); i++) {
            Job m = members.get(i);
            if (m.sweepIndex() != i || m.stdout().isPresent() || m.stderr().isPresent()
                    || !plan.dependenciesOf(m.name()).equals(deps)) {
                return Optional.empty();
            }
        }
        return Optional.of(members);
    }

    private static Submission prepare(Scheduler scheduler, RunDirectory run, Job job, BundlePlan plan,
                                      Map<String, String> ids, Map<String, String> arrayIds,
                                      Map<String, String> arraySweepOf) {
        Path dir = run.attemptDir(job.name(), 1);
        scheduler.shell().createDirectories(dir);
        scheduler.shell().writeRecord(dir.resolve(RunDirectory.JOB_RECORD), Json.writeBytes(job));
        return new Submission(job, run.bundleName(), dir, 1, idDependencies(plan, job, ids, arrayIds, arraySweepOf),
                newToken());
    }

    /** Scheduler ids to wait for; a dependency on every task of a submitted array becomes one on the array. */
    static List<Submission.IdDependency> idDependencies(BundlePlan plan, Job job, Map<String, String> ids,
                                                       Map<String, String> arrayIds,
                                                       Map<String, String> arraySweepOf) {
        List<BundlePlan.ResolvedDependency> deps = plan.dependenciesOf(job.name());
        List<Submission.IdDependency> result = new ArrayList<>(deps.size());
        Map<String, List<BundlePlan.ResolvedDependency>> bySweep = new LinkedHashMap<>();
        for (BundlePlan.ResolvedDependency d : deps) {
            String sweep = arraySweepOf.get(d.job());
            if (sweep != null) {
                bySweep.computeIfAbsent(sweep, k -> new ArrayList<>()).add(d);
            } else {
                result.add(new Submission.IdDependency(ids.get(d.job()), d.type()));
            }
        }
        bySweep.forEach((sweep, members) -> {
            boolean whole = members.size() == plan.sweeps().get(sweep).size()
                    && members.stream().map(BundlePlan.ResolvedDependency::type).distinct().count() == 1;
            if (whole) {
                result.add(new Submission.IdDependency(arrayIds.get(sweep), members.get(0).type()));
            } else {
                members.forEach(d -> result.add(new Submission.IdDependency(ids.get(d.job()), d.type())));
            }
        });
        return result;
    }

    /**
     * A token unique to one attempt, safe in a scheduler comment.
     *
     * @return a token unique to one attempt, safe in a scheduler comment
     */
    public static String newToken() {
        return "drv" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
