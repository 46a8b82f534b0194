package org.drover.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.scheduler.JobScript;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;

/**
 * The JVM {@link LocaleIndependenceTest} starts under {@code LC_ALL=C}: runs jobs whose arguments,
 * environment values and working directory are not ASCII through a LocalScheduler (with the fork
 * server or with ProcessBuilder), and a SLURM-style wrapper script through bash. The values are
 * built here, from escapes: this JVM could not even read them from its own command line. Each job
 * writes what it received into files of its attempt directory, which the test compares byte for byte.
 *
 * <p>Arguments: the runs root, {@code fork} or {@code pb}, and a working directory that exists
 * (its name is {@link #WORKDIR} under the runs root).
 */
final class LocaleChild {
    /** Latin-1, CJK, a character outside the BMP, and shell characters. */
    static final String VALUE = "caf\u00e9 \u65e5\u672c \ud83c\udf89 \u00ff '\"$x";
    /** The working directory's name under the runs root. */
    static final String WORKDIR = "w\u00e9rk";

    private LocaleChild() {}

    public static void main(String[] args) throws Exception {
        Path runs = Path.of(args[0]);
        boolean fork = args[1].equals("fork");
        String workDir = args[0] + "/" + WORKDIR;   // a String: under LC_ALL=C no Path can hold it
        String record = "printf %s \"$1\" > \"$DROVER_ATTEMPT_DIR/arg\"; printf %s \"$V\" > \"$DROVER_ATTEMPT_DIR/env\"";
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).forkServer(fork).build()) {
            Bundle b = Bundle.named("locale")
                    .add(Job.named("command").command("sh", "-c", record, "sh", VALUE).env("V", VALUE))
                    .add(Job.named("script").script("set -- " + "\"$V\"; " + record).env("V", VALUE))
                    .add(Job.named("workdir").command("sh", "-c", "pwd > \"$DROVER_ATTEMPT_DIR/pwd\"; " + record,
                            "sh", VALUE).env("V", VALUE).workingDir(workDir));
            SubmittedBundle run = Submitter.submit(b, local, runs);
            System.out.println("run " + run.runDirectory().path());
            Map<String, JobStatus> end = run.awaitCompletion(Duration.ofSeconds(30));
            end.forEach((name, s) -> System.out.println("job " + name + " " + s.state() + " " + s.reason()));
            System.out.println("launcher " + (local.forkServerPid().isPresent() ? "fork server" : "ProcessBuilder"));
        }
        // The SLURM wrapper: rendered as text, written as UTF-8 and run by bash as sbatch would.
        LocalShell shell = LocalShell.create();
        Path dir = runs.resolve("wrapped/1").toAbsolutePath();
        String here = "printf %s \"$1\" > arg; printf %s \"$V\" > env";   // it runs in its attempt directory
        Submission s = new Submission(Job.named("wrapped").command("sh", "-c", here, "sh", VALUE).env("V", VALUE),
                "locale", dir, 1, List.of(), "tok1");
        shell.createDirectories(dir);
        shell.writeFile(s.scriptPath(), JobScript.wrapped(List.of(), s).getBytes(StandardCharsets.UTF_8));
        CommandResult r = shell.run(List.of("bash", s.scriptPath().toString()), Duration.ofSeconds(30));
        System.out.println("wrapped exit " + r.exitCode());
    }
}
