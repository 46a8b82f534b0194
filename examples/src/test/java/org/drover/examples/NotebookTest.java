package org.drover.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JShell notebook runs as the README says, with the README's own command, from the clone's root
 * and without a terminal (as in CI: JShell runs examples/notebook.jsh and ends), and prints what it
 * promises: the sweep, its progress, the report table and one task's output read back. That command
 * starts Maven on the reactor, so it needs no {@code mvn install} before it; it is given the outer
 * build's local repository and offline mode.
 */
class NotebookTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** The README's command that starts the notebook (in a ```bash block, not the first one). */
    static String readmeCommand() throws IOException {
        List<String> found = Files.readString(REPO.resolve("README.md")).lines()
                .filter(l -> l.contains("exec:exec@notebook") && l.startsWith("mvn ")).toList();
        assertThat(found).as("README.md lines that start the notebook").hasSize(1);
        return found.get(0).replaceAll("\\s+#.*$", "").trim();
    }

    @Test
    void theReadmesNotebookCommandRunsTheNotebookToTheEnd() throws Exception {
        String command = readmeCommand();
        assertThat(command).isEqualTo("mvn -q -pl examples -am compile exec:exec@notebook");
        List<String> argv = new ArrayList<>(List.of(command.split(" ")));
        argv.set(0, maven());
        argv.add("-B");
        argv.add("-Dmaven.repo.local=" + System.getProperty("drover.maven.repo"));
        if ("offline=true".equals(System.getProperty("drover.maven.offline"))) {
            argv.add("-o");
        }
        Path log = Files.createTempFile("notebook", ".log");
        Process p = new ProcessBuilder(argv).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean ended = p.waitFor(10, TimeUnit.MINUTES);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("the notebook ended within 10 minutes:%n%s", out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out)
                // no snippet failed (JShell goes on after an error, and exits 0)
                .doesNotContain("|  Error", "|  Exception", "|  Caused by", "|  attempted to use")
                // the sweep and its plan
                .contains("Bundle notebook: 6 jobs\n  train_0: ", "BundlePlan notebook: 6 jobs in this order\n  1. train_0")
                // progress lines, from the first to the last
                .containsPattern("\\[  0\\.0s\\] notebook: 0 of 6 done")
                .containsPattern("\\[ *\\d+\\.\\ds\\] notebook: 6 of 6 done \\| \\d+\\.\\d tasks/s, took \\d:\\d\\d")
                // the report table
                .containsPattern("(?m)^notebook: 6 of 6 done\\ntask +params +attempt +job id +state +exit +elapsed +reason\\n")
                .containsPattern("(?m)^train_5 +lr=0\\.01 seed=3 +1 +\\S+ +COMPLETED +0 +0:0\\d$")
                // one task's output read back
                .contains("best: train_3 {lr=0.01, seed=1} scored 0.99\n")
                .containsPattern("TaskResult\\[train_3 \\{lr=0\\.01, seed=1\\} COMPLETED, 1 attempt, last job \\S+ in \\S+/runs/"
                        + "notebook_[0-9-]+/train_3/1, exit 0, elapsed 0:0\\d\\]\\nscore 0\\.9900\\n");
    }

    private static String maven() {
        String home = System.getProperty("drover.maven.home");
        Path mvn = home == null || home.isEmpty() ? null : Path.of(home, "bin", "mvn");
        return mvn != null && Files.isExecutable(mvn) ? mvn.toString() : "mvn";
    }
}
