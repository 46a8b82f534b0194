package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.ssh.Machine;
import org.drover.ssh.SshException;
import org.drover.ssh.SshShell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SshShell against the testbed's real OpenSSH servers (a login node and a jump host on 127.0.0.1). */
class SshShellIT {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @BeforeAll
    static void servers() {
        SshTestbed.require();
    }

    private static String fingerprintOfTargetHostKey() {
        CommandResult r = LocalShell.create().run(List.of("ssh-keygen", "-lf",
                SshTestbed.DIR.resolve("host_target.pub").toString()), T);
        return r.stdout().split(" ")[1];
    }

    /** The default (resident shells) and a session per command. */
    private static List<Machine> bothModes() {
        return List.of(SshTestbed.target(), SshTestbed.target().named("testbed-sessions").residentShells(0));
    }

    @Test
    void commandsRunOnOneConnectionWithTheirOutputAndExitCodes() {
        for (Machine m : bothModes()) {
          try (SshShell shell = SshShell.open(m)) {
            for (int i = 0; i < 30; i++) {
                CommandResult r = shell.run(List.of("sh", "-c", "echo out $0; echo err >&2; exit 3", "a b'c"), T);
                assertThat(r.exitCode()).isEqualTo(3);
                assertThat(r.stdout()).isEqualTo("out a b'c\n");
                assertThat(r.stderr()).isEqualTo("err\n");
            }
            assertThat(shell.connections()).isEqualTo(1);
            assertThat(shell.describe()).isEqualTo("root@127.0.0.1:" + SshTestbed.targetPort());
          }
        }
    }

    @Test
    void aCommandKilledByASignalHasAnUnknownExitCodeNeverZero() {
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(0))) {
            CommandResult r = shell.run(List.of("sh", "-c", "kill -KILL $$"), T);
            assertThat(r.exitCode()).isNull();
            assertThat(r.ok()).isFalse();
            assertThat(r.stderr()).contains("killed by signal KILL");
        }
        try (SshShell shell = SshShell.open(SshTestbed.target())) {   // resident: what a shell says, as locally
            CommandResult r = shell.run(List.of("sh", "-c", "kill -KILL $$"), T);
            assertThat(r.exitCode()).isEqualTo(128 + 9);
            assertThat(r.ok()).isFalse();
        }
    }

    @Test
    void aHangingCommandTimesOutWithAClearMessage() {
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(0))) {
            long t0 = System.nanoTime();
            CommandResult r = shell.run(List.of("sleep", "60"), Duration.ofSeconds(1));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
            assertThat(r.exitCode()).isNull();
            assertThat(r.stderr()).contains("timed out after PT1S on root@127.0.0.1");
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();   // the connection is still good
        }
    }

    @Test
    void hugeOutputOnBothStreamsDoesNotHang() {
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(0))) {
            CommandResult r = shell.run(List.of("sh", "-c",
                    "head -c 20000000 /dev/zero | tr '\\0' o; head -c 20000000 /dev/zero | tr '\\0' e >&2"), Duration.ofMinutes(2));
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).hasSize(20_000_000);
            assertThat(r.stderr()).hasSize(20_000_000);
        }
    }

    @Test
    void filesAreWrittenWholeUnderATemporaryNameAndReadBackManyInOneCommand() throws Exception {
        Path dir = tmp.resolve("remote/a/b");   // the "remote" machine is this one: check with the local file system
        try (SshShell shell = SshShell.open(SshTestbed.target())) {
            byte[] big = "x".repeat(200_000).getBytes(StandardCharsets.UTF_8);
            shell.writeFile(dir.resolve("script.sh"), big);
            shell.writeRecord(dir.resolve("exitcode"), "0\n".getBytes(StandardCharsets.UTF_8));
            shell.writeRecord(dir.resolve("started"), "1 host 2 é\n".getBytes(StandardCharsets.UTF_8));
            assertThat(Files.readAllBytes(dir.resolve("script.sh"))).isEqualTo(big);
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("script.sh", "exitcode",
                        "started");   // no temporary file left
            }
            assertThat(shell.readFile(dir.resolve("exitcode"))).hasValueSatisfying(b -> assertThat(b).isEqualTo("0\n".getBytes()));
            assertThat(shell.readFile(dir.resolve("missing"))).isEmpty();
            Map<Path, byte[]> many = shell.readFiles(List.of(dir.resolve("exitcode"), dir.resolve("missing"),
                    dir.resolve("started")));
            assertThat(many).containsOnlyKeys(dir.resolve("exitcode"), dir.resolve("started"));
            assertThat(new String(many.get(dir.resolve("started")), StandardCharsets.UTF_8)).isEqualTo("1 host 2 é\n");
            assertThat(shell.connections()).isEqualTo(1);
        }
    }

    @Test
    void filesAndDirectoriesAreStagedInAndOut() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("inputs/sub"));
        Files.writeString(local.resolve("data.csv"), "a,b\n1,2\n");
        Files.writeString(tmp.resolve("inputs/top.txt"), "top");
        Path remote = tmp.resolve("remote-side/inputs");
        try (SshShell shell = SshShell.open(SshTestbed.viaJump())) {
            shell.stageIn(tmp.resolve("inputs"), remote);
            assertThat(remote.resolve("sub/data.csv")).hasContent("a,b\n1,2");
            shell.run(List.of("sh", "-c", "echo result > \"$0\"/result.txt", remote.toString()), T);
            shell.stageOut(remote, tmp.resolve("back"));
            assertThat(tmp.resolve("back/result.txt")).hasContent("result");
            assertThat(tmp.resolve("back/sub/data.csv")).hasContent("a,b\n1,2");
        }
    }

    @Test
    void theJumpHostIsGoneThroughAndVerifiedToo() throws Exception {
        try (SshShell shell = SshShell.open(SshTestbed.viaJump())) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
        }
        // A jump host whose key is unknown is refused like a target.
        Path onlyTarget = tmp.resolve("known_hosts");
        Files.write(onlyTarget, Files.readAllLines(SshTestbed.DIR.resolve("known_hosts")).subList(0, 1));
        Machine m = SshTestbed.target().knownHosts(onlyTarget).jump(SshTestbed.jump().knownHosts(onlyTarget));
        try (SshShell shell = SshShell.open(m)) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("machine 'jump': host [127.0.0.1]:" + SshTestbed.jumpPort() + " is not in");
        }
    }

    @Test
    void aWrongKeyIsAClearAuthenticationError() {
        Machine stranger = Machine.ssh("127.0.0.1").named("testbed").port(SshTestbed.targetPort()).user("root")
                .identity(SshTestbed.DIR.resolve("stranger_ed25519")).knownHosts(SshTestbed.DIR.resolve("known_hosts"))
                .sshConfig(SshTestbed.DIR.resolve("none"));
        try (SshShell shell = SshShell.open(stranger)) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("machine 'testbed': authentication as root on root@127.0.0.1:"
                            + SshTestbed.targetPort() + " failed")
                    .hasMessageContaining("stranger_ed25519")
                    .matches(e -> ((SshException) e).isPermanent());
        }
    }

    @Test
    void rsaEcdsaAndAPassphraseKeyLogIn() {
        for (String key : List.of("client_rsa", "client_ecdsa")) {
            Machine m = Machine.ssh("127.0.0.1").port(SshTestbed.targetPort()).user("root")
                    .identity(SshTestbed.DIR.resolve(key)).knownHosts(SshTestbed.DIR.resolve("known_hosts"))
                    .sshConfig(SshTestbed.DIR.resolve("none"));
            try (SshShell shell = SshShell.open(m)) {
                assertThat(shell.run(List.of("true"), T).ok()).as(key).isTrue();
            }
        }
        List<Path> asked = new ArrayList<>();
        Machine protectedKey = Machine.ssh("127.0.0.1").port(SshTestbed.targetPort()).user("root")
                .identity(SshTestbed.DIR.resolve("client_protected")).knownHosts(SshTestbed.DIR.resolve("known_hosts"))
                .sshConfig(SshTestbed.DIR.resolve("none"))
                .passphrase(file -> {
                    asked.add(file);
                    return "drover".toCharArray();
                });
        try (SshShell shell = SshShell.open(protectedKey)) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
        }
        assertThat(asked).containsExactly(SshTestbed.DIR.resolve("client_protected"));   // asked once: the connection is reused
    }

    @Test
    void anUnknownHostKeyIsRefusedNamingTheHostAndFingerprintUnlessTrustedOnFirstUse() throws Exception {
        Path empty = Files.createFile(tmp.resolve("known_hosts"));
        try (SshShell shell = SshShell.open(SshTestbed.target().knownHosts(empty))) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("machine 'testbed': host [127.0.0.1]:" + SshTestbed.targetPort() + " is not in "
                            + empty)
                    .hasMessageContaining(fingerprintOfTargetHostKey())
                    .matches(e -> ((SshException) e).isPermanent());
        }
        try (SshShell shell = SshShell.open(SshTestbed.target().knownHosts(empty).trustOnFirstUse())) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
        }
        assertThat(Files.readString(empty)).contains("[127.0.0.1]:" + SshTestbed.targetPort() + " ssh-ed25519 ");
        try (SshShell shell = SshShell.open(SshTestbed.target().knownHosts(empty))) {   // now known
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
        }
    }

    @Test
    void aChangedHostKeyIsRefusedEvenWhenTrustingOnFirstUse() throws Exception {
        // The target's address with the jump host's key: what a changed key looks like.
        String jumpKey = Files.readString(SshTestbed.DIR.resolve("host_jump.pub")).split(" ")[1];
        Path changed = tmp.resolve("known_hosts");
        Files.writeString(changed, "[127.0.0.1]:" + SshTestbed.targetPort() + " ssh-ed25519 " + jumpKey + "\n");
        try (SshShell shell = SshShell.open(SshTestbed.target().knownHosts(changed).trustOnFirstUse())) {
            assertThatThrownBy(() -> shell.run(List.of("true"), T)).isInstanceOf(SshException.class)
                    .hasMessageContaining("the host key of [127.0.0.1]:" + SshTestbed.targetPort() + " has CHANGED")
                    .hasMessageContaining(fingerprintOfTargetHostKey());
        }
    }

    @Test
    void anSshConfigAliasGivesHostPortUserKeyAndJump() throws Exception {
        Path config = tmp.resolve("config");
        Files.writeString(config, "Host other\n  User nobody\n\n"
                + "Host tb-login\n  HostName 127.0.0.1\n  Port " + SshTestbed.targetPort() + "\n  User root\n"
                + "  IdentityFile " + SshTestbed.DIR.resolve("client_ed25519") + "\n"
                + "  ProxyJump root@127.0.0.1:" + SshTestbed.jumpPort() + "\n");
        Machine alias = Machine.ssh("tb-login").sshConfig(config).knownHosts(SshTestbed.DIR.resolve("known_hosts"));
        try (SshShell shell = SshShell.open(alias)) {
            CommandResult r = shell.run(List.of("sh", "-c", "echo $SSH_CONNECTION"), T);
            assertThat(r.ok()).as(r.toString()).isTrue();
            assertThat(shell.describe()).isEqualTo("root@127.0.0.1:" + SshTestbed.targetPort());
        }
    }

    @Test
    void aLostConnectionIsMadeAgain() {
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(0))) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
            SshTestbed.restartTarget();
            CommandResult r = shell.run(List.of("echo", "back"), T);
            assertThat(r.stdout()).as(r.toString()).isEqualTo("back\n");
            assertThat(shell.connections()).isEqualTo(2);
        }
    }

    @Test
    void noMoreThanMaxChannelsCommandsRunAtOnce() throws Exception {
        try (SshShell shell = SshShell.open(SshTestbed.target().maxChannels(2).residentShells(0))) {
            assertNeverMoreThanTwoAtOnce(shell, tmp.resolve("running"));
        }
    }

    /** 8 commands at once through the shell, each counting those running beside it: never 3. */
    private static void assertNeverMoreThanTwoAtOnce(SshShell shell, Path counter) throws Exception {
        Files.createDirectories(counter);
        String script = "d=\"$0\"; touch \"$d/$$\"; ls \"$d\" | wc -l; sleep 0.5; rm \"$d/$$\"";
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<CommandResult>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(pool.submit(() -> shell.run(List.of("sh", "-c", script, counter.toString()), T)));
            }
            for (Future<CommandResult> f : all) {
                CommandResult r = f.get();
                assertThat(r.ok()).as(r.toString()).isTrue();
                assertThat(Integer.parseInt(r.stdout().trim())).isBetween(1, 2);   // never 3 at once
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- resident shells: commands sent to shells that stay running ----

    @Test
    void whereAResidentShellCannotStartEveryCommandRunsOnceInASessionOfItsOwn() throws Exception {
        // The testbed authorises client_nostdin with a forced command that gives commands no stdin,
        // as restricted accounts do: a shell that reads its commands from stdin ends at once.
        Machine restricted = Machine.ssh("127.0.0.1").named("restricted").port(SshTestbed.targetPort()).user("root")
                .identity(SshTestbed.DIR.resolve("client_nostdin")).knownHosts(SshTestbed.DIR.resolve("known_hosts"))
                .sshConfig(SshTestbed.DIR.resolve("none")).noAgent();
        Path ran = tmp.resolve("ran");
        try (SshShell shell = SshShell.open(restricted)) {
            assertThat(shell.usesResidentShells()).isTrue();   // until tried
            CommandResult r = shell.run(List.of("sh", "-c", "echo once >> \"$0\"; echo out; exit 3", ran.toString()), T);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("out\n");
            assertThat(shell.usesResidentShells()).isFalse();
            assertThat(shell.run(List.of("echo", "next"), T).stdout()).isEqualTo("next\n");
            assertThat(shell.connections()).isEqualTo(1);
        }
        assertThat(Files.readAllLines(ran)).containsExactly("once");
        try (SshShell shell = SshShell.open(SshTestbed.target())) {   // where it can start, it is used
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
            assertThat(shell.usesResidentShells()).isTrue();
        }
    }

    @Test
    void residentShellsRunEveryCommandWithItsOwnOutputExitCodeAndSetupDoneOnce() throws Exception {
        Path setupRuns = tmp.resolve("setup-runs");
        Machine m = SshTestbed.target().residentShells(2)
                .setup("echo once >> " + setupRuns, "export DROVER_RESIDENT_TEST=set", "echo setup noise; echo noise >&2");
        try (SshShell shell = SshShell.open(m)) {
            for (int i = 0; i < 30; i++) {
                CommandResult r = shell.run(List.of("sh", "-c", "printf 'out %s' \"$0\"; echo err >&2; exit 3", "a b'c\nd"), T);
                assertThat(r.exitCode()).isEqualTo(3);
                assertThat(r.stdout()).isEqualTo("out a b'c\nd");   // no newline added, none taken, no setup noise
                assertThat(r.stderr()).isEqualTo("err\n");
            }
            CommandResult env = shell.run(List.of("sh", "-c", "cd /; exit 0"), T);
            assertThat(env.ok()).isTrue();
            CommandResult after = shell.run(List.of("sh", "-c", "echo $DROVER_RESIDENT_TEST; pwd"), T);
            assertThat(after.stdout()).isEqualTo("set\n/root\n");   // setup's variable; the cd did not stay
            CommandResult killed = shell.run(List.of("sh", "-c", "kill -KILL $$"), T);
            assertThat(killed.exitCode()).isEqualTo(137);   // as a shell reports it, never 0
            assertThat(shell.connections()).isEqualTo(1);
        }
        assertThat(Files.readAllLines(setupRuns)).containsExactly("once");   // one resident shell was enough
    }

    @Test
    @org.junit.jupiter.api.Timeout(90)   // one channel only: the kill must not wait for the channel of what it kills
    void aHangingCommandInAResidentShellTimesOutIsKilledAndTheShellGoesOn() throws Exception {
        Path pidFile = tmp.resolve("hung.pid");
        try (SshShell shell = SshShell.open(SshTestbed.target().maxChannels(1).residentShells(1))) {
            long t0 = System.nanoTime();
            CommandResult r = shell.run(List.of("sh", "-c", "echo $$ > \"$0\"; echo started; sleep 60", pidFile.toString()),
                    Duration.ofSeconds(2));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
            assertThat(r.exitCode()).isNull();
            assertThat(r.stdout()).isEqualTo("started\n");
            assertThat(r.stderr()).contains("timed out after PT2S on root@127.0.0.1").contains("killed");
            String pid = Files.readString(pidFile).strip();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                    !LocalShell.create().run(List.of("kill", "-0", pid), T).ok());   // gone, with its sleep
            CommandResult next = shell.run(List.of("echo", "next"), T);   // the one resident shell again
            assertThat(next.stdout()).as(next.toString()).isEqualTo("next\n");
            assertThat(shell.connections()).isEqualTo(1);
        }
    }

    @Test
    void hugeOutputOnBothStreamsOfAResidentShellDoesNotHang() {
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(1))) {
            for (int round = 0; round < 2; round++) {
                CommandResult r = shell.run(List.of("sh", "-c",
                        "head -c 20000000 /dev/zero | tr '\\0' o; head -c 20000000 /dev/zero | tr '\\0' e >&2"),
                        Duration.ofMinutes(2));
                assertThat(r.exitCode()).isZero();
                assertThat(r.stdout()).hasSize(20_000_000).doesNotContain("e");
                assertThat(r.stderr()).hasSize(20_000_000).doesNotContain("o");
            }
        }
    }

    @Test
    void noMoreThanResidentShellsCommandsRunAtOnce() throws Exception {
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(2))) {
            assertNeverMoreThanTwoAtOnce(shell, tmp.resolve("running-resident"));
            assertThat(shell.connections()).isEqualTo(1);
        }
    }

    @Test
    void aCommandRunningInAResidentShellWhenSshdGoesHasAnUnknownExitAndTheNextOneReconnects() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(1))) {
            assertThat(shell.run(List.of("true"), T).ok()).isTrue();
            Path started = tmp.resolve("started");
            Future<CommandResult> running = pool.submit(() -> shell.run(List.of("sh", "-c", "touch \"$0\"; sleep 8; echo late",
                    started.toString()), T));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(started));
            SshTestbed.restartTarget();
            CommandResult lost = running.get();
            assertThat(lost.exitCode()).as(lost.toString()).isNull();
            assertThat(lost.stderr()).contains("lost while the command ran");
            CommandResult r = shell.run(List.of("echo", "back"), T);
            assertThat(r.stdout()).as(r.toString()).isEqualTo("back\n");
            assertThat(shell.connections()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whatACommandLeavesRunningNeverReachesTheNextCommandAndIsLeftAlone() throws Exception {
        Path done = tmp.resolve("left-running");
        try (SshShell shell = SshShell.open(SshTestbed.target().residentShells(1))) {
            // One process left running writes to the command's output later (it may die of SIGPIPE
            // once its shell is gone), one writes only to a file (it holds the output open, silent).
            CommandResult first = shell.run(List.of("sh", "-c", "(sleep 1; echo late; echo late >&2) & "
                    + "(sleep 1; echo done > \"$0\") & echo now", done.toString()), T);
            assertThat(first.stdout()).isEqualTo("now\n");
            CommandResult second = shell.run(List.of("sh", "-c", "sleep 2; echo second"), T);   // "late" comes meanwhile
            assertThat(second.stdout()).isEqualTo("second\n");
            assertThat(second.stderr()).isEmpty();
            assertThat(done).hasContent("done");   // it was left to run to its end
            assertThat(shell.run(List.of("echo", "third"), T).stdout()).isEqualTo("third\n");
            assertThat(shell.connections()).isEqualTo(1);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(90)
    void anInterruptedCommandIsKilledAndItsResidentShellSlotComesBack() throws Exception {
        Path pidFile = tmp.resolve("interrupted.pid");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SshShell shell = SshShell.open(SshTestbed.target().maxChannels(2).residentShells(1))) {
            Future<CommandResult> running = pool.submit(() -> shell.run(List.of("sh", "-c", "echo $$ > \"$0\"; sleep 60",
                    pidFile.toString()), T));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
            pool.shutdownNow();   // interrupts the waiting thread
            CommandResult r = running.get();
            assertThat(r.exitCode()).isNull();
            assertThat(r.stderr()).contains("interrupted while it ran on root@127.0.0.1");
            String pid = Files.readString(pidFile).strip();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                    !LocalShell.create().run(List.of("kill", "-0", pid), T).ok());   // killed, with its sleep
            for (int i = 0; i < 3; i++) {   // the one slot came back
                assertThat(shell.run(List.of("echo", "again"), T).stdout()).isEqualTo("again\n");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDirectoryRemovedOnTheMachineIsMadeAgainAndARefusedWriteKeepsTheConnection() throws Exception {
        Path dir = tmp.resolve("w");
        try (SshShell shell = SshShell.open(SshTestbed.target())) {
            shell.writeFile(dir.resolve("a.txt"), "a".getBytes(StandardCharsets.UTF_8));
            Files.delete(dir.resolve("a.txt"));
            Files.delete(dir);   // removed behind the shell's back
            shell.writeFile(dir.resolve("b.txt"), "b".getBytes(StandardCharsets.UTF_8));
            assertThat(dir.resolve("b.txt")).hasContent("b");
            Path refused = Path.of("/proc/self/drover-cannot-write-here");
            assertThatThrownBy(() -> shell.writeFile(refused, new byte[] {1})).isInstanceOf(SshException.class)
                    .hasMessageContaining("machine 'testbed': cannot write " + refused);
            assertThatThrownBy(() -> shell.writeFile(Path.of("relative/file"), new byte[] {1}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("machine 'testbed': remote path 'relative/file' must be absolute");
            assertThat(shell.run(List.of("echo", "still"), T).stdout()).isEqualTo("still\n");
            assertThat(shell.connections()).isEqualTo(1);   // a refusal is not a lost connection
        }
    }

    @Test
    void directoriesAreMadeBySftpAndAFailureNamesTheMachineAndPath() throws Exception {
        Path deep = tmp.resolve("made/by/sftp");
        try (SshShell shell = SshShell.open(SshTestbed.target())) {
            shell.createDirectories(deep);
            shell.createDirectories(deep);   // again: nothing to do
            assertThat(deep).isDirectory();
            Files.writeString(tmp.resolve("made/file"), "x");
            assertThatThrownBy(() -> shell.createDirectories(tmp.resolve("made/file/sub")))
                    .isInstanceOf(SshException.class).hasMessageContaining("machine 'testbed': cannot create "
                            + tmp.resolve("made/file/sub"));
        }
    }
}
