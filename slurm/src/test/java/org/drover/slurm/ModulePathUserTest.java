package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's application that is itself a module ({@code requires org.drover.slurm;}) compiles and runs
 * on the module path with exactly Drover's run-time dependencies: a bundle with dependencies (JGraphT),
 * a RunManager on the LocalScheduler with a JSON store written and read back (Jackson, by reflection
 * into opened packages), a bundle record saved and loaded, and SLF4J logging through a provider.
 * The internal package is not exported to it.
 */
class ModulePathUserTest {
    private static final String MODULE_INFO = """
            module my.study {
                requires org.drover.slurm;
            }
            """;
    private static final String MAIN = """
            package my.study;

            import java.nio.file.Path;
            import java.time.Duration;
            import org.drover.Bundle;
            import org.drover.Job;
            import org.drover.Sweep;
            import org.drover.local.LocalScheduler;
            import org.drover.run.RunManager;
            import org.drover.run.RunReport;
            import org.drover.run.RunStore;
            import org.drover.slurm.SlurmScheduler;

            public class Main {
                public static void main(String[] args) throws Exception {
                    Bundle study = Bundle.named("study")
                            .add(Job.named("report").command("echo", "report").dependsOn("train"))
                            .add(Sweep.of(Job.named("train").command("echo", "lr={lr}")).param("lr", 0.1, 0.01)
                                    .dependsOn("prep"))
                            .add(Job.named("prep").command("echo", "prep").memory("64M"));
                    Path store = Path.of("runs/study.json");
                    RunReport report;
                    try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
                         RunManager run = RunManager.of(study).on(local).store(store)
                                 .pollInterval(Duration.ofMillis(100)).start()) {
                        report = run.awaitCompletion(Duration.ofMinutes(1));
                    }
                    System.out.println(report.summary());
                    System.out.println("store read back: " + RunStore.json(store).load().orElseThrow().tasks().size() + " tasks");
                    Bundle again = Bundle.load(study.save(Path.of("runs")));
                    System.out.println("bundle read back: " + again.size() + " jobs");
                    System.out.println("scheduler class: " + SlurmScheduler.class.getName());
                    Module core = Bundle.class.getModule();
                    System.out.println(core.getName() + " exports org.drover.run: " + core.isExported("org.drover.run", Main.class.getModule()));
                    System.out.println(core.getName() + " exports org.drover.internal: " + core.isExported("org.drover.internal", Main.class.getModule()));
                    System.exit(report.isSuccess() ? 0 : 1);
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void anApplicationModuleRequiringDroverCompilesAndRuns() throws Exception {
        List<String> modulePath = new ArrayList<>();
        modulePath.add(Path.of("target/classes").toAbsolutePath().toString());
        String runtime = Files.readString(Path.of("target/runtime-class-path.txt")).strip();
        modulePath.addAll(Arrays.asList(runtime.split(File.pathSeparator)));
        String provider = Files.readString(Path.of("target/logging-provider.txt")).strip();
        assertThat(provider).contains("slf4j-simple");
        modulePath.add(provider);
        String mp = String.join(File.pathSeparator, modulePath);

        Path src = Files.createDirectories(dir.resolve("src/my/study"));
        Files.writeString(dir.resolve("src/module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("Main.java"), MAIN);
        Path out = dir.resolve("out");
        String javac = run(tool("javac"), "--module-path", mp, "-d", out.toString(),
                dir.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString());
        assertThat(javac).as("javac said").isEmpty();

        Process p = new ProcessBuilder(tool("java"), "--module-path", out + File.pathSeparator + mp,
                "-m", "my.study/my.study.Main")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).as(output)
                .contains("study: 4 of 4 done", "store read back: 4 tasks", "bundle read back: 4 jobs",
                        "scheduler class: org.drover.slurm.SlurmScheduler",
                        "org.drover.core exports org.drover.run: true", "org.drover.core exports org.drover.internal: false")
                .doesNotContain("NoClassDefFoundError", "No SLF4J providers");
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** Runs a JDK tool in the test directory; returns what it printed, and fails if it failed. */
    private String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output.strip();
    }
}
