package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.drover.ChildJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory that becomes unwritable mid-run, on the real file system: one warning that
 * carries the OS's reason, tries with a backoff, and the task failing after a bounded number of
 * tries with a reason that says why (before: a stack trace at WARNING on every poll, the task
 * WAITING forever).
 *
 * <p>Tests run as root here, and root writes through any permission. So the manager runs in a JVM
 * of its own ({@link UnwritableRunChild}) started by {@code setpriv} without the capabilities that
 * bypass permissions ({@code CAP_DAC_OVERRIDE}, {@code CAP_DAC_READ_SEARCH}): it is still root and
 * owns every file it reads, but a directory with mode {@code r-x} is closed to it, as to any user.
 * Run as another user, the JVM is started directly. ({@code chattr +i} would also stop root, but
 * needs a file system that supports it and gives {@code Operation not permitted}; a read-only bind
 * mount needs mount rights.)
 */
class UnwritableRunDirectoryTest {
    /** How many times an attempt's directory is tried before the task fails (documented). */
    private static final int TRIES = 5;

    @TempDir
    Path tmp;

    @Test
    void aTaskWhoseAttemptDirectoryCannotBeCreatedFailsAfterBoundedTriesWithOneWarning() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("runs"));
        Path gate = tmp.resolve("gate");
        List<String> command = new ArrayList<>();
        if (System.getProperty("user.name").equals("root")) {
            Optional<Path> setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").map(Path::of)
                    .filter(Files::isExecutable).findFirst();
            Assumptions.assumeTrue(setpriv.isPresent(), "as root, the test needs setpriv to drop CAP_DAC_OVERRIDE");
            command.addAll(List.of(setpriv.get().toString(), "--bounding-set=-dac_override,-dac_read_search"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.log.org.drover.run.RunManager=debug", "-cp", ChildJvm.classPath(),
                UnwritableRunChild.class.getName(), root.toString(), gate.toString()));
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> log = read(p.getErrorStream());
        Path runDir = null;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> started(root).isPresent());
            runDir = started(root).orElseThrow();
            Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("r-xr-xr-x"));
            Files.createFile(gate);   // a ends; b's attempt directory <run>/b cannot be created
            assertThat(p.waitFor(45, TimeUnit.SECONDS)).as("the manager ended").isTrue();
        } finally {
            p.destroyForcibly();
            if (runDir != null) {
                Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        String report = out.get(10, TimeUnit.SECONDS);
        String stderr = log.get(10, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(stderr).isZero();

        assertThat(report).contains("task a COMPLETED");
        String b = report.lines().filter(l -> l.startsWith("task b ")).findFirst().orElseThrow();
        assertThat(b).startsWith("task b FAILED attempts=0 cannot prepare attempt 1: cannot create "
                + runDir.resolve("b/1") + ": " + runDir.resolve("b") + ": Permission denied (tried "
                + TRIES + " times)");
        List<String> warnings = stderr.lines().filter(l -> l.contains(" WARN ")).toList();
        assertThat(warnings).as(stderr).hasSize(1);
        assertThat(warnings.get(0)).contains("b: cannot prepare attempt 1").contains("Permission denied")
                .contains("the task fails after " + TRIES + " tries");
        assertThat(stderr.lines().filter(l -> l.contains(" DEBUG ") && l.contains("b: cannot prepare attempt 1")))
                .as("the tries after the first, at DEBUG, each after a longer backoff").hasSize(TRIES - 2)
                .anySatisfy(l -> assertThat(l).contains("try 3 of 5 in 0.2 s"))
                .anySatisfy(l -> assertThat(l).contains("try 5 of 5 in 0.8 s"));
        assertThat(stderr).as("no stack trace at WARN").doesNotContain("\tat org.drover");
    }

    /** The run directory, once job a has started in it. */
    private static Optional<Path> started(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.exists(d.resolve("a/1/started"))).findFirst();
        }
    }

    private static CompletableFuture<String> read(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        });
    }

}
