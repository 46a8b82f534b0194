package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .ci/run}, run in a copy of the repository layout with a fake {@code mvn}, a fake testbed
 * script and a temporary {@code HOME}: it deletes the project's artifacts from the local Maven
 * repository, runs the README's first command (the demo) and requires its final table, then runs
 * exactly the README's test command; when that fails the testbed's logs are printed and the exit
 * code is kept.
 */
class CiRunScriptTest {
    @TempDir
    Path repo;

    static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(".ci").resolve("run"))) {
                return dir;
            }
        }
        throw new AssertionError(".ci/run not found above " + Path.of("").toAbsolutePath());
    }

    private static void executable(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Outcome(int exitCode, String output, List<String> mvnCalls, boolean droverArtifactsLeft) {}

    private Outcome run(int demoExitCode, boolean demoPrintsTable, int testExitCode) throws IOException, InterruptedException {
        Files.createDirectories(repo.resolve(".ci"));
        Files.copy(repoRoot().resolve(".ci/run"), repo.resolve(".ci").resolve("run"));
        Files.copy(repoRoot().resolve("README.md"), repo.resolve("README.md"));
        executable(repo.resolve("slurm/src/test/testbed/slurm-testbed.sh"),
                "#!/usr/bin/env bash\necho \"TESTBED $*\"\n");
        Path home = repo.resolve("home");
        Path artifacts = Files.createDirectories(home.resolve(".m2/repository/org/drover/drover-core"));
        Files.writeString(artifacts.resolve("drover-core-0.1.0-SNAPSHOT.jar"), "stale");
        Path bin = repo.resolve("fake-bin");
        String table = demoPrintsTable
                ? "echo 'task        params           attempt  job id  state      exit  elapsed  reason'\necho 'best: 50.0520 score_0.1_2'\n" : "";
        executable(bin.resolve("mvn"), "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> \"" + repo.resolve("mvn-calls") + "\"\n"
                + "if [[ \"$*\" == *exec:java* ]]; then\necho 'demo output'\n" + table + "exit " + demoExitCode + "\nfi\n"
                + "echo 'mvn output'\nexit " + testExitCode + "\n");
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", repo.resolve(".ci/run").toString()))
                .redirectErrorStream(true).redirectOutput(repo.resolve("output").toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(".ci/run ended").isTrue();
        Path calls = repo.resolve("mvn-calls");
        return new Outcome(p.exitValue(), Files.readString(repo.resolve("output")),
                Files.exists(calls) ? Files.readAllLines(calls) : List.of(),
                Files.exists(home.resolve(".m2/repository/org/drover")));
    }

    @Test
    void runsTheReadmeDemoWithoutTheProjectsArtifactsThenExactlyTheReadmeTestCommand() throws Exception {
        Outcome o = run(0, true, 0);

        assertThat(o.mvnCalls()).containsExactly("-q -B -pl examples -am compile exec:java", "-B verify -Ptestbed");
        assertThat(o.droverArtifactsLeft()).as("~/.m2/repository/org/drover deleted first").isFalse();
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("demo output", "mvn output").doesNotContain("TESTBED");
    }

    @Test
    void aFailedTestCommandPrintsTheTestbedLogsAndKeepsItsExitCode() throws Exception {
        Outcome o = run(0, true, 3);

        assertThat(o.mvnCalls()).hasSize(2);
        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(o.output()).contains("mvn output", "TESTBED logs");
        assertThat(o.output().indexOf("TESTBED logs")).isGreaterThan(o.output().indexOf("mvn output"));
    }

    @Test
    void aDemoThatFailsStopsCiBeforeTheTests() throws Exception {
        Outcome o = run(1, true, 0);

        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.mvnCalls()).containsExactly("-q -B -pl examples -am compile exec:java");
        assertThat(o.output()).contains("the README's first command failed");
    }

    @Test
    void aDemoThatPrintsNoFinalTableFailsCi() throws Exception {
        Outcome o = run(0, false, 0);

        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.mvnCalls()).hasSize(1);
        assertThat(o.output()).contains("did not print the final report table");
    }
}
