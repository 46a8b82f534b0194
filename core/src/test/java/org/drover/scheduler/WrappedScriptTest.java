package org.drover.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.drover.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link JobScript#wrapped} under real bash, as SLURM and PBS run it, and checks its records. */
class WrappedScriptTest {
    @TempDir
    Path tmp;

    private Path attemptDir;

    private Process start(Job job, Path pathFirst) throws IOException {
        attemptDir = Files.createDirectories(tmp.resolve("run/" + job.name() + "/1"));
        Submission s = new Submission(job, "wrapped", attemptDir, 1, List.of(), "tok-1");
        Path script = attemptDir.resolve(RunDirectory.SCRIPT);
        Files.writeString(script, JobScript.wrapped(List.of("#TEST header"), s), StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", script.toString());
        pb.directory(attemptDir.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(attemptDir.resolve(RunDirectory.STDOUT).toFile());
        pb.redirectError(attemptDir.resolve(RunDirectory.STDERR).toFile());
        if (pathFirst != null) {
            pb.environment().put("PATH", pathFirst + File.pathSeparator + System.getenv("PATH"));
        }
        return pb.start();
    }

    private int exit(Process p) throws InterruptedException {
        await().atMost(Duration.ofSeconds(30)).until(() -> !p.isAlive());
        return p.waitFor();
    }

    private List<String> hiddenFiles() throws IOException {
        try (Stream<Path> files = Files.list(attemptDir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).collect(Collectors.toList());
        }
    }

    private String read(String name) throws IOException {
        return Files.readString(attemptDir.resolve(name)).trim();
    }

    /**
     * With {@code ownOutput} the wrapper writes the job's stdout and stderr itself (how PBS jobs
     * run: PBS copies its own files into place only at the end); what the wrapper's caller
     * captures holds none of the job's output. A job that joins both into one file gets both.
     */
    @Test
    void ownOutputWritesTheJobsFilesItself() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run/own/1"));
        Job job = Job.named("own").command("sh", "-c", "echo out; echo err >&2; exit 4");
        Path script = dir.resolve(RunDirectory.SCRIPT);
        Files.writeString(script, JobScript.wrapped(List.of("#PBS -N own"),
                new Submission(job, "wrapped", dir, 1, List.of(), "tok-2"), true), StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", script.toString()).directory(dir.toFile());
        pb.redirectOutput(dir.resolve("scheduler.out").toFile()).redirectError(dir.resolve("scheduler.err").toFile());
        Process p = pb.start();
        attemptDir = dir;
        assertThat(exit(p)).isEqualTo(4);
        assertThat(read(RunDirectory.STDOUT)).isEqualTo("out");
        assertThat(read(RunDirectory.STDERR)).isEqualTo("err");
        assertThat(read("scheduler.out")).isEmpty();
        assertThat(read("scheduler.err")).isEmpty();
        assertThat(RunDirectory.readExitCode(dir)).hasValue(4);

        Path joined = Files.createDirectories(tmp.resolve("run/joined/1"));
        Job both = Job.named("joined").command("sh", "-c", "echo one; echo two >&2; echo three").stdout("all.log")
                .stderr("all.log");
        Files.writeString(joined.resolve(RunDirectory.SCRIPT), JobScript.wrapped(List.of(),
                new Submission(both, "wrapped", joined, 1, List.of(), "tok-3"), true), StandardCharsets.UTF_8);
        Process q = new ProcessBuilder("/bin/bash", joined.resolve(RunDirectory.SCRIPT).toString())
                .directory(joined.toFile()).start();
        assertThat(exit(q)).isZero();
        assertThat(Files.readAllLines(joined.resolve("all.log"))).containsExactly("one", "two", "three");
    }

    @Test
    void recordsStartedAndExitCodeZero() throws Exception {
        Process p = start(Job.named("ok").command("true"), null);
        assertThat(exit(p)).isZero();
        assertThat(read(RunDirectory.STARTED)).matches("\\d+ \\S+ " + p.pid());
        assertThat(read(RunDirectory.EXIT_CODE)).isEqualTo("0");
        assertThat(hiddenFiles()).isEmpty();
    }

    @Test
    void recordsANonZeroExitCode() throws Exception {
        Process p = start(Job.named("three").command("sh", "-c", "exit 3"), null);
        assertThat(exit(p)).isEqualTo(3);
        assertThat(RunDirectory.hasStarted(attemptDir)).isTrue();
        assertThat(RunDirectory.readExitCode(attemptDir)).hasValue(3);
        assertThat(hiddenFiles()).isEmpty();
    }

    /**
     * TERM while {@code started} is being written, i.e. at once after start (SLURM's scancel right
     * after RUNNING): a fake {@code mv} holds the wrapper there until the TERM was sent.
     */
    @Test
    void aTermWhileStartedIsWrittenEndsWith143AnExitCodeFileAndNoJob() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path gate = Files.createDirectories(tmp.resolve("gate"));
        String realMv = Files.exists(Path.of("/bin/mv")) ? "/bin/mv" : "/usr/bin/mv";
        Path fakeMv = bin.resolve("mv");
        Files.writeString(fakeMv, "#!/bin/sh\ntouch '" + gate + "/mv-called'\n"
                + "while [ ! -e '" + gate + "/go' ]; do sleep 0.01; done\nexec " + realMv + " \"$@\"\n");
        Files.setPosixFilePermissions(fakeMv, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ran = tmp.resolve("ran");

        Process p = start(Job.named("early").command("touch", ran.toString()), bin);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(gate.resolve("mv-called")));
        p.destroy();   // TERM to the wrapper only
        Files.createFile(gate.resolve("go"));

        assertThat(exit(p)).isEqualTo(143);
        assertThat(RunDirectory.readExitCode(attemptDir)).hasValue(143);
        assertThat(RunDirectory.hasStarted(attemptDir)).isTrue();
        assertThat(ran).as("the job must not run after a TERM").doesNotExist();
        assertThat(hiddenFiles()).isEmpty();
    }

    /**
     * TERM as soon as the process exists: bash may not have read its traps yet (then it leaves no
     * file at all), but whenever it wrote {@code started} it must also write {@code exitcode} 143,
     * and it never leaves a temporary file.
     */
    @Test
    void aTermAtOnceAfterStartNeverLeavesAStartedJobWithoutExitCode() throws Exception {
        for (int i = 0; i < 20; i++) {
            Process p = start(Job.named("now" + i).command("sleep", "30"), null);
            p.destroy();
            assertThat(exit(p)).isEqualTo(143);
            if (RunDirectory.hasStarted(attemptDir)) {
                assertThat(RunDirectory.readExitCode(attemptDir)).as("round %d", i).hasValue(143);
            }
            assertThat(hiddenFiles()).as("round %d", i).isEmpty();
        }
    }

    @Test
    void forwardsTermToTheRunningJob() throws Exception {
        Process p = start(Job.named("child").script(
                "trap 'echo term > got; exit 7' TERM; touch ready; while :; do sleep 0.02; done"), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(attemptDir.resolve("ready")));
        p.destroy();

        assertThat(exit(p)).isEqualTo(7);
        assertThat(read("got")).isEqualTo("term");
        assertThat(RunDirectory.readExitCode(attemptDir)).hasValue(7);
        assertThat(hiddenFiles()).isEmpty();
    }
}
