package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.drover.Bundle;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.scheduler.JobState;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-runs of a finished run and jobs whose definition changed, against the in-memory scheduler. */
class RunManagerRerunTest {
    @TempDir
    Path tmp;

    static final RetryPolicy FAST = RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).build();

    private RunManager.Builder manager(Bundle b, InMemoryScheduler s, RunStore store) {
        return RunManager.of(b).on(s).store(store).runsRoot(tmp.resolve("runs")).retry(FAST)
                .lostAfter(Duration.ofHours(1));
    }

    private static TaskRecord task(RunManager m, String name) {
        return m.record().tasks().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<Integer> numbers(TaskRecord t) {
        return t.attempts().stream().map(AttemptRecord::number).collect(Collectors.toList());
    }

    /** a fails (exit 3); b and c after it are cancelled; ok runs alone; alert runs because a failed. */
    private static Bundle failing() {
        return Bundle.named("fix")
                .add(Job.named("a").command("sh", "-c", "exit 3"))
                .add(Job.named("b").command("true").dependsOn("a"))
                .add(Job.named("c").command("true").dependsOn("b"))
                .add(Job.named("ok").command("true"))
                .add(Job.named("alert").command("true").afterNotOk("a"));
    }

    private RunManager finishedFailing(InMemoryScheduler s, RunStore store) {
        RunManager first = manager(failing(), s, store).build();
        RunReport end = RunManagerTest.drive(first);
        assertThat(end.count(TaskState.FAILED)).as(end.toString()).isEqualTo(1);
        assertThat(end.count(TaskState.CANCELLED)).isEqualTo(2);
        return first;
    }

    @Test
    void withoutAChoiceAFinishedRunCompletesAtOnce() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);

        RunManager again = manager(failing(), s, store).build();
        assertThat(again.step()).isTrue();
        assertThat(s.submissions()).hasSize(3);   // a, ok, alert: nothing more
    }

    @Test
    void rerunFailedRunsTheFailedTaskAndItsDependentsThatDidNotCompleteKeepingTheHistory() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);

        // One attempt in all: a re-run still gets its own.
        RunManager again = manager(failing(), s, store).retry(RetryPolicy.never()).rerun(Rerun.failed()).build();
        RunReport end = RunManagerTest.drive(again);

        assertThat(end.isSuccess()).as(end.toString()).isTrue();
        assertThat(end.count(TaskState.COMPLETED)).isEqualTo(5);
        TaskRecord a = task(again, "a");
        assertThat(numbers(a)).containsExactly(1, 2);
        assertThat(a.attempts().get(0).state()).isEqualTo(JobState.FAILED);
        assertThat(a.attempts().get(1).state()).isEqualTo(JobState.COMPLETED);
        assertThat(a.attempts().get(1).attemptDir()).endsWith("/a/2");
        assertThat(a.reruns()).isEqualTo(1);
        assertThat(a.rerunAfter()).isEqualTo(1);
        assertThat(numbers(task(again, "b"))).containsExactly(1);   // cancelled before, never ran: its first attempt
        assertThat(task(again, "b").reruns()).isEqualTo(1);
        assertThat(task(again, "c").state()).isEqualTo(TaskState.COMPLETED);
        assertThat(s.submitCount("ok")).isEqualTo(1);      // completed, not chosen: left alone
        assertThat(s.submitCount("alert")).isEqualTo(1);   // a completed dependent: left alone
        List<String> order = s.submissions().stream().map(x -> x.job().name()).collect(Collectors.toList());
        assertThat(order.subList(3, order.size())).containsExactly("a", "b", "c");   // b only after a's re-run
    }

    @Test
    void aRerunGrantsAFreshBudgetOfAttemptsAndNumbersGoOn() {
        RetryPolicy two = RetryPolicy.builder().withMaxAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO).build();
        InMemoryScheduler s = new InMemoryScheduler(4, 1)
                .script("a", JobState.NODE_FAIL, JobState.NODE_FAIL, JobState.NODE_FAIL);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("budget").add(Job.named("a").command("true"));
        RunManager first = manager(b, s, store).retry(two).build();
        RunManagerTest.drive(first);
        assertThat(task(first, "a").state()).isEqualTo(TaskState.FAILED);
        assertThat(task(first, "a").reason()).contains("no attempt left");

        RunManager again = manager(b, s, store).retry(two).rerun(Rerun.failed()).build();
        RunManagerTest.drive(again);

        TaskRecord a = task(again, "a");
        assertThat(a.state()).isEqualTo(TaskState.COMPLETED);
        assertThat(numbers(a)).containsExactly(1, 2, 3, 4);   // NODE_FAIL x 3 (the third retried), then COMPLETED
        assertThat(a.attemptsSinceRerun()).isEqualTo(2);
    }

    @Test
    void cancelledPicksOnlyTheCancelledTasksAndWherePicksByRecord() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);

        RunManager cancelled = manager(failing(), s, store).rerun(Rerun.cancelled()).build();
        RunManagerTest.drive(cancelled);
        assertThat(s.submitCount("a")).isEqualTo(1);   // failed, not chosen
        assertThat(task(cancelled, "b").state()).isEqualTo(TaskState.CANCELLED);   // chosen, but a is still FAILED
        assertThat(task(cancelled, "b").reason()).contains("dependency a ended FAILED");
        assertThat(task(cancelled, "b").reruns()).isEqualTo(1);

        RunManager where = manager(failing(), s, store)
                .rerun(Rerun.where(t -> t.name().equals("ok") || t.name().equals("a"))).build();
        RunManagerTest.drive(where);
        assertThat(s.submitCount("ok")).isEqualTo(2);
        assertThat(s.submitCount("a")).isEqualTo(2);
        assertThat(task(where, "c").state()).isEqualTo(TaskState.COMPLETED);   // b and c followed a
        assertThat(s.submitCount("alert")).isEqualTo(1);
    }

    @Test
    void notCompletedPicksFailedAndCancelledButNotCompletedOrSkipped() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);
        RunManager again = manager(failing(), s, store).rerun(Rerun.notCompleted()).build();
        RunManagerTest.drive(again);
        assertThat(again.record().tasks()).allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.COMPLETED));
        assertThat(s.submitCount("ok")).isEqualTo(1);
        assertThat(s.submitCount("a")).isEqualTo(2);
    }

    @Test
    void namedRerunsACompletedTaskButNotItsCompletedDependentsAndASweepNameItsMembers() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("named")
                .add(Job.named("prep").command("true"))
                .add(Sweep.of(Job.named("train").command("echo", "{lr}")).param("lr", "0.1", "0.01").dependsOn("prep"))
                .add(Job.named("report").command("true").dependsOn("train"));
        RunManagerTest.drive(manager(b, s, store).build());

        RunManager again = manager(b, s, store).rerun(Rerun.named("prep")).build();
        RunManagerTest.drive(again);
        assertThat(numbers(task(again, "prep"))).containsExactly(1, 2);
        assertThat(s.submitCount("train_0")).isEqualTo(1);
        assertThat(s.submitCount("report")).isEqualTo(1);

        RunManager sweep = manager(b, s, store).rerun(Rerun.named("train").or(Rerun.named("report"))).build();
        RunManagerTest.drive(sweep);
        assertThat(s.submitCount("train_0")).isEqualTo(2);
        assertThat(s.submitCount("train_1")).isEqualTo(2);
        assertThat(s.submitCount("report")).isEqualTo(2);
        assertThat(s.submitCount("prep")).isEqualTo(2);
    }

    @Test
    void namingATaskTheBundleDoesNotHaveIsAnErrorThatNamesIt() {
        RunManager.Builder b = manager(failing(), new InMemoryScheduler(1, 1), RunStore.inMemory());
        assertThatThrownBy(() -> b.rerun(Rerun.named("a", "nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rerun: bundle 'fix' has no job or sweep named 'nope'");
        assertThatThrownBy(() -> Rerun.named()).hasMessageContaining("at least one");
        assertThatThrownBy(() -> Rerun.named("bad name")).hasMessageContaining("bad name");
    }

    @Test
    void aTaskThatHasNotEndedIsNotRerunAndRunsOn() {
        InMemoryScheduler s = new InMemoryScheduler(4, 50);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("on").add(Job.named("a").command("true"));
        RunManager first = manager(b, s, store).build();
        first.step();
        first.step();
        assertThat(task(first, "a").state()).isEqualTo(TaskState.RUNNING);
        first.close();

        RunManager again = manager(b, s, store).rerun(Rerun.named("a")).build();
        RunManagerTest.drive(again);
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(numbers(task(again, "a"))).containsExactly(1);
        assertThat(task(again, "a").reruns()).isZero();
    }

    @Test
    void aManagerStoppedBetweenTheRerunAndItsSubmissionRunsTheTaskOnceWhenResumed() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);

        RunManager chosen = manager(failing(), s, store).rerun(Rerun.failed()).build();
        chosen.runDirectory();   // starts: the re-run is saved; no step submits anything
        chosen.close();
        assertThat(store.load().orElseThrow().tasks().get(0).state()).isEqualTo(TaskState.WAITING);

        RunManager resumed = manager(failing(), s, store).build();   // no choice now: the re-run goes on
        RunManagerTest.drive(resumed);
        assertThat(numbers(task(resumed, "a"))).containsExactly(1, 2);
        assertThat(task(resumed, "a").state()).isEqualTo(TaskState.COMPLETED);
        assertThat(task(resumed, "c").state()).isEqualTo(TaskState.COMPLETED);
        assertThat(s.submitCount("a")).isEqualTo(2);
    }

    @Test
    void aDoneCheckDoesNotSkipATaskThatWasAskedToRunAgain() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("done").add(Job.named("a").command("true"));
        RunManagerTest.drive(manager(b, s, store).doneWhen(j -> true).build());
        assertThat(s.submitCount("a")).isZero();   // skipped: done before the run

        RunManager again = manager(b, s, store).doneWhen(j -> true).rerun(Rerun.named("a")).build();
        RunManagerTest.drive(again);
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(task(again, "a").state()).isEqualTo(TaskState.COMPLETED);
    }

    // ------------------------------------------------------------------ changed definitions

    /** The failing bundle with a fixed, b with more cpus and another env value, ok unchanged. */
    private static Bundle fixed() {
        return Bundle.named("fix")
                .add(Job.named("a").command("sh", "-c", "exit 0"))
                .add(Job.named("b").command("true").dependsOn("a").cpus(2).env("MODE", "fast"))
                .add(Job.named("c").command("true").dependsOn("b"))
                .add(Job.named("ok").command("true").env("SECRET", "hunter2"))
                .add(Job.named("alert").command("true").afterNotOk("a"));
    }

    @Test
    void aJobWhoseDefinitionChangedIsRefusedNamingTheTaskAndWhatChanged() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);
        RunRecord before = store.load().orElseThrow();

        assertThatThrownBy(() -> manager(fixed(), s, store).build().step())
                .isInstanceOf(DroverException.class)
                .hasMessageContaining("bundle 'fix' defines 2 jobs differently from the definition their tasks ran with")
                .hasMessageContaining("\n  task a: command changed from [sh, -c, exit 3] to [sh, -c, exit 0]\n")
                .hasMessageContaining("\n  task ok: env SECRET added\n")
                .hasMessageContaining(".rerun(Rerun.changed())")
                .hasMessageContaining("put the earlier definitions back")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("task b");   // never ran: it simply takes its new definition
        assertThat(store.load().orElseThrow()).isEqualTo(before);   // refused: nothing written
        assertThat(s.submissions()).hasSize(3);
    }

    @Test
    void withoutTheEarlierDefinitionTheRefusalStillNamesTheTask() throws Exception {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        RunManager first = finishedFailing(s, store);
        Files.delete(first.runDirectory().recordFile());

        assertThatThrownBy(() -> manager(fixed(), s, store).build().step())
                .hasMessageContaining("\n  task a: its job's definition changed (" + first.runDirectory().recordFile()
                        + " is missing)\n");
    }

    @Test
    void withChangedTheChangedTasksRunAgainWithTheirNewDefinitions() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);

        RunManager again = manager(fixed(), s, store).rerun(Rerun.changed()).build();
        RunReport end = RunManagerTest.drive(again);

        assertThat(end.count(TaskState.COMPLETED)).as(end.toString()).isEqualTo(5);
        List<Submission> subs = s.submissions();
        assertThat(subs.subList(3, subs.size())).extracting(x -> x.job().name())
                .containsExactlyInAnyOrder("a", "ok", "b", "c");
        Job b = subs.stream().filter(x -> x.job().name().equals("b")).findFirst().orElseThrow().job();
        assertThat(b.resources().cpus()).isEqualTo(2);
        assertThat(numbers(task(again, "a"))).containsExactly(1, 2);
        assertThat(task(again, "a").reason()).isEmpty();
        assertThat(s.submitCount("alert")).isEqualTo(1);   // unchanged and completed

        // The definitions are recorded: the same bundle again is unchanged, and nothing runs.
        RunManager third = manager(fixed(), s, store).build();
        assertThat(third.step()).isTrue();
        assertThat(s.submissions()).hasSize(subs.size());
    }

    @Test
    void rerunFailedAcceptsAChangedTaskItChoosesAnyway() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);
        Bundle onlyAFixed = Bundle.named("fix")
                .add(Job.named("a").command("sh", "-c", "exit 0"))
                .add(Job.named("b").command("true").dependsOn("a"))
                .add(Job.named("c").command("true").dependsOn("b"))
                .add(Job.named("ok").command("true"))
                .add(Job.named("alert").command("true").afterNotOk("a"));

        RunManager again = manager(onlyAFixed, s, store).rerun(Rerun.failed()).build();
        RunManagerTest.drive(again);
        assertThat(task(again, "a").state()).isEqualTo(TaskState.COMPLETED);
        assertThat(s.submissions().get(s.submissions().size() - 3).job().command())
                .containsExactly("sh", "-c", "exit 0");
    }

    @Test
    void aChangedTaskInTheQueueIsCancelledAndRunAgainOnlyAfterItsAttemptEnded() {
        InMemoryScheduler s = new InMemoryScheduler(4, 50);
        RunStore store = RunStore.inMemory();
        Bundle v1 = Bundle.named("queue").add(Job.named("a").command("sleep", "100"))
                .add(Job.named("b").command("true").dependsOn("a"));
        RunManager first = manager(v1, s, store).build();
        first.step();
        first.step();
        String oldId = task(first, "a").lastAttempt().jobId();
        assertThat(s.stateOf(oldId)).isEqualTo(JobState.RUNNING);
        first.close();

        Bundle v2 = Bundle.named("queue").add(Job.named("a").command("sleep", "1"))
                .add(Job.named("b").command("echo", "new").dependsOn("a"));
        assertThatThrownBy(() -> manager(v2, s, store).build().step())
                .hasMessageContaining("task a: command changed from [sleep, 100] to [sleep, 1]");

        RunManager again = manager(v2, s, store).rerun(Rerun.changed()).build();
        again.step();
        assertThat(s.cancelled()).containsExactly(oldId);
        assertThat(s.stateOf(oldId)).isEqualTo(JobState.CANCELLED);
        RunManagerTest.drive(again);

        TaskRecord a = task(again, "a");
        assertThat(a.attempts()).extracting(AttemptRecord::state).containsExactly(JobState.CANCELLED, JobState.COMPLETED);
        assertThat(a.reruns()).isEqualTo(1);
        assertThat(s.maxLive()).isEqualTo(1);   // never both at once
        assertThat(s.submissions()).extracting(x -> x.job().command())
                .containsExactly(List.of("sleep", "100"), List.of("sleep", "1"), List.of("echo", "new"));
    }

    @Test
    void aStoreWithoutFingerprintsLoadsAndRecordsThemFromThenOn() throws Exception {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        Path file = tmp.resolve("old.json");
        RunManager first = manager(failing(), s, RunStore.json(file)).build();
        RunManagerTest.drive(first);
        first.close();
        String json = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(json).contains("\"fingerprint\"");
        Files.writeString(file, json.replaceAll(",\"fingerprint\":\"[0-9a-f]+\"", ""), StandardCharsets.UTF_8);

        RunManager old = manager(fixed(), s, RunStore.json(file)).build();   // changed, but it cannot tell
        assertThat(old.step()).isTrue();
        old.close();
        assertThat(RunStore.json(file).load().orElseThrow().tasks())
                .allSatisfy(t -> assertThat(t.fingerprint()).hasSize(16));

        assertThatThrownBy(() -> manager(failing(), s, RunStore.json(file)).build().step())
                .hasMessageContaining("task a: command changed from [sh, -c, exit 0] to [sh, -c, exit 3]");
    }

    @Test
    void anUnchangedStoreIsStartedWithoutReadingAnyFile() {
        AtomicInteger reads = new AtomicInteger();
        Shell local = LocalShell.create();
        Shell counting = new Shell() {
            @Override
            public CommandResult run(List<String> command, Duration timeout) {
                return local.run(command, timeout);
            }

            @Override
            public void writeFile(Path file, byte[] content) {
                local.writeFile(file, content);
            }

            @Override
            public Optional<byte[]> readFile(Path file) {
                reads.incrementAndGet();
                return local.readFile(file);
            }

            @Override
            public void createDirectories(Path dir) {
                local.createDirectories(dir);
            }

            @Override
            public String describe() {
                return "counting";
            }
        };
        InMemoryScheduler s = new InMemoryScheduler(4, 1, counting).script("a", JobState.FAILED);
        RunStore store = RunStore.inMemory();
        finishedFailing(s, store);
        reads.set(0);

        RunManager again = manager(failing(), s, store).rerun(Rerun.failed()).build();
        again.runDirectory();
        assertThat(reads).hasValue(0);
    }
}
