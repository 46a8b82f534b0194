package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.Submission;
import org.drover.shell.Shell;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RunManager decisions against the in-memory scheduler, driven step by step. */
class RunManagerTest {
    @TempDir
    Path tmp;

    static final RetryPolicy FAST = RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).build();

    private RunManager.Builder manager(Bundle b, InMemoryScheduler s) {
        return RunManager.of(b).on(s).runsRoot(tmp.resolve("runs")).retry(FAST).lostAfter(Duration.ofHours(1));
    }

    /** Steps the manager until the run ends (at most 10,000 steps). */
    static RunReport drive(RunManager m) {
        for (int i = 0; i < 10_000; i++) {
            if (m.step()) {
                return m.report();
            }
        }
        throw new AssertionError("run did not finish: " + m.report());
    }

    @Test
    void resubmitsACrashedTaskOnceAndKeepsBothAttempts() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.NODE_FAIL);
        List<TaskEvent> retried = new ArrayList<>();
        RunManager m = manager(Bundle.named("crash").add(Job.named("a").command("true")), s)
                .listener(new RunListener() {
                    @Override
                    public void retried(TaskEvent e) {
                        retried.add(e);
                    }
                }).build();
        RunReport end = drive(m);

        assertThat(end.count(TaskState.COMPLETED)).isEqualTo(1);
        assertThat(s.submitCount("a")).isEqualTo(2);
        TaskRecord a = m.record().tasks().get(0);
        assertThat(a.attempts()).hasSize(2);
        assertThat(a.attempts().get(0).state()).isEqualTo(JobState.NODE_FAIL);
        assertThat(a.attempts().get(0).history()).extracting(StateChange::state)
                .containsExactly(JobState.PENDING, JobState.RUNNING, JobState.NODE_FAIL);
        assertThat(a.attempts().get(1).state()).isEqualTo(JobState.COMPLETED);
        assertThat(a.attempts().get(1).attemptDir()).endsWith("/a/2");
        assertThat(retried).extracting(TaskEvent::task).containsExactly("a");
    }

    @Test
    void aFailureIsNotRetriedByDefaultAndEndsItsAfterOkDependents() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.FAILED);
        Bundle b = Bundle.named("fail")
                .add(Job.named("b").command("true").dependsOn("a"))
                .add(Job.named("c").command("true").dependsOn("b"))
                .add(Job.named("any").command("true").afterAny("a"))
                .add(Job.named("notok").command("true").afterNotOk("a"))
                .add(Job.named("a").command("false"));
        RunReport end = drive(manager(b, s).build());

        assertThat(row(end, "a").state()).isEqualTo(TaskState.FAILED);
        assertThat(row(end, "b").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(row(end, "b").reason()).contains("dependency a ended FAILED");
        assertThat(row(end, "c").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(row(end, "any").state()).isEqualTo(TaskState.COMPLETED);
        assertThat(row(end, "notok").state()).isEqualTo(TaskState.COMPLETED);
        assertThat(s.submitCount("a")).isEqualTo(1);
        assertThat(s.submitCount("b")).isZero();
    }

    @Test
    void aRetriedDependencyNeverLeavesItsDependentWaitingOnADeadAttempt() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.PREEMPTED, JobState.NODE_FAIL);
        Bundle b = Bundle.named("dag").add(Job.named("b").command("true").dependsOn("a")).add(Job.named("a").command("true"));
        RunReport end = drive(manager(b, s).build());

        assertThat(end.isSuccess()).isTrue();
        assertThat(s.submitCount("a")).isEqualTo(3);
        assertThat(s.submitCount("b")).isEqualTo(1);
        List<String> order = s.submissions().stream().map(x -> x.job().name()).collect(Collectors.toList());
        assertThat(order).containsExactly("a", "a", "a", "b");
        assertThat(s.submissions()).allSatisfy(x -> assertThat(x.dependencies()).isEmpty());
    }

    @Test
    void growsWalltimeAndMemoryOnTheRetriesThePolicyAsksFor() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.TIMEOUT, JobState.OUT_OF_MEMORY);
        RetryPolicy policy = RetryPolicy.builder().withMaxAttempts(3).withBackoff(Duration.ZERO, Duration.ZERO)
                .retryOn(JobState.TIMEOUT, JobState.OUT_OF_MEMORY).withWalltimeGrowth(2).withMemoryGrowth(1.5).build();
        RunReport end = drive(manager(Bundle.named("grow").add(Job.named("a").command("true").walltime("01:00:00")
                .memory("1G")), s).retry(policy).build());

        assertThat(end.isSuccess()).isTrue();
        List<Job> jobs = s.submissions().stream().map(Submission::job).collect(Collectors.toList());
        assertThat(jobs).extracting(j -> j.resources().walltime().orElseThrow())
                .containsExactly(Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(2));
        assertThat(jobs).extracting(j -> j.resources().memory().orElseThrow().toString()).containsExactly("1G", "1G", "1536M");
    }

    @Test
    void givesUpAfterMaxAttempts() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.NODE_FAIL, JobState.NODE_FAIL, JobState.NODE_FAIL);
        RunReport end = drive(manager(Bundle.named("up").add(Job.named("a").command("true")), s).build());
        assertThat(row(end, "a").state()).isEqualTo(TaskState.FAILED);
        assertThat(row(end, "a").attempt()).isEqualTo(3);
        assertThat(row(end, "a").reason()).contains("NODE_FAIL").contains("no attempt left");
    }

    @Test
    void neverHasMoreJobsInTheQueueThanTheCap() {
        InMemoryScheduler s = new InMemoryScheduler(100, 2);
        Bundle b = Bundle.named("cap");
        for (int i = 0; i < 50; i++) {
            b.add(Job.named("t" + i).command("true"));
        }
        RunReport end = drive(manager(b, s).maxSimultaneousJobs(5).build());
        assertThat(end.count(TaskState.COMPLETED)).isEqualTo(50);
        assertThat(s.maxLive()).isEqualTo(5);
    }

    @Test
    void aFailingStatusQueryNeverFailsATask() {
        InMemoryScheduler s = new InMemoryScheduler(4, 3).failStatusEvery(2);
        Bundle b = Bundle.named("flaky");
        for (int i = 0; i < 10; i++) {
            b.add(Job.named("t" + i).command("true"));
        }
        RunReport end = drive(manager(b, s).lostAfter(Duration.ofMinutes(10)).build());
        assertThat(end.count(TaskState.COMPLETED)).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            assertThat(s.submitCount("t" + i)).isEqualTo(1);
        }
    }

    @Test
    void aJobTheSchedulerLostIsDeclaredLostAndRetried() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1000);
        RunManager m = manager(Bundle.named("lost").add(Job.named("a").command("true")), s).lostAfter(Duration.ZERO).build();
        m.step();
        m.step();
        s.lose(m.record().tasks().get(0).lastAttempt().jobId());
        m.step();
        TaskRecord a = m.record().tasks().get(0);
        assertThat(a.attempts().get(0).state()).isEqualTo(JobState.LOST);
        assertThat(a.state()).isIn(TaskState.RETRY_WAIT, TaskState.PENDING);
        m.step();
        assertThat(s.submitCount("a")).isEqualTo(2);
    }

    @Test
    void anExitCodeFileSettlesAJobTheSchedulerForgot() throws IOException {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).forgetFinished(true);
        RunManager m = manager(Bundle.named("file").add(Job.named("a").command("true")), s).lostAfter(Duration.ZERO).build();
        m.step();
        Path dir = m.runDirectory().resolveStored(m.record().tasks().get(0).lastAttempt().attemptDir());
        Files.writeString(dir.resolve(RunDirectory.EXIT_CODE), "0\n");
        RunReport end = drive(m);
        assertThat(end.count(TaskState.COMPLETED)).isEqualTo(1);
        assertThat(s.submitCount("a")).isEqualTo(1);
    }

    @Test
    void anExternalCancelIsReportedAndNotRetriedByDefault() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1000);
        Bundle b = Bundle.named("ext").add(Job.named("a").command("true")).add(Job.named("b").command("true").dependsOn("a"));
        RunManager m = manager(b, s).build();
        m.step();
        s.cancelFromOutside(m.record().tasks().get(0).lastAttempt().jobId());
        RunReport end = drive(m);
        assertThat(row(end, "a").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(row(end, "b").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(s.submitCount("a")).isEqualTo(1);
    }

    @Test
    void anExternalCancelIsRetriedWhenThePolicySaysSo() {
        InMemoryScheduler s = new InMemoryScheduler(4, 3);
        Bundle b = Bundle.named("ext").add(Job.named("a").command("true")).add(Job.named("b").command("true").dependsOn("a"));
        RetryPolicy policy = RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).retryOn(JobState.CANCELLED).build();
        RunManager m = manager(b, s).retry(policy).build();
        m.step();
        s.cancelFromOutside(m.record().tasks().get(0).lastAttempt().jobId());
        RunReport end = drive(m);
        assertThat(end.isSuccess()).as(end.toString()).isTrue();
        assertThat(m.record().tasks().get(0).attempts()).extracting(AttemptRecord::state)
                .containsExactly(JobState.CANCELLED, JobState.COMPLETED);
        assertThat(s.submitCount("b")).isEqualTo(1);
    }

    @Test
    void listenersHearEverySubmissionChangeAndEndInOrder() {
        InMemoryScheduler s = new InMemoryScheduler(4, 1).script("a", JobState.NODE_FAIL);
        List<String> heard = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void submitted(TaskEvent e) {
                heard.add("submitted " + e.task() + " #" + e.attempt());
            }

            @Override
            public void stateChanged(TaskEvent e) {
                heard.add(e.task() + " #" + e.attempt() + " " + e.jobState());
            }

            @Override
            public void retried(TaskEvent e) {
                heard.add("retried " + e.task());
            }

            @Override
            public void finished(TaskEvent e) {
                heard.add("finished " + e.task() + " " + e.taskState());
            }
        };
        drive(manager(Bundle.named("events").add(Job.named("a").command("true")), s).listener(listener).build());
        assertThat(heard).containsExactly(
                "submitted a #1", "a #1 RUNNING", "a #1 NODE_FAIL", "retried a",
                "submitted a #2", "a #2 RUNNING", "a #2 COMPLETED", "finished a COMPLETED");
    }

    @Test
    void skipsTasksAlreadyDoneAndFailsOnesThatExitZeroWithoutTheirResult() throws IOException {
        Path results = Files.createDirectories(tmp.resolve("results"));
        Files.writeString(results.resolve("done.txt"), "x");
        InMemoryScheduler s = new InMemoryScheduler(4, 1);
        Bundle b = Bundle.named("done").add(Job.named("done").command("true")).add(Job.named("missing").command("true"))
                .add(Job.named("after").command("true").dependsOn("done"));
        RunReport end = drive(manager(b, s).doneWhen(DoneCheck.fileExists(results + "/{name}.txt")).build());

        assertThat(row(end, "done").state()).isEqualTo(TaskState.SKIPPED);
        assertThat(s.submitCount("done")).isZero();
        assertThat(row(end, "after").state()).isEqualTo(TaskState.FAILED);   // ran, exit 0, but no after.txt
        assertThat(row(end, "missing").state()).isEqualTo(TaskState.FAILED);
        assertThat(row(end, "missing").reason()).contains("done check");
    }

    @Test
    void aNewManagerOnTheSameStoreReattachesAndNeverSubmitsTwice() {
        InMemoryScheduler s = new InMemoryScheduler(2, 3);
        RunStore store = RunStore.json(tmp.resolve("store.json"));
        Bundle b = Bundle.named("restart");
        for (int i = 0; i < 6; i++) {
            b.add(Job.named("t" + i).command("true"));
        }
        RunManager first = manager(b, s).store(store).maxSimultaneousJobs(3).build();
        first.step();
        first.step();
        Path runDir = first.runDirectory().path();
        // the first manager is gone; a second one takes over the same store
        RunManager second = manager(b, s).store(store).maxSimultaneousJobs(3).build();
        RunReport end = drive(second);

        assertThat(second.runDirectory().path()).isEqualTo(runDir);
        assertThat(end.count(TaskState.COMPLETED)).isEqualTo(6);
        for (int i = 0; i < 6; i++) {
            assertThat(s.submitCount("t" + i)).as("t%d submissions", i).isEqualTo(1);
        }
    }

    @Test
    void aSubmissionWhoseIdWasNotRecordedIsFoundByItsToken() {
        InMemoryScheduler s = new InMemoryScheduler(2, 2);
        RunStore store = RunStore.inMemory();
        Bundle b = Bundle.named("token").add(Job.named("a").command("true"));
        RunManager first = manager(b, s).store(store).build();
        first.step();
        // Rewrite the store as it was just before the id came back from the scheduler.
        RunRecord r = store.load().orElseThrow();
        TaskRecord t = r.tasks().get(0);
        AttemptRecord a = t.lastAttempt();
        AttemptRecord noId = new AttemptRecord(a.number(), a.token(), null, JobState.UNKNOWN, null, "", a.submitted(),
                null, a.attemptDir(), List.of(), a.stdout(), a.stderr());
        store.save(new RunRecord(r.bundle(), r.scheduler(), r.runDirectory(), r.saved(),
                List.of(new TaskRecord(t.name(), TaskState.WAITING, "", null, List.of(noId)))));

        RunReport end = drive(manager(b, s).store(store).build());
        assertThat(end.isSuccess()).isTrue();
        assertThat(s.submitCount("a")).isEqualTo(1);
    }

    @Test
    void aCorruptStoreIsAClearErrorThatNamesThePreviousVersion() throws IOException {
        Path file = tmp.resolve("store.json");
        RunStore store = RunStore.json(file);
        RunManager m = manager(Bundle.named("corrupt").add(Job.named("a").command("true")), new InMemoryScheduler(1, 1))
                .store(store).build();
        m.step();
        m.step();
        String content = Files.readString(file);
        Files.writeString(file, content.substring(0, content.length() / 2));

        assertThatThrownBy(store::load).isInstanceOf(RunStoreException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("store.json.prev")
                .satisfies(e -> assertThat(((RunStoreException) e).previousVersion()).hasValue(file.resolveSibling("store.json.prev")));
        assertThat(RunStore.json(file.resolveSibling("store.json.prev")).load()).isPresent();
    }

    @Test
    void cancelCancelsEverythingInOneCall() {
        InMemoryScheduler s = new InMemoryScheduler(10, 1000);
        Bundle b = Bundle.named("cancel");
        for (int i = 0; i < 5; i++) {
            b.add(Job.named("t" + i).command("true"));
        }
        b.add(Job.named("later").command("true").dependsOn("t0"));
        RunManager m = manager(b, s).build();
        m.step();
        m.cancel();
        RunReport end = m.report();
        assertThat(end.count(TaskState.CANCELLED)).isEqualTo(6);
        assertThat(s.cancelCalls()).isEqualTo(1);
        assertThat(m.completion()).isCompleted();
    }

    @Test
    void reportReadsAsATable() {
        InMemoryScheduler s = new InMemoryScheduler(2, 1);
        RunManager m = manager(Bundle.named("table").add(Job.named("prep").command("true"))
                .add(Job.named("train").command("true").dependsOn("prep")), s).build();
        m.step();
        String text = m.report().toString();
        assertThat(text).startsWith("table: 0 of 2 done, ");
        assertThat(text).contains("task", "attempt", "job id", "state", "reason", "elapsed");
        assertThat(text.lines().filter(l -> l.startsWith("prep ") || l.startsWith("train ")).count()).isEqualTo(2);
        RunReport end = drive(m);
        assertThat(end.summary()).isEqualTo("table: 2 of 2 done");
    }

    @Test
    void runsInTheBackgroundWithCompletionFuture() {
        InMemoryScheduler s = new InMemoryScheduler(2, 1);
        RunManager m = manager(Bundle.named("bg").add(Job.named("a").command("true")), s)
                .pollInterval(Duration.ofMillis(10)).start();
        RunReport end = m.completion().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(end.isSuccess()).isTrue();
        m.close();
    }

    @Test
    void pollsEveryAttemptInTheQueueEachStepAndNoAttemptThatEnded() {
        // Tasks end out of order (external cancels, a lost job, scripted failures, retries), so that
        // the set of polled attempts has tasks removed from its middle, its ends, and re-added.
        List<List<String>> asked = new ArrayList<>();
        InMemoryScheduler s = new InMemoryScheduler(300, 3);
        Scheduler recording = new Forwarding(s) {   // every status call's ids, in order
            @Override
            public java.util.Map<String, JobStatus> status(java.util.Collection<String> ids) {
                asked.add(List.copyOf(ids));
                return super.status(ids);
            }
        };
        Bundle b = Bundle.named("order");
        for (int i = 0; i < 300; i++) {
            b.add(Job.named("t" + i).command("true"));
            if (i % 5 == 0) {
                s.script("t" + i, JobState.NODE_FAIL);   // retried once by default
            }
        }
        RunManager m = RunManager.of(b).on(recording).runsRoot(tmp.resolve("runs")).retry(FAST)
                .maxSimultaneousJobs(120).lostAfter(Duration.ZERO).build();
        m.step();
        m.step();
        List<String> ids = m.record().tasks().stream().map(TaskRecord::lastAttempt).filter(a -> a != null)
                .map(AttemptRecord::jobId).collect(Collectors.toList());
        for (int i = 1; i < ids.size(); i += 7) {
            s.cancelFromOutside(ids.get(i));
        }
        s.lose(ids.get(3));
        boolean done = false;
        int polls = 0;
        for (int step = 0; step < 1000 && !done; step++) {
            java.util.Set<String> queued = m.record().tasks().stream().map(TaskRecord::lastAttempt)
                    .filter(a -> a != null && a.jobId() != null && !a.state().isTerminal())
                    .map(AttemptRecord::jobId).collect(Collectors.toSet());
            int calls = asked.size();
            done = m.step();
            if (!queued.isEmpty()) {
                assertThat(asked).as("one status call per step").hasSize(calls + 1);
                assertThat(asked.get(calls)).as("step %d polls exactly the attempts in the queue", step)
                        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(queued);
                polls++;
            }
        }
        assertThat(done).isTrue();
        assertThat(polls).isGreaterThan(5);
        RunReport end = m.report();
        assertThat(ids).hasSize(120);
        assertThat(end.count(TaskState.COMPLETED)).isEqualTo(300 - 17);
        assertThat(end.count(TaskState.CANCELLED)).isEqualTo(17);   // t1, t8, ..., t113
        assertThat(row(end, "t0").attempt()).isEqualTo(2);   // NODE_FAIL, then COMPLETED
        assertThat(row(end, "t3").attempt()).isEqualTo(2);   // LOST, then COMPLETED
    }

    @Test
    void theReportCountsAtOnceAndMakesItsRowsFromTheRecords() throws IOException {
        InMemoryScheduler s = new InMemoryScheduler(1, 2);
        RunManager m = manager(Bundle.named("rows").add(Job.named("a").command("true"))
                .add(Job.named("b").command("true")).add(Job.named("c").command("true").dependsOn("a")), s).build();
        m.step();
        m.step();
        RunReport r = m.report();
        RunRecord rec = m.record();
        assertThat(r.counts()).containsEntry(TaskState.RUNNING, 1).containsEntry(TaskState.PENDING, 1)
                .containsEntry(TaskState.WAITING, 1);
        assertThat(r.isFinished()).isFalse();
        assertThat(r.rows()).extracting(RunReport.Row::task).containsExactly("a", "b", "c");
        RunReport.Row a = row(r, "a");
        AttemptRecord first = rec.tasks().get(0).lastAttempt();
        assertThat(a.attempt()).isEqualTo(1);
        assertThat(a.jobId()).isEqualTo(first.jobId());
        assertThat(a.jobState()).isEqualTo(JobState.RUNNING);
        assertThat(a.elapsed()).as("the in-memory scheduler's job recorded no start").isNull();
        assertThat(row(r, "c")).isEqualTo(new RunReport.Row("c", 0, "", TaskState.WAITING, null, null, "", null));
        assertThat(r.rows()).isSameAs(r.rows());
        // As a job's wrapper does, with the moment it started as the file's time: the elapsed time is read from it.
        Path started = Files.createDirectories(m.runDirectory().resolveStored(first.attemptDir())).resolve(RunDirectory.STARTED);
        Files.writeString(started, r.at().getEpochSecond() - 7 + " node1 4242\n");
        Instant start = r.at().minusSeconds(7);
        Files.setLastModifiedTime(started, java.nio.file.attribute.FileTime.from(start));
        RunReport running = m.report();
        assertThat(row(running, "a").elapsed()).isEqualTo(Duration.between(start, running.at()));
        RunReport end = drive(m);
        assertThat(end.isSuccess()).isTrue();
        assertThat(row(end, "a").exitCode()).isZero();
        // No exitcode file: to when the manager saw it end.
        assertThat(row(end, "a").elapsed()).isEqualTo(Duration.between(start,
                m.record().tasks().get(0).lastAttempt().ended()));
    }

    @Test
    void aTaskRecordIsReplacedOnlyWhenItsTaskChanged() {
        InMemoryScheduler s = new InMemoryScheduler(1, 5);
        RunManager m = manager(Bundle.named("same").add(Job.named("a").command("true"))
                .add(Job.named("b").command("true")), s).build();
        m.step();
        m.step();   // a RUNNING, b PENDING
        RunRecord before = m.record();
        m.step();   // nothing changes
        RunRecord after = m.record();
        assertThat(after.tasks().get(0)).isSameAs(before.tasks().get(0));
        assertThat(after.tasks().get(1)).isSameAs(before.tasks().get(1));
        assertThat(after.tasks()).isEqualTo(before.tasks());
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> RunManager.of(Bundle.named("x")).maxSimultaneousJobs(0))
                .hasMessageContaining("maxSimultaneousJobs must be at least 1, got 0");
        assertThatThrownBy(() -> RunManager.of(Bundle.named("x")).pollInterval(Duration.ZERO))
                .hasMessageContaining("pollInterval");
        assertThatThrownBy(() -> RetryPolicy.builder().retryOn(JobState.COMPLETED)).hasMessageContaining("COMPLETED");
        assertThatThrownBy(() -> RetryPolicy.builder().withMaxAttempts(0)).hasMessageContaining("got 0");
    }

    @Test
    void reportDoesNotWaitForAStepThatIsSubmitting() throws Exception {
        InMemoryScheduler s = new InMemoryScheduler(10, 1);
        java.util.concurrent.CountDownLatch submitting = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Scheduler slow = new Forwarding(s) {   // its first submit call hangs until released
            @Override
            public String submit(Submission submission) {
                submitting.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.submit(submission);
            }
        };
        RunManager m = RunManager.of(Bundle.named("busy").add(Job.named("a").command("true"))
                .add(Job.named("b").command("true"))).on(slow).runsRoot(tmp.resolve("runs")).build();
        m.runDirectory();   // set up, without stepping
        Thread stepping = new Thread(m::step);
        stepping.start();
        try {
            assertThat(submitting.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            RunReport during = java.util.concurrent.CompletableFuture.supplyAsync(m::report)
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);   // would time out if it waited for the step
            assertThat(during.rows()).hasSize(2);
            assertThat(during.isFinished()).isFalse();
        } finally {
            release.countDown();
            stepping.join(30_000);
        }
        assertThat(drive(m).isSuccess()).isTrue();
    }

    /** Forwards every call to an in-memory scheduler; a test overrides the calls it watches. */
    static class Forwarding implements Scheduler {
        private final InMemoryScheduler s;

        Forwarding(InMemoryScheduler s) {
            this.s = s;
        }

        @Override
        public String name() {
            return s.name();
        }

        @Override
        public Shell shell() {
            return s.shell();
        }

        @Override
        public String render(Submission submission) {
            return s.render(submission);
        }

        @Override
        public String submit(Submission submission) {
            return s.submit(submission);
        }

        @Override
        public java.util.Map<String, JobStatus> status(java.util.Collection<String> ids) {
            return s.status(ids);
        }

        @Override
        public java.util.Optional<String> findByToken(String token) {
            return s.findByToken(token);
        }

        @Override
        public java.util.Map<String, String> findByTokens(java.util.Collection<String> tokens) {
            return s.findByTokens(tokens);
        }

        @Override
        public void cancel(java.util.Collection<String> ids) {
            s.cancel(ids);
        }
    }

    static RunReport.Row row(RunReport r, String task) {
        return r.rows().stream().filter(x -> x.task().equals(task)).findFirst().orElseThrow();
    }
}
