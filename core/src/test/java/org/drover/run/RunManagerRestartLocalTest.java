package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.drover.Bundle;
import org.drover.ChildJvm;
import org.drover.Job;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Local jobs outlive their manager and their scheduler, and a later manager re-attaches to them:
 * whatever way the first one ended (SIGKILL of its JVM, an exception through try-with-resources),
 * no task runs twice and none waits for {@code lostAfter}.
 */
class RunManagerRestartLocalTest {
    private static final int JOBS = 3;
    private static final int SECONDS = 8;

    @TempDir
    Path tmp;

    /** The bundle both managers run: each job logs its start with its pid, sleeps, logs its end. */
    static Bundle bundle(Path log, int jobs, int seconds) {
        Bundle b = Bundle.named("restart");
        for (int i = 0; i < jobs; i++) {
            b.add(Job.named("t" + i).script("echo \"start $DROVER_JOB_NAME $$\" >> " + log + "; sleep " + seconds
                    + "; echo \"end $DROVER_JOB_NAME\" >> " + log));
        }
        return b;
    }

    static RunManager.Builder manager(Bundle b, LocalScheduler local, Path store, Path runs) {
        // lostAfter stays at its default (2 min): re-attaching must not depend on it.
        return RunManager.of(b).on(local).store(store).runsRoot(runs).pollInterval(Duration.ofMillis(200));
    }

    /** A manager in its own JVM, to be killed: args are store, runs root, log, jobs, seconds. */
    public static final class ManagerMain {
        public static void main(String[] args) {
            Path store = Path.of(args[0]);
            Path runs = Path.of(args[1]);
            Bundle b = bundle(Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            LocalScheduler local = LocalScheduler.builder().cpus(JOBS).build();
            manager(b, local, store, runs).start().awaitCompletion();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SIGKILL", "SIGTERM"})
    void aManagerKilledWhileItsJobsRunIsSucceededByOneThatReattachesWithoutRunningThemTwice(String signal)
            throws Exception {
        Path store = tmp.resolve("store.json");
        Path runs = tmp.resolve("runs");
        Path log = tmp.resolve("log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process first = new ProcessBuilder(java, "-cp", ChildJvm.classPath(), ManagerMain.class.getName(), store.toString(),
                runs.toString(), log.toString(), Integer.toString(JOBS), Integer.toString(SECONDS))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("first.out").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> starts(log).size() == JOBS
                    && Files.readString(store).split("\"jobId\"", -1).length - 1 == JOBS);
        } finally {
            // SIGKILL: no shutdown hook, no close; SIGTERM: the JVM's orderly exit, still no close.
            if (signal.equals("SIGKILL")) {
                first.destroyForcibly();
            } else {
                first.destroy();
            }
            first.waitFor();
        }
        List<Long> pids = new ArrayList<>();
        starts(log).forEach(line -> pids.add(Long.parseLong(line.split(" ")[2])));
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                .as("job %d outlives its manager", pid).contains(true));

        long restarted = System.nanoTime();
        try (LocalScheduler local = LocalScheduler.builder().cpus(JOBS).build();
             RunManager second = manager(bundle(log, JOBS, SECONDS), local, store, runs).build()) {
            second.step();
            assertThat(second.report().rows()).as("re-attached to the running jobs")
                    .allSatisfy(r -> assertThat(r.state()).isEqualTo(TaskState.RUNNING));
            RunReport end = second.awaitCompletion(Duration.ofSeconds(60));

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(second.record().tasks()).allSatisfy(t -> {
                assertThat(t.attempts()).as(t.toString()).hasSize(1);
                assertThat(t.lastAttempt().exitCode()).isZero();
            });
        }
        assertThat(starts(log)).as("each task started once").hasSize(JOBS);
        assertThat(Files.readAllLines(log).stream().filter(l -> l.startsWith("end "))).hasSize(JOBS);
        // Noticed as the jobs ended, not after lostAfter (2 min).
        assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(Duration.ofSeconds(SECONDS + 20));
    }

    @Test
    void anExceptionThroughTryWithResourcesDetachesAndTheRunResumes() throws Exception {
        Path store = tmp.resolve("store.json");
        Path runs = tmp.resolve("runs");
        Path log = tmp.resolve("log");
        Bundle b = bundle(log, 2, 4);
        List<String> ids = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
                 RunManager run = manager(b, local, store, runs).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> starts(log).size() == 2 && run.report().rows()
                        .stream().allMatch(r -> r.state() == TaskState.RUNNING));
                run.record().tasks().forEach(t -> ids.add(t.lastAttempt().jobId()));
                throw new IllegalStateException("the user's code failed");
            }
        }).hasMessage("the user's code failed");

        // Closing detached: nothing was cancelled, no exit code 143, the jobs run on.
        Path dir = RunDirectory.resolveStored(runs, RunStore.json(store).load().orElseThrow().tasks().get(0).lastAttempt()
                .attemptDir());
        assertThat(dir.resolve(RunDirectory.EXIT_CODE)).doesNotExist();
        assertThat(starts(log)).hasSize(2);

        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
             RunManager again = manager(b, local, store, runs).build()) {
            RunReport end = again.awaitCompletion(Duration.ofSeconds(60));
            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(again.record().tasks()).allSatisfy(t -> {
                assertThat(t.attempts()).hasSize(1);
                assertThat(t.lastAttempt().state()).isEqualTo(JobState.COMPLETED);
            });
            assertThat(again.record().tasks().stream().map(t -> t.lastAttempt().jobId())).containsExactlyElementsOf(ids);
        }
        assertThat(starts(log)).as("each task started once").hasSize(2);
    }

    private static List<String> starts(Path log) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().filter(l -> l.startsWith("start ")).toList();
    }

}
