package org.drover.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.drover.Job;
import org.drover.internal.Json;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler.KnownAttempt;
import org.drover.scheduler.Submission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LocalScheduler finds the jobs of an earlier one (as in a JVM started after the first died)
 * from their attempt directories: by id or by token, alive or ended, never mistaking a reused pid.
 */
class LocalSchedulerReattachTest {
    @TempDir
    Path tmp;

    private LocalScheduler first;
    private LocalScheduler second;

    @AfterEach
    void close() {
        for (LocalScheduler s : new LocalScheduler[] {first, second}) {
            if (s != null) {
                s.cancelAll();
                s.close();
            }
        }
    }

    private Submission submission(String name, Job job, String token) throws IOException {
        Path dir = tmp.resolve(name).resolve("1");
        Files.createDirectories(dir);
        Files.write(dir.resolve(RunDirectory.JOB_RECORD), Json.writeBytes(job));   // as a manager writes it
        return new Submission(job, "b", dir, 1, List.of(), token);
    }

    private JobStatus status(LocalScheduler s, String id) {
        return s.status(List.of(id)).get(id);
    }

    @Test
    void aRunningJobIsFoundByIdAndByTokenFollowedToItsEndAndCancellable() throws Exception {
        first = LocalScheduler.builder().cpus(3).build();
        Submission known = submission("known", Job.named("known").command("sleep", "5"), "drvknown");
        Submission unrecorded = submission("unrecorded", Job.named("unrecorded").script("sleep 5; exit 3"), "drvlost");
        Submission victim = submission("victim", Job.named("victim").command("sleep", "60"), "drvvictim");
        String knownId = first.submit(known);
        first.submit(unrecorded);   // its id never reached the store
        String victimId = first.submit(victim);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(known.attemptDir().resolve("started"))
                && Files.exists(unrecorded.attemptDir().resolve("started"))
                && Files.exists(victim.attemptDir().resolve("started")));
        first.close();   // detaches: the jobs go on

        second = LocalScheduler.builder().cpus(1).build();
        assertThat(second.findByTokens(List.of("drvknown", "drvlost"))).as("nothing known before reattach").isEmpty();
        second.reattach(List.of(new KnownAttempt(knownId, "drvknown", known.attemptDir()),
                new KnownAttempt(null, "drvlost", unrecorded.attemptDir()),
                new KnownAttempt(victimId, "drvvictim", victim.attemptDir())));

        String foundId = second.findByToken("drvlost").orElseThrow();
        assertThat(status(second, knownId).state()).isEqualTo(JobState.RUNNING);
        assertThat(status(second, foundId).state()).isEqualTo(JobState.RUNNING);
        assertThat(second.toString()).contains("3 running");

        second.cancel(List.of(victimId));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(status(second, knownId).state()).isEqualTo(JobState.COMPLETED);
            assertThat(status(second, knownId).exitCode()).isZero();
            assertThat(status(second, foundId).state()).isEqualTo(JobState.FAILED);
            assertThat(status(second, foundId).exitCode()).isEqualTo(3);
            assertThat(status(second, victimId).state()).isEqualTo(JobState.CANCELLED);
        });
        // The slots the adopted jobs held are free again: a job needing the second's one cpu runs.
        Submission next = submission("next", Job.named("next").command("true"), "drvnext");
        String nextId = second.submit(next);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(second, nextId).state() == JobState.COMPLETED);
    }

    @Test
    void aJobThatNeverStartedIsAbsentByTokenAndLostById() throws Exception {
        first = LocalScheduler.builder().cpus(1).build();
        Submission blocker = submission("blocker", Job.named("blocker").command("sleep", "60"), "drvblock");
        Submission waiting = submission("waiting", Job.named("waiting").command("true"), "drvwait");
        Submission unrecorded = submission("unrecorded", Job.named("unrecorded").command("true"), "drvnever");
        first.submit(blocker);
        String waitingId = first.submit(waiting);   // waits for the one cpu
        first.submit(unrecorded);
        first.close();   // the waiting jobs never start

        second = LocalScheduler.builder().cpus(1).build();
        second.reattach(List.of(new KnownAttempt(waitingId, "drvwait", waiting.attemptDir()),
                new KnownAttempt(null, "drvnever", unrecorded.attemptDir())));
        assertThat(second.findByTokens(List.of("drvnever"))).as("never ran: submit it again").isEmpty();
        JobStatus lost = status(second, waitingId);
        assertThat(lost.state()).isEqualTo(JobState.LOST);
        assertThat(lost.reason()).contains("never started");
        first.cancelAll();
    }

    @Test
    void aReusedPidIsNotTakenForTheJobAndAGoneJobWithoutExitCodeIsLost() throws Exception {
        Path dir = tmp.resolve("gone/1");
        Files.createDirectories(dir);
        // The pid of a live process (this JVM), but another start time: the job's process is gone.
        long pid = ProcessHandle.current().pid();
        Files.writeString(dir.resolve(RunDirectory.STARTED), "1700000000 host " + pid + " 1\n");
        second = LocalScheduler.builder().cpus(1).build();
        second.reattach(List.of(new KnownAttempt("99.1", "drvgone", dir)));
        JobStatus s = status(second, "99.1");
        assertThat(s.state()).isEqualTo(JobState.LOST);
        assertThat(s.reason()).contains("process " + pid + " ended without an exit code");

        Path ended = tmp.resolve("ended/1");
        Files.createDirectories(ended);
        Files.writeString(ended.resolve(RunDirectory.STARTED), "1700000000 host " + pid + " 1\n");
        Files.writeString(ended.resolve(RunDirectory.EXIT_CODE), "137\n");
        second.reattach(List.of(new KnownAttempt("99.2", "drvended", ended)));
        assertThat(status(second, "99.2").state()).isEqualTo(JobState.FAILED);
        assertThat(status(second, "99.2").exitCode()).isEqualTo(137);
    }

    @Test
    void startedRecordsNameTheProcessAndItsGpus() {
        StartedRecord r = StartedRecord.parse("1700000000 node1 4711 987654 gpus=0,2\n");
        assertThat(r.pid()).isEqualTo(4711);
        assertThat(r.startTicks()).isEqualTo("987654");
        assertThat(r.gpus()).containsExactly(0, 2);
        assertThat(r.line()).isEqualTo("1700000000 node1 4711 987654 gpus=0,2");
        assertThat(StartedRecord.parse("1700000000 node1 4711").startTicks()).isNull();   // a batch wrapper's record
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StartedRecord.parse("soon node1"))
                .hasMessageContaining("'soon node1'");
        assertThat(ProcessIdentity.isAlive(ProcessHandle.current().pid(),
                ProcessIdentity.startTicks(ProcessHandle.current().pid()))).isTrue();
    }
}
