package org.drover.pbs;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;

/**
 * The real Torque-style commands the integration tests drive: Debian's {@code slurm-wlm-torque}
 * ({@code qsub}, {@code qstat}, {@code qdel}) over the single-node SLURM testbed, both installed and
 * started by {@code slurm/src/test/testbed/slurm-testbed.sh up} (which {@code mvn verify -Ptestbed}
 * runs). With {@code -Ddrover.pbs.required=true} (CI) missing commands fail the tests; otherwise
 * they are skipped.
 */
final class TorqueTestbed {
    private static volatile Boolean available;

    private TorqueTestbed() {}

    static void require() {
        if (available == null) {
            LocalShell shell = LocalShell.create();
            CommandResult ping;
            CommandResult qstat;
            try {
                ping = shell.run(List.of("scontrol", "ping"), Duration.ofSeconds(20));
                qstat = shell.run(List.of("bash", "-c", "command -v qsub && command -v qstat && command -v qdel"),
                        Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                ping = null;
                qstat = null;
            }
            available = ping != null && ping.ok() && ping.stdout().contains("UP") && qstat.ok();
        }
        if (!available) {
            if (Boolean.getBoolean("drover.pbs.required")) {
                fail("the Torque-style testbed is required (drover.pbs.required=true) but `scontrol ping` does not "
                        + "answer or qsub/qstat/qdel are missing; run slurm/src/test/testbed/slurm-testbed.sh up "
                        + "(it installs slurm-wlm-torque), logs in /var/log/drover-testbed/");
            }
            assumeTrue(false, "no Torque-style commands here; run with -Ptestbed to start the testbed");
        }
    }

    /** A fresh runs root on a path every node can see (the single node is this machine). */
    static Path runsRoot(String test) throws IOException {
        Path root = Path.of("target", "pbs-runs", test).toAbsolutePath();
        Files.createDirectories(root);
        return root;
    }

    /** A name unique to this test run, so sacct can count the jobs of one test by name. */
    static String unique(String base) {
        return base + Long.toString(System.currentTimeMillis() % 10_000_000, 36);
    }
}
