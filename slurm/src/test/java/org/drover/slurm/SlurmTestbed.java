package org.drover.slurm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;

/**
 * The real single-node cluster the integration tests run against (started by
 * {@code src/test/testbed/slurm-testbed.sh up}, which {@code mvn verify -Ptestbed} does). With
 * {@code -Ddrover.slurm.required=true} (CI) a missing cluster fails the tests; otherwise they are
 * skipped.
 */
final class SlurmTestbed {
    private static volatile Boolean available;

    private SlurmTestbed() {}

    static void require() {
        if (available == null) {
            CommandResult r;
            try {
                r = LocalShell.create().run(List.of("scontrol", "ping"), Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                r = null;
            }
            available = r != null && r.ok() && r.stdout().contains("UP");
        }
        if (!available) {
            if (Boolean.getBoolean("drover.slurm.required")) {
                fail("the SLURM testbed is required (drover.slurm.required=true) but `scontrol ping` does not answer;"
                        + " run slurm/src/test/testbed/slurm-testbed.sh up, logs in /var/log/drover-testbed/");
            }
            assumeTrue(false, "no SLURM cluster here; run with -Ptestbed to start the testbed");
        }
    }

    /** A fresh runs root on a path every node can see (the single node is this machine). */
    static Path runsRoot(String test) throws java.io.IOException {
        Path root = Path.of("target", "slurm-runs", test).toAbsolutePath();
        Files.createDirectories(root);
        return root;
    }
}
