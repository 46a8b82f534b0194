package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.ssh.Machine;
import org.drover.ssh.SshException;
import org.drover.ssh.SshShell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logging in with keys held by a real OpenSSH {@code ssh-agent} (started here, keys added with
 * {@code ssh-add}), against the testbed's real sshd: which key the server accepted is read from
 * its log ({@code LogLevel VERBOSE}: "Accepted publickey ... RSA SHA256:...").
 */
class SshAgentIT {
    private static final Duration T = Duration.ofSeconds(30);
    private static final Path SSHD_LOG = Path.of("/var/log/drover-testbed/sshd-target.log");

    @TempDir
    Path tmp;
    private final List<Process> agents = new ArrayList<>();

    @BeforeAll
    static void servers() {
        SshTestbed.require();
    }

    @AfterEach
    void stopAgents() throws InterruptedException {
        for (Process p : agents) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A key the target does not accept, so that only the agent can log in. */
    private static Machine strangerWithAgent(Path socket) {
        return stranger("agent-test", SshTestbed.targetPort()).agent(socket);
    }

    private static Machine stranger(String name, int port) {
        return Machine.ssh("127.0.0.1").named(name).port(port).user("root")
                .identity(SshTestbed.DIR.resolve("stranger_ed25519")).knownHosts(SshTestbed.DIR.resolve("known_hosts"))
                .sshConfig(SshTestbed.DIR.resolve("no-such-ssh-config"));
    }

    @Test
    void anRsaKeyInTheAgentLogsInWithSha512Signatures() throws Exception {
        Path socket = agent("client_rsa");
        long from = Files.size(SSHD_LOG);
        try (SshShell shell = SshShell.open(strangerWithAgent(socket))) {
            CommandResult r = shell.run(List.of("id", "-un"), T);
            assertThat(r.ok()).as(r.message()).isTrue();
            assertThat(r.stdout()).isEqualTo("root\n");
        }
        assertThat(logSince(from)).contains("Accepted publickey for root from 127.0.0.1")
                .contains("RSA " + fingerprint("client_rsa.pub"));
    }

    @Test
    void aPassphraseKeyInTheAgentNeedsNoPassphraseAndTheConnectionIsReused() throws Exception {
        Path socket = agent("client_protected");
        List<Path> asked = new ArrayList<>();
        Machine m = strangerWithAgent(socket).identity(SshTestbed.DIR.resolve("client_protected"))
                .passphrase(file -> {
                    asked.add(file);
                    return "wrong".toCharArray();
                });
        long from = Files.size(SSHD_LOG);
        try (SshShell shell = SshShell.open(m)) {
            for (int i = 0; i < 5; i++) {
                assertThat(shell.run(List.of("true"), T).ok()).isTrue();
            }
            assertThat(shell.connections()).isEqualTo(1);
        }
        assertThat(asked).isEmpty();
        assertThat(logSince(from)).contains("ED25519 " + fingerprint("client_protected.pub"));
    }

    @Test
    void withoutTheAgentTheSameMachineIsRefused() throws Exception {
        Path socket = agent("client_ecdsa");
        try (SshShell shell = SshShell.open(strangerWithAgent(socket))) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();   // ECDSA from the agent
        }
        try (SshShell shell = SshShell.open(strangerWithAgent(socket).noAgent())) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("machine 'agent-test': authentication as root")
                    .hasMessageContaining("stranger_ed25519");
        }
        try (SshShell shell = SshShell.open(strangerWithAgent(tmp.resolve("no-agent-here.sock")))) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("keys tried: the ssh-agent's at " + tmp.resolve("no-agent-here.sock"));
        }
    }

    @Test
    void anAgentWithoutTheRightKeyOrNoAgentAtAllFallsBackToTheKeyFiles() throws Exception {
        Path strangerAgent = agent("stranger_ed25519");
        for (Path socket : List.of(strangerAgent, tmp.resolve("no-agent-here.sock"))) {
            try (SshShell shell = SshShell.open(SshTestbed.target().agent(socket))) {   // client_ed25519 as a file
                CommandResult r = shell.run(List.of("true"), T);
                assertThat(r.ok()).as(socket + ": " + r.message()).isTrue();
            }
        }
    }

    @Test
    void identitiesOnlyOffersOnlyTheAgentKeysOfTheIdentityFiles() throws Exception {
        Path socket = agent("client_rsa");   // authorised, but not the machine's identity
        try (SshShell shell = SshShell.open(strangerWithAgent(socket))) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();   // offered: any agent key
        }
        try (SshShell shell = SshShell.open(strangerWithAgent(socket).identitiesOnly())) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("machine 'agent-test': authentication as root");
        }
        Machine rsaIdentity = strangerWithAgent(socket).identity(SshTestbed.DIR.resolve("client_rsa")).identitiesOnly();
        long from = Files.size(SSHD_LOG);
        try (SshShell shell = SshShell.open(rsaIdentity)) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
        }
        assertThat(logSince(from)).contains("RSA " + fingerprint("client_rsa.pub"));
    }

    @Test
    void theAgentLogsInAtTheJumpHostAndTheTarget() throws Exception {
        Path socket = agent("client_rsa");
        Machine jump = stranger("jump", SshTestbed.jumpPort());
        Machine m = strangerWithAgent(socket).jump(jump);   // the jump follows the machine's agent
        try (SshShell shell = SshShell.open(m)) {
            CommandResult r = shell.run(List.of("hostname"), T);
            assertThat(r.ok()).as(r.message()).isTrue();
        }
        try (SshShell shell = SshShell.open(m.noAgent())) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("machine 'jump': authentication as root");
        }
    }

    /** Starts a real ssh-agent with these testbed keys added; its socket. */
    private Path agent(String... keys) throws IOException, InterruptedException {
        Path socket = tmp.resolve("agent-" + agents.size() + ".sock");
        Process p = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("agent-" + agents.size() + ".log").toFile()).start();
        agents.add(p);
        Awaitility.await("ssh-agent socket").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertThat(p.isAlive()).as("ssh-agent started").isTrue();
                    return Files.exists(socket);
                });
        Path askpass = tmp.resolve("askpass.sh");
        Files.writeString(askpass, "#!/bin/sh\necho drover\n");
        Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
        for (String key : keys) {
            ProcessBuilder add = new ProcessBuilder("ssh-add", SshTestbed.DIR.resolve(key).toString())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            add.environment().put("SSH_AUTH_SOCK", socket.toString());
            add.environment().put("SSH_ASKPASS", askpass.toString());
            add.environment().put("SSH_ASKPASS_REQUIRE", "force");
            Process a = add.start();
            String out = new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(a.waitFor()).as("ssh-add " + key + ": " + out).isZero();
        }
        return socket;
    }

    private static String fingerprint(String pub) {
        CommandResult r = LocalShell.create().run(List.of("ssh-keygen", "-lf", SshTestbed.DIR.resolve(pub).toString()), T);
        return r.stdout().split(" ")[1];
    }

    private static String logSince(long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(SSHD_LOG.toFile(), "r")) {
            f.seek(offset);
            byte[] b = new byte[(int) (f.length() - offset)];
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
