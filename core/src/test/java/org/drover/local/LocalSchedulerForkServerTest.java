package org.drover.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fork server that starts local jobs: its lifecycle, and the ProcessBuilder path without it. */
class LocalSchedulerForkServerTest {
    @TempDir
    Path tmp;

    private LocalScheduler local;

    @AfterEach
    void close() {
        if (local != null) {
            local.cancelAll();   // close() alone leaves jobs running, on purpose
            local.close();
        }
    }

    private static List<Long> pids(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::trim).map(Long::parseLong).collect(Collectors.toList());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void closeDetachesAndOnlyCancelStopsTheJobsAndTheForkServer() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path pids = tmp.resolve("pids");
        SubmittedBundle run = Submitter.submit(Bundle.named("orphans")
                .add(Job.named("tree").script("sleep 300 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait"))
                .add(Job.named("stubborn").script("trap '' TERM; echo $$ >> " + pids + "; sleep 300")), local, tmp);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 3);
        OptionalLong server = local.forkServerPid();
        assertThat(server).isPresent();
        List<ProcessHandle> serverTree = ProcessHandle.of(server.getAsLong()).orElseThrow().descendants()
                .collect(Collectors.toList());

        local.close();

        // Detached: the jobs and their fork server go on, and the closed scheduler still answers for them.
        assertThat(pids(pids)).allSatisfy(pid -> assertThat(alive(pid)).as("job pid %d alive", pid).isTrue());
        assertThat(alive(server.getAsLong())).as("fork server alive").isTrue();
        assertThat(run.statuses().values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.RUNNING));

        local.cancelAll();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(pids(pids)).allSatisfy(pid -> assertThat(alive(pid)).as("job pid %d alive", pid).isFalse());
            assertThat(alive(server.getAsLong())).as("fork server alive").isFalse();
            assertThat(serverTree).allSatisfy(h -> assertThat(h.isAlive()).as("pid %d alive", h.pid()).isFalse());
        });
        assertThat(run.statuses().values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.CANCELLED));
    }

    @Test
    void whatAJobLeavesRunningInTheBackgroundEndsWithIt() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path bg = tmp.resolve("bg");
        // A subshell's background child: re-parented to init at once, still in the job's process group.
        SubmittedBundle run = Submitter.submit(Bundle.named("bg")
                .add(Job.named("leaves").script("(sleep 30 & echo $! > " + bg + "); echo done")), local, tmp);
        run.awaitCompletion(Duration.ofSeconds(20));
        assertThat(run.statuses().get("leaves").state()).isEqualTo(JobState.COMPLETED);
        long leftover = Long.parseLong(Files.readString(bg).trim());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(alive(leftover)).as("background sleep %d alive after its job ended", leftover).isFalse());
    }

    @Test
    void aForkServerThatDiesLosesItsJobsKillsThemAndIsReplaced() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path pids = tmp.resolve("pids");
        SubmittedBundle run = Submitter.submit(Bundle.named("lost")
                .add(Job.named("long").script("sleep 300 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait"))
                .add(Job.named("after").command("true").afterAny("long")), local, tmp);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 2);
        long server = local.forkServerPid().orElseThrow();

        ProcessHandle.of(server).orElseThrow().destroyForcibly();

        run.awaitCompletion(Duration.ofSeconds(20));
        Map<String, JobStatus> end = run.statuses();
        assertThat(end.get("long").state()).isEqualTo(JobState.LOST);
        assertThat(end.get("long").reason()).contains("fork server").contains("died");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pids(pids))
                .allSatisfy(pid -> assertThat(alive(pid)).as("job pid %d alive", pid).isFalse()));
        assertThat(end.get("after").state()).isEqualTo(JobState.COMPLETED);   // run by a new fork server
        assertThat(local.forkServerPid()).isPresent().isNotEqualTo(OptionalLong.of(server));
    }

    @Test
    void withoutTheForkServerJobsStartWithProcessBuilderAlike() throws IOException {
        local = LocalScheduler.builder().cpus(1).forkServer(false).build();
        SubmittedBundle run = Submitter.submit(Bundle.named("pb")
                .add(Job.named("ok").command("sh", "-c", "echo $DROVER_JOB_NAME"))
                .add(Job.named("missing").command("no-such-program-drover")), local, tmp);
        run.awaitCompletion(Duration.ofSeconds(20));

        assertThat(local.forkServerPid()).isEmpty();
        assertThat(run.statuses().get("ok").state()).isEqualTo(JobState.COMPLETED);
        assertThat(run.runDirectory().attemptDir("ok", 1).resolve("stdout")).hasContent("ok");
        assertThat(run.statuses().get("missing").state()).isEqualTo(JobState.FAILED);
        assertThat(run.statuses().get("missing").exitCode()).isEqualTo(LocalScheduler.CANNOT_START_EXIT_CODE);
        assertThat(run.statuses().get("missing").reason()).startsWith("cannot start");
    }
}
