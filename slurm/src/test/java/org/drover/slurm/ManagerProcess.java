package org.drover.slurm;

import java.nio.file.Path;
import java.time.Duration;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.run.RunStore;

/**
 * A RunManager in its own JVM, so a test can kill it with SIGKILL and start it again:
 * {@code ManagerProcess <store> <runsRoot> <bundle> <tasks> <seconds per task>}.
 */
public final class ManagerProcess {
    private ManagerProcess() {}

    public static void main(String[] args) {
        Path store = Path.of(args[0]);
        Path runs = Path.of(args[1]);
        String name = args[2];
        int tasks = Integer.parseInt(args[3]);
        Bundle b = Bundle.named(name);
        for (int i = 0; i < tasks; i++) {
            b.add(Job.named(name + "_t" + i).command("sleep", args[4]));
        }
        try (SlurmScheduler slurm = SlurmScheduler.create()) {
            RunManager run = RunManager.of(b).on(slurm).store(RunStore.json(store)).runsRoot(runs)
                    .maxSimultaneousJobs(2).pollInterval(Duration.ofSeconds(1)).lostAfter(Duration.ofMinutes(2)).start();
            RunReport end = run.awaitCompletion(Duration.ofMinutes(10));
            System.out.println(end);
            System.exit(end.isSuccess() ? 0 : 1);
        }
    }
}
