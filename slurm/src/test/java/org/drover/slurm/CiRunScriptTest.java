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
 * {@code .ci/run}, run in a copy of the repository layout with a fake {@code mvn} and a fake
 * testbed script: the test command stays exactly {@code mvn -B verify -Ptestbed}, and when it
 * fails the testbed's logs are printed and the exit code is kept.
 */
class CiRunScriptTest {
    @TempDir
    Path repo;

    private static Path ciScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve(".ci").resolve("run");
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        throw new AssertionError(".ci/run not found above " + Path.of("").toAbsolutePath());
    }

    private static void executable(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Outcome(int exitCode, String output, String mvnArgs) {}

    private Outcome run(int mvnExitCode) throws IOException, InterruptedException {
        Files.createDirectories(repo.resolve(".ci"));
        Files.copy(ciScript(), repo.resolve(".ci").resolve("run"));
        executable(repo.resolve("slurm/src/test/testbed/slurm-testbed.sh"),
                "#!/usr/bin/env bash\necho \"TESTBED $*\"\n");
        Path bin = repo.resolve("fake-bin");
        executable(bin.resolve("mvn"), "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" > \"" + repo.resolve("mvn-args")
                + "\"\necho 'mvn output'\nexit " + mvnExitCode + "\n");
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", repo.resolve(".ci/run").toString()))
                .redirectErrorStream(true).redirectOutput(repo.resolve("output").toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(".ci/run ended").isTrue();
        return new Outcome(p.exitValue(), Files.readString(repo.resolve("output")),
                Files.readString(repo.resolve("mvn-args")).strip());
    }

    @Test
    void aFailedTestCommandPrintsTheTestbedLogsAndKeepsItsExitCode() throws Exception {
        Outcome o = run(3);

        assertThat(o.mvnArgs()).isEqualTo("-B verify -Ptestbed");
        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(o.output()).contains("mvn output", "TESTBED logs");
        assertThat(o.output().indexOf("TESTBED logs")).isGreaterThan(o.output().indexOf("mvn output"));
    }

    @Test
    void aPassingTestCommandPrintsNoLogs() throws Exception {
        Outcome o = run(0);

        assertThat(o.mvnArgs()).isEqualTo("-B verify -Ptestbed");
        assertThat(o.exitCode()).isZero();
        assertThat(o.output()).contains("mvn output").doesNotContain("TESTBED");
    }
}
