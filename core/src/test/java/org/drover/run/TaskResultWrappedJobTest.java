package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.drover.Job;
import org.drover.scheduler.JobScript;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Submission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job run by the wrapper SLURM and PBS run ({@link JobScript#wrapped}), under real bash: its
 * {@code started} and {@code exitcode} records give the job's own elapsed time, host and signal.
 */
class TaskResultWrappedJobTest {
    @TempDir
    Path tmp;

    @Test
    void aWrappedJobsRecordsGiveItsElapsedTimeHostAndSignal() throws Exception {
        Path runs = tmp.resolve("runs");
        Path dir = Files.createDirectories(runs.resolve("w_1/crash/1"));
        Job job = Job.named("crash").script("sleep 0.05; echo 'out of patience' >&2; kill -9 $$");
        Submission s = new Submission(job, "w", dir, 1, List.of(), "drv1");
        Path script = dir.resolve(RunDirectory.SCRIPT);
        Files.writeString(script, JobScript.wrapped(List.of(), s), StandardCharsets.UTF_8);
        Instant submitted = Instant.now().minusSeconds(30);   // as if it waited in the queue for 30 s
        Process p = new ProcessBuilder("/bin/bash", script.toString()).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve(RunDirectory.STDOUT).toFile())
                .redirectError(dir.resolve(RunDirectory.STDERR).toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);

        // Seen to end 20 s later, by a slow poll: neither the queue time nor the poll's delay counts.
        AttemptRecord a = new AttemptRecord(1, "drv1", "4711", JobState.PENDING, null, "", submitted, null,
                "w_1/crash/1", List.of(), null, null).endedAs(Instant.now().plusSeconds(20), JobState.FAILED,
                "exit code 137", 137);
        TaskResult t = TaskResult.of("w", new TaskRecord("crash", TaskState.FAILED, "FAILED: exit code 137", null,
                List.of(a)), job, runs);

        assertThat(t.elapsed()).hasValueSatisfying(d -> assertThat(d).isLessThan(Duration.ofSeconds(1)));
        assertThat(t.host()).isPresent();
        assertThat(t.signal()).contains("SIGKILL");
        assertThat(t.stderrTail(10)).startsWith("out of patience\n").contains("Killed");   // then bash's own word
        assertThat(t.attemptDir()).contains(dir);
        assertThat(t.toString()).endsWith(", exit 137 (SIGKILL), elapsed 0:00: FAILED: exit code 137]");
    }
}
