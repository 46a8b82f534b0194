package org.drover.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.drover.ChildJvm;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Arguments, environment values and working directories reach the program byte for byte (as their
 * UTF-8 encoding) whatever the JVM's locale. Under {@code LC_ALL=C} the JDK encodes the argument
 * list and environment of a new process as ASCII ({@code sun.jnu.encoding}), so anything else
 * became {@code ?}: the test runs a real JVM in that locale ({@link LocaleChild}), with
 * {@code file.encoding} left to its default, and compares the bytes each job wrote.
 */
class LocaleIndependenceTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pb", "fork"})
    void nonAsciiValuesReachTheProgramUnderLcAllC(String launcher) throws IOException, InterruptedException {
        Path runs = tmp.resolve("runs");
        Files.createDirectories(runs.resolve(LocaleChild.WORKDIR));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", ChildJvm.classPath(), LocaleChild.class.getName(),
                runs.toString(), launcher).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();

        // Softly: a failure shows every value that arrived wrong, not only the first.
        SoftAssertions soft = new SoftAssertions();
        byte[] expected = LocaleChild.VALUE.getBytes(StandardCharsets.UTF_8);
        Path run = out.lines().filter(l -> l.startsWith("run ")).findFirst().map(l -> Path.of(l.substring(4)))
                .orElse(tmp.resolve("no-run-printed"));
        for (String job : List.of("command", "script", "workdir")) {
            Path dir = run.resolve(job).resolve("1");
            soft.assertThat(read(dir.resolve("arg"))).as("%s: the argument", job).isEqualTo(expected);
            soft.assertThat(read(dir.resolve("env"))).as("%s: the environment value", job).isEqualTo(expected);
        }
        soft.assertThat(new String(read(run.resolve("workdir/1/pwd")), StandardCharsets.UTF_8).trim())
                .as("workdir: its working directory").isEqualTo(runs.resolve(LocaleChild.WORKDIR).toString());
        Path wrapped = runs.resolve("wrapped/1");
        soft.assertThat(read(wrapped.resolve("arg"))).as("SLURM wrapper: the argument").isEqualTo(expected);
        soft.assertThat(read(wrapped.resolve("env"))).as("SLURM wrapper: the environment value").isEqualTo(expected);
        soft.assertThat(p.exitValue()).as(out).isZero();
        soft.assertThat(out).contains("launcher " + (launcher.equals("fork") ? "fork server" : "ProcessBuilder"))
                .contains("job command COMPLETED").contains("job script COMPLETED").contains("job workdir COMPLETED")
                .contains("wrapped exit 0");
        soft.assertAll();
    }

    private static byte[] read(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllBytes(file) : ("(no file " + file + ")").getBytes(StandardCharsets.UTF_8);
    }

}
