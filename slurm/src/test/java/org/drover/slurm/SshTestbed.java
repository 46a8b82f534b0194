package org.drover.slurm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.ssh.Machine;

/**
 * The real OpenSSH servers of the testbed ({@code src/test/testbed/sshd-testbed.sh}, started by
 * {@code slurm-testbed.sh up}): a target sshd (the cluster's login node, this machine) and a jump
 * host, on 127.0.0.1, with generated keys and a known_hosts file. With
 * {@code -Ddrover.slurm.required=true} (CI) missing servers fail the tests; otherwise they are skipped.
 */
final class SshTestbed {
    static final Path DIR = Path.of("/var/lib/drover-testbed/ssh");
    private static Properties props;

    private SshTestbed() {}

    static void require() {
        if (props == null) {
            Path file = DIR.resolve("testbed.properties");
            if (Files.isRegularFile(file)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                } catch (IOException e) {
                    p = null;
                }
                props = p;
            }
        }
        boolean up = props != null && LocalShell.create().run(List.of("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/"
                + props.getProperty("targetPort") + " && exec 4<>/dev/tcp/127.0.0.1/" + props.getProperty("jumpPort")),
                Duration.ofSeconds(10)).ok();
        if (!up) {
            if (Boolean.getBoolean("drover.slurm.required")) {
                fail("the SSH servers of the testbed are required (drover.slurm.required=true) but do not answer; "
                        + "run slurm/src/test/testbed/slurm-testbed.sh up, logs in /var/log/drover-testbed/sshd-*.log");
            }
            assumeTrue(false, "no SSH testbed here; run with -Ptestbed to start it");
        }
    }

    static int targetPort() {
        return Integer.parseInt(props.getProperty("targetPort"));
    }

    static int jumpPort() {
        return Integer.parseInt(props.getProperty("jumpPort"));
    }

    /**
     * The login node: root with the testbed's ed25519 key, checked against the testbed's
     * known_hosts; no SSH agent (a developer's own agent would otherwise be asked first).
     */
    static Machine target() {
        return Machine.ssh("127.0.0.1").named("testbed").port(targetPort()).user("root")
                .identity(DIR.resolve("client_ed25519")).knownHosts(DIR.resolve("known_hosts"))
                .sshConfig(DIR.resolve("no-such-ssh-config")).noAgent();
    }

    /** The jump host alone. */
    static Machine jump() {
        return Machine.ssh("127.0.0.1").named("jump").port(jumpPort()).user("root")
                .identity(DIR.resolve("client_ed25519")).knownHosts(DIR.resolve("known_hosts"))
                .sshConfig(DIR.resolve("no-such-ssh-config")).noAgent();
    }

    /** The login node reached through the jump host. */
    static Machine viaJump() {
        return target().named("testbed-via-jump").jump(jump());
    }

    /** Stops the login node's sshd and starts it again (connections through it break). */
    static void restartTarget() {
        CommandResult r = LocalShell.create().run(List.of("bash",
                Path.of("src/test/testbed/sshd-testbed.sh").toAbsolutePath().toString(), "restart-target"),
                Duration.ofSeconds(60));
        if (!r.ok()) {
            fail("sshd-testbed.sh restart-target failed: " + r);
        }
    }
}
