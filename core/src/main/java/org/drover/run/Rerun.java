package org.drover.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.drover.Names;

/**
 * Which tasks of a run a new {@code RunManager} on the same store runs again
 * ({@link RunManager.Builder#rerun(Rerun)}): failed ones, cancelled ones, ones by name, ones a
 * predicate over their {@link TaskRecord} picks, or the ones whose job the bundle now defines
 * differently. Immutable; combine with {@link #or(Rerun)}.
 *
 * <pre>{@code
 * RunManager.of(bundle).on(slurm).store(Path.of("runs/study.json"))
 *         .rerun(Rerun.failed())                              // the failed tasks, and their dependents that did not complete
 *         .start();
 * Rerun.named("train_3", "report");                           // by job name; a sweep's name stands for all its members
 * Rerun.where(t -> t.state() == TaskState.COMPLETED && t.name().startsWith("eval"));
 * Rerun.changed().or(Rerun.cancelled());                      // jobs whose definition changed, and cancelled tasks
 * RunManager.of(bundle).on(slurm).rerun(Rerun.named("nope"));
 *         // IllegalArgumentException: rerun: bundle 'study' has no job or sweep named 'nope'
 * }</pre>
 *
 * <p><b>What a re-run does.</b> A chosen task goes back to {@link TaskState#WAITING} and is
 * submitted again once its dependencies allow, keeping every earlier attempt in its record: after
 * two attempts, the re-run's first one is attempt 3 (its own attempt directory, {@code <job>/3}).
 * For the {@link RetryPolicy} a re-run is a fresh start: it counts, delays and grows attempts from
 * the re-run on, from the bundle's definition of the job, so a task that used up its attempts can
 * always be re-run. Its dependents that did not complete (cancelled because it failed, say), and
 * theirs in turn, run again after it; dependents that completed are left alone unless chosen too.
 * A done check ({@code doneWhen}) does not skip a re-run task: it was asked for.
 *
 * <p><b>Only tasks that have ended are re-run.</b> A chosen task that has not ended (it waits, is
 * queued or runs) is left as it is and goes on; the start logs it. So a program that always starts
 * its manager with, say, {@code rerun(Rerun.named("report"))} resumes after a crash without running
 * {@code report} twice, but once the run has finished, every such start runs {@code report} again.
 * The predicates ({@link #failed()}, {@link #where(Predicate)}, ...) are asked only about tasks that
 * have ended. {@link #changed()} alone also reaches tasks that have not ended: see there.
 */
public final class Rerun {
    /** Nothing: the default of a manager. */
    static final Rerun NONE = new Rerun(List.of(), Set.of(), false, "nothing");

    private final List<Predicate<TaskRecord>> tests;
    private final Set<String> names;
    private final boolean changed;
    private final String description;

    private Rerun(List<Predicate<TaskRecord>> tests, Set<String> names, boolean changed, String description) {
        this.tests = tests;
        this.names = names;
        this.changed = changed;
        this.description = description;
    }

    /**
     * The tasks that ended {@link TaskState#FAILED}.
     *
     * @return a choice of the failed tasks
     */
    public static Rerun failed() {
        return new Rerun(List.of(t -> t.state() == TaskState.FAILED), Set.of(), false, "failed");
    }

    /**
     * The tasks that ended {@link TaskState#CANCELLED}: cancelled, or never run because a dependency
     * did not end as they needed.
     *
     * @return a choice of the cancelled tasks
     */
    public static Rerun cancelled() {
        return new Rerun(List.of(t -> t.state() == TaskState.CANCELLED), Set.of(), false, "cancelled");
    }

    /**
     * The tasks that ended without success: {@link TaskState#FAILED} or {@link TaskState#CANCELLED}
     * (not {@link TaskState#COMPLETED} or {@link TaskState#SKIPPED}).
     *
     * @return a choice of the tasks that ended without success
     */
    public static Rerun notCompleted() {
        return new Rerun(List.of(t -> !t.state().isSuccess()), Set.of(), false, "not completed");
    }

    /**
     * These tasks, whatever way they ended (completed ones too). A name may also be a sweep's, for
     * all of its members. {@link RunManager.Builder#rerun(Rerun)} refuses a name the bundle does not have.
     *
     * @param names job or sweep names
     * @return a choice of these tasks
     * @throws IllegalArgumentException if there is no name, or a name breaks the {@link Names} rules
     */
    public static Rerun named(String... names) {
        return named(Arrays.asList(Objects.requireNonNull(names, "names")));
    }

    /**
     * As {@link #named(String...)}.
     *
     * @param names job or sweep names
     * @return a choice of these tasks
     * @throws IllegalArgumentException if there is no name, or a name breaks the {@link Names} rules
     */
    public static Rerun named(Collection<String> names) {
        Objects.requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("Rerun.named needs at least one job or sweep name");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String n : names) {
            set.add(Names.requireJobName(n));
        }
        return new Rerun(List.of(), Collections.unmodifiableSet(set), false, "named " + set);
    }

    /**
     * The tasks that ended and that {@code test} accepts, e.g.
     * {@code t -> t.lastAttempt() != null && Integer.valueOf(137).equals(t.lastAttempt().exitCode())}.
     * It is asked once per ended task, at start, on the thread that starts the manager.
     *
     * @param test which ended tasks to run again, from their records
     * @return a choice of the ended tasks {@code test} accepts
     */
    public static Rerun where(Predicate<TaskRecord> test) {
        return new Rerun(List.of(Objects.requireNonNull(test, "test")), Set.of(), false, "where a predicate");
    }

    /**
     * The tasks whose job the bundle now defines differently from the definition their attempts ran
     * with (command, script, resources, environment, working directory, output paths, directives,
     * dependencies, requeue, sweep values). Without this choice a manager refuses to start on such
     * a store, naming each task and what changed.
     *
     * <p>A changed task that ended runs again, as any re-run. One whose attempt is queued or running
     * is cancelled, and once the scheduler confirms that attempt ended, runs again with the new
     * definition (never both at once). One waiting to be retried runs its next attempt with the new
     * definition, counted afresh. One not submitted since its last (re-)start needs no choice: it
     * simply runs with the new definition.
     *
     * @return a choice of the tasks whose job definition changed
     */
    public static Rerun changed() {
        return new Rerun(List.of(), Set.of(), true, "changed");
    }

    /**
     * The tasks this choice or {@code other} picks.
     *
     * @param other another choice
     * @return a choice of the tasks either picks
     */
    public Rerun or(Rerun other) {
        Objects.requireNonNull(other, "other");
        if (this == NONE) {
            return other;
        }
        if (other == NONE) {
            return this;
        }
        List<Predicate<TaskRecord>> allTests = new ArrayList<>(tests);
        allTests.addAll(other.tests);
        Set<String> allNames = new LinkedHashSet<>(names);
        allNames.addAll(other.names);
        return new Rerun(List.copyOf(allTests), Collections.unmodifiableSet(allNames), changed || other.changed,
                description + " or " + other.description);
    }

    /** The job or sweep names chosen. */
    Set<String> names() {
        return names;
    }

    /** Whether the tasks whose job definition changed are chosen. */
    boolean includesChanged() {
        return changed;
    }

    /** Whether a predicate picks this ended task. */
    boolean picks(TaskRecord ended) {
        for (Predicate<TaskRecord> t : tests) {
            if (t.test(ended)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What is chosen.
     *
     * @return e.g. {@code Rerun[failed or named [train_3]]}
     */
    @Override
    public String toString() {
        return "Rerun[" + description + "]";
    }
}
