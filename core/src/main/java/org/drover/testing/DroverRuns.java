package org.drover.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler;

/**
 * What a test gets from {@link DroverExtension}: a scheduler, a fresh runs root, and run managers
 * set up for tests (the scheduler, the runs root, a poll every {@code pollInterval}, progress not
 * logged). Made for one test method and closed after it: runs it started and that have not ended
 * are cancelled, the scheduler is closed, and the runs root is deleted if the test passed (kept, and
 * its path printed, if it failed).
 *
 * <pre>{@code
 * @ExtendWith(DroverExtension.class)
 * class StudyTest {
 *     @Test
 *     void everyModelTrains(DroverRuns drover) {
 *         RunReport end = drover.run(study);                       // to the end, or fails after the timeout
 *         assertThat(end).allCompleted();
 *         assertThat(end.task("train_3")).completed().stdoutContains("score");
 *
 *         RunReport retried = drover.run(study, run -> run.retry(RetryPolicy.never()));   // more settings
 *     }
 * }
 * }</pre>
 */
public final class DroverRuns implements AutoCloseable {
    private final Scheduler scheduler;
    private final Path runsRoot;
    private final Duration pollInterval;
    private final Duration timeout;
    private final List<RunManager> started = new ArrayList<>();
    private boolean closed;

    DroverRuns(Scheduler scheduler, Path runsRoot, Duration pollInterval, Duration timeout) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.runsRoot = Objects.requireNonNull(runsRoot, "runsRoot");
        this.pollInterval = pollInterval;
        this.timeout = timeout;
    }

    /**
     * The scheduler the runs use: a LocalScheduler, or what the extension was given.
     *
     * @return the scheduler, closed after the test
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * The runs root, a new temporary directory for this test: each run makes its run directory in it.
     *
     * @return the runs root, absolute
     */
    public Path runsRoot() {
        return runsRoot;
    }

    /**
     * How long {@link #run(Bundle)} waits for a run to end.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * A manager builder set up for the test, for settings of its own; what it builds is the
     * caller's to close (or use {@link #start(Bundle, Consumer)}, whose managers are closed after the
     * test). {@code RunManager.Builder.build()} and stepping it by hand make a run that moves only
     * when the test says, as a test of a retry policy on the {@link InMemoryScheduler} wants.
     *
     * @param bundle the bundle to run
     * @return a builder on this test's scheduler and runs root, with a quick poll and no progress log
     */
    public RunManager.Builder builder(Bundle bundle) {
        requireOpen();
        return RunManager.of(bundle).on(scheduler).runsRoot(runsRoot).pollInterval(pollInterval)
                .progressEvery(Duration.ofDays(1));
    }

    /**
     * Starts a run of the bundle; it is cancelled after the test if it has not ended.
     *
     * @param bundle the bundle to run
     * @return the manager, polling in its own thread
     */
    public RunManager start(Bundle bundle) {
        return start(bundle, b -> { });
    }

    /**
     * Starts a run of the bundle with settings of the test's own (retry policy, store, done
     * check, listeners); it is cancelled after the test if it has not ended.
     *
     * @param bundle the bundle to run
     * @param settings called with the builder before it starts
     * @return the manager, polling in its own thread
     */
    public synchronized RunManager start(Bundle bundle, Consumer<RunManager.Builder> settings) {
        RunManager.Builder b = builder(bundle);
        Objects.requireNonNull(settings, "settings").accept(b);
        RunManager run = b.build();
        started.add(run);
        return run.start();
    }

    /**
     * Runs the bundle to the end.
     *
     * @param bundle the bundle to run
     * @return the final report
     * @throws AssertionError if it has not ended within the {@link #timeout()}: it is cancelled, and
     *     the message holds its report
     */
    public RunReport run(Bundle bundle) {
        return run(bundle, b -> { });
    }

    /**
     * Runs one job to the end (a bundle named after it).
     *
     * @param job the job
     * @return the final report
     * @throws AssertionError as {@link #run(Bundle)}
     */
    public RunReport run(Job job) {
        return run(Bundle.named(job.name()).add(job));
    }

    /**
     * Runs a sweep's jobs to the end (a bundle named after it).
     *
     * @param sweep the sweep
     * @return the final report
     * @throws AssertionError as {@link #run(Bundle)}
     */
    public RunReport run(Sweep sweep) {
        return run(Bundle.named(sweep.name()).add(sweep));
    }

    /**
     * Runs the bundle to the end with settings of the test's own.
     *
     * @param bundle the bundle to run
     * @param settings called with the builder before it starts, e.g. {@code run -> run.retry(policy)}
     * @return the final report
     * @throws AssertionError if it has not ended within the {@link #timeout()}: it is cancelled, and
     *     the message holds its report
     */
    public RunReport run(Bundle bundle, Consumer<RunManager.Builder> settings) {
        RunManager run = start(bundle, settings);
        try {
            return run.completion().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            run.cancel();
            throw new AssertionError("run '" + bundle.name() + "' did not end within " + timeout
                    + " (DroverExtension.timeout); it was cancelled:\n" + run.report(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.cancel();
            throw new AssertionError("interrupted while waiting for run '" + bundle.name() + "'", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("run '" + bundle.name() + "' stopped on an error: " + e.getCause(), e.getCause());
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("DroverRuns of a finished test: it is made for one test method");
        }
    }

    /**
     * Cancels the runs started here that have not ended, closes them and the scheduler, and deletes
     * the runs root. Called by the extension after the test.
     */
    @Override
    public void close() {
        close(false);
    }

    /** As {@link #close()}; {@code keep} keeps the runs root (the test failed: its files tell why). */
    synchronized void close(boolean keep) {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException problem = null;
        for (RunManager run : started) {
            try {
                if (!run.completion().isDone()) {
                    run.cancel();
                    awaitEnds(run);
                }
                run.close();
            } catch (RuntimeException e) {
                problem = add(problem, e);
            }
        }
        try {
            scheduler.close();
        } catch (Exception e) {
            problem = add(problem, e instanceof RuntimeException r ? r : new IllegalStateException(e));
        }
        if (!keep) {
            deleteTree(runsRoot);
        }
        if (problem != null) {
            throw problem;
        }
    }

    /**
     * Waits, up to 10 s, until the scheduler says the cancelled jobs have ended, so that the runs
     * root is not deleted under a process being stopped (which then could not write its records).
     */
    private void awaitEnds(RunManager run) {
        List<String> ids = new ArrayList<>();
        for (RunReport.Row row : run.report().rows()) {
            if (!row.jobId().isEmpty()) {
                ids.add(row.jobId());
            }
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!ids.isEmpty() && System.nanoTime() < deadline) {
            Map<String, JobStatus> answers = scheduler.status(ids);
            ids.removeIf(id -> answers.get(id) == null || answers.get(id).state().isTerminal()
                    || answers.get(id).state() == JobState.NOT_FOUND);
            if (!ids.isEmpty()) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // A file a cancelled job still writes, say: the directory is a temporary one, left for the OS.
            System.err.println("DroverRuns: cannot delete " + root + " entirely: " + e);
        }
    }

    /**
     * The scheduler and the runs root.
     *
     * @return e.g. {@code DroverRuns[local in /tmp/drover-test-123, 2 runs started]}
     */
    @Override
    public synchronized String toString() {
        return "DroverRuns[" + scheduler.name() + " in " + runsRoot + ", " + started.size()
                + (started.size() == 1 ? " run" : " runs") + " started]";
    }
}
