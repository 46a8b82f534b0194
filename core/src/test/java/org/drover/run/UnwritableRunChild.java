package org.drover.run;

import java.nio.file.Path;
import java.time.Duration;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.local.LocalScheduler;

/**
 * The manager {@link UnwritableRunDirectoryTest} runs in a JVM of its own (without the right to
 * write where permissions forbid it, even as root): job {@code a} waits for a gate file, which the
 * test creates after making the run directory unwritable; {@code b}, which depends on {@code a},
 * then cannot have an attempt directory. Prints one line per task at the end.
 *
 * <p>Arguments: the runs root and the gate file.
 */
final class UnwritableRunChild {
    private UnwritableRunChild() {}

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        String gate = args[1];
        Bundle bundle = Bundle.named("ro")
                .add(Job.named("a").script("while [ ! -e '" + gate + "' ]; do sleep 0.05; done"))
                // afterAny: b is submitted only once a has ended (an afterok dependent would go to the
                // scheduler at once, on a's job id, before the test makes the run directory unwritable).
                .add(Job.named("b").command("true").afterAny("a"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
             RunManager m = RunManager.of(bundle).on(local).runsRoot(root).store(root.resolve("ro.json"))
                     .pollInterval(Duration.ofMillis(100)).start()) {
            RunReport end = m.awaitCompletion(Duration.ofSeconds(30));
            for (RunReport.Row r : end.rows()) {
                System.out.println("task " + r.task() + " " + r.state() + " attempts=" + r.attempt() + " " + r.reason());
            }
        }
    }
}
