package org.drover.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.drover.BundlePlan;
import org.drover.DroverException;
import org.drover.internal.Listing;
import org.drover.internal.Plural;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;

/**
 * A bundle as submitted by {@link Submitter}: the run directory, and the scheduler id of each job.
 *
 * <pre>{@code
 * SubmittedBundle run = Submitter.submit(bundle, scheduler, Path.of("runs"));
 * run.id("prep");                                        // "1" locally, "4711" on SLURM
 * Map<String, JobStatus> end = run.awaitCompletion(Duration.ofMinutes(10));
 * }</pre>
 */
public final class SubmittedBundle {
    private final String bundleName;
    private final RunDirectory runDirectory;
    private final Scheduler scheduler;
    private final BundlePlan plan;
    private final Map<String, String> ids;

    SubmittedBundle(String bundleName, RunDirectory runDirectory, Scheduler scheduler, BundlePlan plan,
                    Map<String, String> ids) {
        this.bundleName = bundleName;
        this.runDirectory = runDirectory;
        this.scheduler = scheduler;
        this.plan = plan;
        this.ids = Collections.unmodifiableMap(new LinkedHashMap<>(ids));
    }

    /**
     * The bundle's name.
     *
     * @return the name
     */
    public String bundleName() {
        return bundleName;
    }

    /**
     * Where the run's files are.
     *
     * @return the run directory
     */
    public RunDirectory runDirectory() {
        return runDirectory;
    }

    /**
     * The plan the jobs were submitted in.
     *
     * @return the plan
     */
    public BundlePlan plan() {
        return plan;
    }

    /**
     * Job name to scheduler id, in submission order.
     *
     * @return job name to scheduler id
     */
    public Map<String, String> ids() {
        return ids;
    }

    /**
     * The scheduler id of a job.
     *
     * @param jobName the job's name
     * @return the scheduler id of a job
     */
    public String id(String jobName) {
        String id = ids.get(jobName);
        if (id == null) {
            throw new IllegalArgumentException("bundle '" + bundleName + "' has no job '" + jobName + "'");
        }
        return id;
    }

    /**
     * The status of every job, by job name, from one scheduler query.
     *
     * @return the status of every job, by job name, from one scheduler query
     */
    public Map<String, JobStatus> statuses() {
        Map<String, JobStatus> byId = scheduler.status(ids.values());
        Map<String, JobStatus> byName = new LinkedHashMap<>();
        ids.forEach((name, id) -> byName.put(name, byId.getOrDefault(id, JobStatus.unknown(id, "no answer"))));
        return byName;
    }

    /**
     * Polls (every 200 ms at first, slowing to 5 s) until every job has ended.
     *
     * @return the final statuses by job name
     * @throws DroverException if {@code timeout} passes first
     * @param timeout how long to wait at most
     */
    public Map<String, JobStatus> awaitCompletion(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        long pause = 200;
        while (true) {
            Map<String, JobStatus> now = statuses();
            if (now.values().stream().allMatch(s -> s.state().isTerminal())) {
                return now;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new DroverException("bundle '" + bundleName + "' did not finish within " + timeout);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DroverException("interrupted while waiting for bundle '" + bundleName + "'", e);
            }
            pause = Math.min(5_000, pause * 3 / 2);
        }
    }

    /** Cancels every job of the bundle in one call. */
    public void cancel() {
        scheduler.cancel(ids.values());
    }

    /**
     * The bundle, where it runs, and each job's scheduler id (the first {@value Listing#MAX_LINES}).
     *
     * @return e.g. {@code SubmittedBundle demo on local, in runs/demo_...: 6 jobs} then {@code prepare = 1}, ...
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SubmittedBundle ").append(bundleName).append(" on ").append(scheduler.name())
                .append(", in ").append(runDirectory.path()).append(": ").append(Plural.of(ids.size(), "job"));
        return Listing.append(sb, List.copyOf(ids.entrySet()), e -> e.getKey() + " = " + e.getValue()).toString();
    }
}
