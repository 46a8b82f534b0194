package org.drover.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.Scheduler;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that hands each test method what a harness needs to run Drover: a
 * {@link DroverRuns} (run managers on a scheduler, in a temporary runs root, polling quickly and
 * quietly), or the {@link Scheduler} itself, or the {@link InMemoryScheduler} when it is one. After
 * the test, runs still going are cancelled, the scheduler is closed and the runs root deleted (kept
 * when the test failed, and its path printed). Assert on the results with {@link DroverAssertions}.
 *
 * <p>By default ({@code @ExtendWith(DroverExtension.class)}) each test gets a new
 * {@link LocalScheduler} with every cpu of the machine: jobs are real processes. Registered as a
 * field, it can run on the simulated cluster instead, or on any scheduler, with another timeout:
 *
 * <pre>{@code
 * @ExtendWith(DroverExtension.class)
 * class StudyTest {
 *     @Test
 *     void everyModelTrains(DroverRuns drover) {
 *         RunReport end = drover.run(study);
 *         assertThat(end).allCompleted();
 *         assertThat(end.task("train_3")).completed().stdoutContains("score");
 *     }
 * }
 *
 * class RetryPolicyTest {
 *     @RegisterExtension
 *     static DroverExtension drover = DroverExtension.simulated(() -> new InMemoryScheduler(4, 2))
 *             .withTimeout(Duration.ofSeconds(30));
 *
 *     @Test
 *     void nodeFailuresAreRetried(DroverRuns runs, InMemoryScheduler cluster) {
 *         cluster.script("train_1", JobState.NODE_FAIL);
 *         assertThat(runs.run(study)).allCompleted();
 *         assertThat(cluster.submitCount("train_1")).isEqualTo(2);
 *     }
 * }
 * }</pre>
 *
 * <p>JUnit Jupiter's API ({@code junit-jupiter-api}) and AssertJ ({@code assertj-core}) are optional
 * dependencies of {@code drover-core}: a harness has them as test dependencies already; an
 * application that does not use this package needs neither.
 */
public final class DroverExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DroverExtension.class);
    private static final String KEY = "runs";

    private final Supplier<? extends Scheduler> schedulers;
    private final String schedulerName;
    private final Duration timeout;
    private final Duration pollInterval;

    /**
     * The default, as {@code @ExtendWith(DroverExtension.class)} makes it: a new LocalScheduler per
     * test, runs that must end within 5 minutes, a poll every 20 ms.
     */
    public DroverExtension() {
        this(LocalScheduler::create, "local", Duration.ofMinutes(5), Duration.ofMillis(20));
    }

    private DroverExtension(Supplier<? extends Scheduler> schedulers, String schedulerName, Duration timeout,
                            Duration pollInterval) {
        this.schedulers = schedulers;
        this.schedulerName = schedulerName;
        this.timeout = timeout;
        this.pollInterval = pollInterval;
    }

    /**
     * Runs on a new {@link LocalScheduler} with this many cpus per test.
     *
     * @param cpus the cpus the local executor may use, 1 or more
     * @return a new extension
     * @throws IllegalArgumentException if {@code cpus} is below 1
     */
    public static DroverExtension local(int cpus) {
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
        }
        return new DroverExtension().onScheduler(() -> LocalScheduler.builder().cpus(cpus).build(), "local");
    }

    /**
     * Runs on a new simulated cluster per test; a test method may take it as a parameter to
     * script it.
     *
     * @param clusters makes the cluster of each test, e.g. {@code () -> new InMemoryScheduler(4, 2)}
     * @return a new extension
     */
    public static DroverExtension simulated(Supplier<InMemoryScheduler> clusters) {
        return new DroverExtension().onScheduler(clusters, "simulated");
    }

    /**
     * Runs on the scheduler each call of {@code schedulers} makes, one per test (closed after it).
     *
     * @param schedulers makes the scheduler of each test
     * @return a new extension
     */
    public static DroverExtension on(Supplier<? extends Scheduler> schedulers) {
        return new DroverExtension().onScheduler(schedulers, "given");
    }

    private DroverExtension onScheduler(Supplier<? extends Scheduler> s, String name) {
        return new DroverExtension(Objects.requireNonNull(s, "schedulers"), name, timeout, pollInterval);
    }

    /**
     * How long {@link DroverRuns#run} waits for a run to end before it cancels it and fails the test
     * (default 5 minutes).
     *
     * @param timeout the time, positive
     * @return a new extension
     * @throws IllegalArgumentException if not positive
     */
    public DroverExtension withTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return new DroverExtension(schedulers, schedulerName, timeout, pollInterval);
    }

    /**
     * How often the managers of {@link DroverRuns} poll (default 20 ms).
     *
     * @param interval the interval, positive
     * @return a new extension
     * @throws IllegalArgumentException if not positive
     */
    public DroverExtension withPollInterval(Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + interval);
        }
        return new DroverExtension(schedulers, schedulerName, timeout, interval);
    }

    /**
     * Whether a parameter is one this extension gives: {@link DroverRuns}, {@link Scheduler} or
     * {@link InMemoryScheduler}.
     *
     * @param parameter the parameter
     * @param context the test's context
     * @return whether this extension resolves it
     */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DroverRuns.class || type == Scheduler.class || type == InMemoryScheduler.class;
    }

    /**
     * The test's {@link DroverRuns}, made at the first parameter that asks for it, or its scheduler.
     *
     * @param parameter the parameter
     * @param context the test's context
     * @return the value
     * @throws ParameterResolutionException outside a test method (the runs are made per test), or
     *     for an {@link InMemoryScheduler} parameter when the scheduler is not one
     */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("DroverRuns are made per test method; "
                    + parameter.getDeclaringExecutable() + " is not one (a constructor or @BeforeAll method?)");
        }
        DroverRuns runs = context.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, k -> open(), DroverRuns.class);
        Class<?> type = parameter.getParameter().getType();
        if (type == DroverRuns.class) {
            return runs;
        }
        if (type == InMemoryScheduler.class && !(runs.scheduler() instanceof InMemoryScheduler)) {
            throw new ParameterResolutionException("parameter " + parameter.getParameter().getName() + " of "
                    + context.getRequiredTestMethod().getName() + ": an InMemoryScheduler is given only by "
                    + "DroverExtension.simulated(...); this extension runs on " + runs.scheduler().name());
        }
        return runs.scheduler();
    }

    private DroverRuns open() {
        Scheduler scheduler = Objects.requireNonNull(schedulers.get(), "the scheduler supplier returned null");
        try {
            Path root = Files.createTempDirectory("drover-test-").toAbsolutePath();
            return new DroverRuns(scheduler, root, pollInterval, timeout);
        } catch (IOException e) {
            scheduler.close();
            throw new UncheckedIOException("cannot create a temporary runs root: " + e.getMessage(), e);
        }
    }

    /**
     * Closes the test's {@link DroverRuns}, if it made one: cancels the runs still going, closes the
     * scheduler, deletes the runs root unless the test failed.
     *
     * @param context the test's context
     */
    @Override
    public void afterEach(ExtensionContext context) {
        DroverRuns runs = context.getStore(NAMESPACE).remove(KEY, DroverRuns.class);
        if (runs != null) {
            boolean failed = context.getExecutionException().isPresent();
            if (failed) {
                System.err.println("Drover: the runs of " + context.getDisplayName() + " are kept in " + runs.runsRoot());
            }
            runs.close(failed);
        }
    }

    /**
     * The scheduler, timeout and poll interval.
     *
     * @return e.g. {@code DroverExtension[local, timeout PT5M, poll PT0.02S]}
     */
    @Override
    public String toString() {
        return "DroverExtension[" + schedulerName + ", timeout " + timeout + ", poll " + pollInterval + "]";
    }
}
