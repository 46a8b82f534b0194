package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.drover.run.RunManagerTest.FAST;
import static org.drover.run.RunManagerTest.drive;
import static org.drover.run.RunManagerTest.row;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.drover.Bundle;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RunManager under the faults that must never lose, duplicate or strand a task: submit calls whose
 * outcome is unknown, token lookups that cannot answer, long status outages, deep failure
 * cascades, failing done checks, stores that do not match the bundle or are shared.
 */
class RunManagerFaultTest {
    @TempDir
    Path tmp;

    private RunManager.Builder manager(Bundle b, InMemoryScheduler s) {
        return RunManager.of(b).on(s).runsRoot(tmp.resolve("runs")).retry(FAST).lostAfter(Duration.ofHours(1));
    }

    @Test
    void aSubmitThatFailsAfterTheJobWasCreatedIsAttachedNotSubmittedAgain() {
        InMemoryScheduler s = new InMemoryScheduler(2, 1).failSubmitsAfterCreating(1);
        RunManager m = manager(Bundle.named("timeout").add(Job.named("a").command("true")), s).build();
        RunReport end = drive(m);

        assertThat(end.isSuccess()).isTrue();
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(m.record().tasks().get(0).attempts()).hasSize(1);
    }

    @Test
    void whileTheTokenLookupCannotAnswerTheTaskWaitsAndIsNeverSubmittedTwice() {
        InMemoryScheduler s = new InMemoryScheduler(2, 1).failSubmitsAfterCreating(1);
        s.failTokenLookups(true);
        RunManager m = manager(Bundle.named("blind").add(Job.named("a").command("true")), s).build();
        for (int i = 0; i < 20; i++) {
            m.step();
        }
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(m.report().rows().get(0).state()).isEqualTo(TaskState.PENDING);
        assertThat(m.report().rows().get(0).reason()).contains("not settled yet");
        assertThat(s.tokenLookups()).isGreaterThan(10);   // asked again every poll

        s.failTokenLookups(false);
        RunReport end = drive(m);
        assertThat(end.isSuccess()).isTrue();
        assertThat(s.submitCount("a")).isEqualTo(1);
    }

    @Test
    void aRestartWhileTokenLookupsFailNeitherHangsNorSubmitsTwice() {
        InMemoryScheduler s = new InMemoryScheduler(2, 2);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("restart").add(Job.named("a").command("true")).add(Job.named("b").command("true"))
                .add(Job.named("c").command("true").dependsOn("a"));
        RunManager first = manager(b, s).store(store).build();
        first.step();
        // As if the first manager died during sbatch: every attempt has a token and no id.
        RunRecord r = store.load().orElseThrow();
        List<TaskRecord> tasks = r.tasks().stream().map(t -> t.attempts().isEmpty() ? t
                : new TaskRecord(t.name(), TaskState.WAITING, "", null, List.of(withoutId(t.lastAttempt()))))
                .toList();
        store.save(new RunRecord(r.bundle(), r.scheduler(), r.runDirectory(), r.saved(), tasks));

        s.failTokenLookups(true);
        RunManager second = manager(b, s).store(store).build();
        for (int i = 0; i < 10; i++) {
            second.step();
        }
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(s.submitCount("b")).isEqualTo(1);
        assertThat(s.submitCount("c")).isZero();

        s.failTokenLookups(false);
        RunReport end = drive(second);
        assertThat(end.isSuccess()).isTrue();
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(s.submitCount("b")).isEqualTo(1);
        assertThat(s.submitCount("c")).isEqualTo(1);
    }

    @Test
    void aRestartWithManySubmissionsToSettleAsksOnceForAll() {
        InMemoryScheduler s = new InMemoryScheduler(100, 2);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("batch");
        for (int i = 0; i < 60; i++) {
            b.add(Job.named("t" + i).command("true"));
        }
        RunManager first = manager(b, s).store(store).build();
        first.step();
        // As if the first manager died during a batch of 60 submissions: 30 reached the scheduler, 30 did not.
        RunRecord r = store.load().orElseThrow();
        List<TaskRecord> tasks = new java.util.ArrayList<>();
        for (TaskRecord t : r.tasks()) {
            AttemptRecord a = t.lastAttempt();
            if (Integer.parseInt(t.name().substring(1)) >= 30) {
                s.lose(a.jobId());   // never reached it
            }
            tasks.add(new TaskRecord(t.name(), TaskState.WAITING, "", null, List.of(withoutId(a))));
        }
        store.save(new RunRecord(r.bundle(), r.scheduler(), r.runDirectory(), r.saved(), tasks));

        RunManager second = manager(b, s).store(store).build();
        int before = s.tokenLookups();
        second.step();
        assertThat(s.tokenLookups() - before).as("one lookup for all 60 submissions").isEqualTo(1);
        RunReport end = drive(second);
        assertThat(end.isSuccess()).isTrue();
        for (int i = 0; i < 60; i++) {
            assertThat(s.submitCount("t" + i)).as("t" + i).isEqualTo(i < 30 ? 1 : 2);   // lost ones count
            assertThat(row(end, "t" + i).attempt()).isEqualTo(1);
        }
    }

    @Test
    void aStoreWithATokenThatCannotGoIntoAQueryIsRefusedByName() {
        InMemoryScheduler s = new InMemoryScheduler(2, 1);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("bad").add(Job.named("a").command("true"));
        manager(b, s).store(store).build().step();
        RunRecord r = store.load().orElseThrow();
        AttemptRecord a = r.tasks().get(0).lastAttempt();
        AttemptRecord tampered = new AttemptRecord(a.number(), "drv x;rm", null, JobState.UNKNOWN, null, "",
                a.submitted(), null, a.attemptDir(), List.of(), null, null);
        store.save(new RunRecord(r.bundle(), r.scheduler(), r.runDirectory(), r.saved(),
                List.of(new TaskRecord("a", TaskState.PENDING, "", null, List.of(tampered)))));

        assertThatThrownBy(() -> manager(b, s).store(store).build().step())
                .isInstanceOf(DroverException.class)
                .hasMessageContaining("task 'a' attempt 1")
                .hasMessageContaining("token 'drv x;rm' is not allowed");
        assertThat(s.submitCount("a")).isEqualTo(1);
    }

    private static AttemptRecord withoutId(AttemptRecord a) {
        return new AttemptRecord(a.number(), a.token(), null, JobState.UNKNOWN, null, "", a.submitted(), null,
                a.attemptDir(), List.of(), a.stdout(), a.stderr());
    }

    @Test
    void aStatusOutageLongerThanLostAfterLosesNothing() {
        InMemoryScheduler s = new InMemoryScheduler(4, 3);
        RunManager m = manager(Bundle.named("outage").add(Job.named("a").command("true")), s)
                .lostAfter(Duration.ZERO).build();
        m.step();
        s.failStatusEvery(1);                       // every query fails, for as long as it takes
        for (int i = 0; i < 20; i++) {
            m.step();
        }
        assertThat(m.record().tasks().get(0).lastAttempt().state()).isNotEqualTo(JobState.LOST);
        s.failStatusEvery(0);
        RunReport end = drive(m);
        assertThat(end.isSuccess()).isTrue();
        assertThat(s.submitCount("a")).isEqualTo(1);
    }

    @Test
    void aRetryWithoutBackoffIsSubmittedInTheStepThatSeesTheCrash() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.NODE_FAIL);
        RunManager m = manager(Bundle.named("latency").add(Job.named("a").command("true")), s).build();
        m.step();                                   // submitted
        m.step();                                   // running
        while (m.record().tasks().get(0).attempts().get(0).state() != JobState.NODE_FAIL) {
            assertThat(s.submitCount("a")).isEqualTo(1);
            m.step();
        }
        // the step that saw attempt 1 end has already submitted attempt 2: crash-to-resubmit is one poll
        assertThat(s.submitCount("a")).isEqualTo(2);
        assertThat(m.record().tasks().get(0).attempts()).hasSize(2);
    }

    @Test
    void aLostAttemptIsCancelledBeforeItsRetry() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1000);
        RunManager m = manager(Bundle.named("lost").add(Job.named("a").command("true")), s).lostAfter(Duration.ZERO).build();
        m.step();
        String first = m.record().tasks().get(0).lastAttempt().jobId();
        s.lose(first);
        m.step();
        assertThat(m.record().tasks().get(0).attempts().get(0).state()).isEqualTo(JobState.LOST);
        assertThat(s.cancelled()).containsExactly(first);
    }

    @Test
    void aFailureAtTheRootOfAChainOfTenThousandEndsEveryTaskWithoutOverflowingTheStack() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("t0", JobState.FAILED);
        Bundle b = Bundle.named("chain").add(Job.named("t0").command("false"));
        for (int i = 1; i < 10_000; i++) {
            b.add(Job.named("t" + i).command("true").dependsOn("t" + (i - 1)));
        }
        RunManager m = manager(b, s).pollInterval(Duration.ofMillis(5)).build().start();
        RunReport end = m.awaitCompletion(Duration.ofMinutes(2));
        m.close();

        assertThat(end.count(TaskState.FAILED)).isEqualTo(1);
        assertThat(end.count(TaskState.CANCELLED)).isEqualTo(9_999);
        assertThat(row(end, "t9999").reason()).isEqualTo("dependency t9998 ended CANCELLED");
    }

    @Test
    void aDoneCheckThatThrowsIsAskedAgainNotTakenForAFailure() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1);
        AtomicInteger calls = new AtomicInteger();
        DoneCheck flaky = job -> {
            if (calls.incrementAndGet() <= 4) {   // the skip check at start, then three failures
                throw new IOException("Stale file handle");
            }
            return true;
        };
        RunReport end = drive(manager(Bundle.named("nfs").add(Job.named("a").command("true")), s)
                .doneWhen(flaky).build());

        assertThat(end.isSuccess()).isTrue();
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(calls.get()).isEqualTo(5);
    }

    @Test
    void aDoneCheckThatKeepsFailingFailsTheAttemptAfterLostAfter() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1);
        DoneCheck broken = job -> {
            throw new IOException("Stale file handle");
        };
        RunReport end = drive(manager(Bundle.named("nfs").add(Job.named("a").command("true")), s)
                .lostAfter(Duration.ZERO).doneWhen(broken).build());

        assertThat(row(end, "a").state()).isEqualTo(TaskState.FAILED);
        assertThat(row(end, "a").reason()).contains("done check failed");
    }

    @Test
    void aStoreWithTasksTheBundleNoLongerHasIsRefusedNotSilentlyDropped() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1000);
        RunStore store = RunStore.inMemory();
        Bundle two = Bundle.named("shrink").add(Job.named("a").command("true")).add(Job.named("gone").command("true"));
        manager(two, s).store(store).build().step();
        Bundle one = Bundle.named("shrink").add(Job.named("a").command("true"));

        assertThatThrownBy(() -> manager(one, s).store(store).build().step())
                .isInstanceOf(DroverException.class)
                .hasMessageContaining("[gone]").hasMessageContaining("no longer has");
        assertThat(store.load().orElseThrow().tasks()).extracting(TaskRecord::name).containsExactly("a", "gone");
    }

    @Test
    void aStoreWithANullStateIsAClearError() throws IOException {
        Path file = tmp.resolve("store.json");
        RunManager m = manager(Bundle.named("nul").add(Job.named("a").command("true")), new InMemoryScheduler(1, 1))
                .store(file).build();
        m.step();
        m.close();
        Files.writeString(file, Files.readString(file).replaceFirst("\"state\" ?: ?\"[A-Z_]+\"", "\"state\":null"));

        assertThatThrownBy(() -> RunStore.json(file).load()).isInstanceOf(RunStoreException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("state");
    }

    @Test
    void twoManagersOnOneStoreFileIsAnErrorUntilTheFirstIsClosed() {
        Path file = tmp.resolve("shared.json");
        Bundle b = Bundle.named("shared").add(Job.named("a").command("true"));
        InMemoryScheduler s = new InMemoryScheduler(1, 1000);
        RunManager first = manager(b, s).store(file).build();
        first.step();

        assertThatThrownBy(() -> manager(b, s).store(file).build().step())
                .isInstanceOf(RunStoreException.class).hasMessageContaining("in use by another run manager");
        assertThat(RunStore.json(file).load()).isPresent();   // looking at a running store needs no lock

        first.close();
        RunManager second = manager(b, s).store(file).build();
        second.step();
        assertThat(second.record().tasks().get(0).attempts()).hasSize(1);
        assertThat(s.submitCount("a")).isEqualTo(1);
        second.close();
    }

    @Test
    void theCompletionFutureHandedOutCannotStopTheRun() {
        InMemoryScheduler s = new InMemoryScheduler(1, 1);
        RunManager m = manager(Bundle.named("future").add(Job.named("a").command("true")), s).build();
        m.completion().cancel(true);
        m.completion().complete(null);
        RunReport end = drive(m);
        assertThat(end.isSuccess()).isTrue();
        assertThat(m.completion()).isCompletedWithValueMatching(RunReport::isSuccess);
    }

    @Test
    void everyAttemptRecordsWhereItsOutputGoes() {
        InMemoryScheduler s = new InMemoryScheduler(1, 1);
        Bundle b = Bundle.named("paths").add(Job.named("a").command("true"))
                .add(Job.named("b").command("true").stdout("b.out").stderr("b.err"));
        RunManager m = manager(b, s).build();
        drive(m);
        AttemptRecord a = m.record().tasks().get(0).lastAttempt();
        AttemptRecord c = m.record().tasks().get(1).lastAttempt();
        assertThat(a.stdout()).isEqualTo(Path.of(a.attemptDir(), RunDirectory.STDOUT).toString());
        assertThat(a.stderr()).isEqualTo(Path.of(a.attemptDir(), RunDirectory.STDERR).toString());
        assertThat(c.stdout()).isEqualTo(Path.of(c.attemptDir(), "b.out").toString());
        assertThat(c.stderr()).isEqualTo(Path.of(c.attemptDir(), "b.err").toString());
    }
}
