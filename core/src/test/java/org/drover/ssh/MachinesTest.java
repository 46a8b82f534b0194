package org.drover.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Machines from YAML and JSON files, ~/.ssh/config aliases, the fluent form, and their errors. */
class MachinesTest {
    @TempDir
    Path tmp;

    @Test
    void aYamlFileGivesEveryField() throws Exception {
        Path file = tmp.resolve("machines.yaml");
        Files.writeString(file, String.join("\n",
                "machines:",
                "  cluster:",
                "    host: login.cluster.org",
                "    user: me",
                "    port: 2222",
                "    identity: [/keys/id_ed25519, /keys/id_rsa]",
                "    knownHosts: /keys/known_hosts",
                "    jump: [gateway, admin@bastion.org:2200]",
                "    scheduler: pbs",
                "    runsRoot: /scratch/me/runs",
                "    setup: [\"module load pbs\", \"export X=1\"]",
                "    connectTimeoutSeconds: 5",
                "    keepAliveSeconds: 0",
                "    maxChannels: 4",
                "    residentShells: 3",
                "    agent: /run/agent.sock",
                "    identitiesOnly: true",
                "  gateway:",
                "    host: gateway.cluster.org",
                "    agent: none",
                ""));
        Machines all = Machines.load(file);
        Machine m = all.get("cluster");
        assertThat(m.name()).isEqualTo("cluster");
        assertThat(m.host()).isEqualTo("login.cluster.org");
        assertThat(m.user()).contains("me");
        assertThat(m.port()).isEqualTo(2222);
        assertThat(m.identities()).containsExactly(Path.of("/keys/id_ed25519"), Path.of("/keys/id_rsa"));
        assertThat(m.knownHosts()).contains(Path.of("/keys/known_hosts"));
        assertThat(m.jumps()).extracting(Machine::host).containsExactly("gateway.cluster.org", "bastion.org");
        assertThat(m.jumps().get(1).user()).contains("admin");
        assertThat(m.jumps().get(1).port()).isEqualTo(2200);
        assertThat(m.scheduler()).isEqualTo("pbs");
        assertThat(m.runsRoot()).contains("/scratch/me/runs");
        assertThat(m.setup()).containsExactly("module load pbs", "export X=1");
        assertThat(m.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(m.keepAlive()).isZero();
        assertThat(m.maxChannels()).isEqualTo(4);
        assertThat(m.residentShells()).isEqualTo(3);
        assertThat(all.get("gateway").residentShells()).isEqualTo(4);   // the default
        assertThat(m.agent()).contains(Path.of("/run/agent.sock"));
        assertThat(m.identitiesOnlySet()).isTrue();
        assertThat(all.get("gateway").identitiesOnlySet()).isFalse();
        assertThat(all.get("gateway").agentOff()).isTrue();
        assertThat(all.all().keySet()).containsExactly("cluster", "gateway");
    }

    @Test
    void aJsonFileWorksTheSame() throws Exception {
        Path file = tmp.resolve("machines.json");
        Files.writeString(file, "{\"machines\": {\"c\": {\"host\": \"10.0.0.5\", \"identity\": \"/k\", \"trustOnFirstUse\": true}}}");
        Machine m = Machines.load(file).get("c");
        assertThat(m.host()).isEqualTo("10.0.0.5");
        assertThat(m.identities()).containsExactly(Path.of("/k"));
        assertThat(m.trustsOnFirstUse()).isTrue();
    }

    @Test
    void everyMistakeNamesTheFileTheMachineTheFieldAndTheValue() throws Exception {
        Map<String, String> cases = Map.of(
                "machines:\n  c:\n    host: h\n    port: 70000\n", "machine 'c': port '70000' is not a port (1-65535)",
                "machines:\n  c:\n    host: h\n    port: twenty\n", "machine 'c': field 'port': 'twenty' is not a whole number",
                "machines:\n  c:\n    host: h\n    sheduler: slurm\n", "machine 'c': unknown field 'sheduler'",
                "machines:\n  c:\n    user: me\n", "machine 'c': field 'host' is missing",
                "machines:\n  c:\n    host: h\n    scheduler: lsf\n", "machine 'c': scheduler 'lsf' is not one of slurm, pbs, local",
                "machines:\n  c:\n    host: h\n    runsRoot: runs\n", "machine 'c': runsRoot 'runs' is not an absolute path",
                "machines:\n  a:\n    host: h\n    jump: [b]\n  b:\n    host: g\n    jump: [a]\n", "field 'jump' makes a cycle: a -> b -> a",
                "machines:\n  c:\n    host: bad host\n", "machine 'c': host 'bad host' is not a host name or address",
                "hosts: []\n", "no 'machines:' map at the top",
                "machines:\n  c: [\n", "cannot be parsed");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = tmp.resolve("m" + i++ + ".yaml");
            Files.writeString(file, c.getKey());
            assertThatThrownBy(() -> Machines.load(file)).as(c.getKey()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("machines file " + file)
                    .hasMessageContaining(c.getValue());
        }
        Path tooMany = tmp.resolve("resident.yaml");
        Files.writeString(tooMany, "machines:\n  c:\n    host: h\n    maxChannels: 2\n    residentShells: 3\n");
        assertThatThrownBy(() -> Machines.load(tooMany))
                .hasMessage("machines file " + tooMany + ": machine 'c': residentShells '3' must be from 0 to maxChannels (2)");
        Path ok = tmp.resolve("ok.yaml");
        Files.writeString(ok, "machines:\n  c:\n    host: h\n");
        assertThatThrownBy(() -> Machines.load(ok).get("d")).hasMessageContaining("has no machine 'd' (it has [c])");
    }

    @Test
    void theFluentFormChecksEachValue() {
        assertThatThrownBy(() -> Machine.ssh("h").user("a b")).hasMessage("machine 'h': user 'a b' is not a user name");
        assertThatThrownBy(() -> Machine.ssh("h").maxChannels(0)).hasMessageContaining("maxChannels '0' must be at least 1");
        assertThatThrownBy(() -> Machine.ssh("h").residentShells(9))
                .hasMessage("machine 'h': residentShells '9' must be from 0 to maxChannels (8)");
        assertThatThrownBy(() -> Machine.ssh("h").residentShells(4).maxChannels(3))
                .hasMessage("machine 'h': maxChannels '3' must be at least residentShells (4)");
        assertThat(Machine.ssh("h").residentShells()).isEqualTo(4);   // the default, lowered with the cap if not set
        assertThat(Machine.ssh("h").maxChannels(2).residentShells()).isEqualTo(2);
        assertThat(Machine.ssh("h").maxChannels(2).maxChannels(6).residentShells()).isEqualTo(4);
        assertThat(Machine.ssh("h").residentShells(0).maxChannels(1).residentShells()).isZero();
        assertThatThrownBy(() -> Machine.ssh("h").setup("a\nb")).hasMessageContaining("setup line 'a\nb' must be one");
        assertThatThrownBy(() -> Machine.ssh("")).hasMessageContaining("host '' is not a host name");
        Machine m = Machine.ssh("h").user("u").port(2);
        assertThat(m.port(3).port()).isEqualTo(3);
        assertThat(m.port()).isEqualTo(2);   // immutable
        assertThat(m).hasToString("Machine[u@h:2]");
    }

    @Test
    void anSshConfigAliasFillsWhatTheMachineDoesNotSet() {
        List<String> config = List.of(
                "# comment",
                "Host *.internal !secret.internal",
                "  User ops",
                "Host login",
                "  HostName login.cluster.org",
                "  Port 2201",
                "  IdentityFile ~/.ssh/cluster_key",
                "  IdentityFile /keys/second",
                "  ProxyJump me@gw.org:2222,bastion",
                "  User me",
                "Host *",
                "  User fallback",
                "  Port 22");
        SshConfig.Entry e = SshConfig.lookup(config, "login", "config");
        assertThat(e.hostName()).isEqualTo("login.cluster.org");
        assertThat(e.port()).isEqualTo(2201);   // the first value wins, as in OpenSSH
        assertThat(e.user()).isEqualTo("me");
        assertThat(e.identityFiles()).containsExactly(Path.of(System.getProperty("user.home"), ".ssh/cluster_key"),
                Path.of("/keys/second"));
        assertThat(e.proxyJump()).containsExactly("me@gw.org:2222", "bastion");
        assertThat(SshConfig.lookup(config, "db.internal", "config").user()).isEqualTo("ops");
        assertThat(SshConfig.lookup(config, "secret.internal", "config").user()).isEqualTo("fallback");
        assertThatThrownBy(() -> SshConfig.lookup(List.of("Host x", "Port many"), "x", "cfg"))
                .hasMessage("ssh config cfg: Port 'many' of host 'x' is not a number");

        List<SshConnection.Endpoint> route = SshConnection.route(Machine.ssh("login").sshConfig(write(config))
                .knownHosts(Path.of("/kh")));
        assertThat(route).extracting(SshConnection.Endpoint::describe)
                .containsExactly("me@gw.org:2222", "fallback@bastion", "me@login.cluster.org:2201");   // bastion: Host *
        assertThat(route.get(0).identities()).contains(Path.of("/keys/second"));   // jumps use the same keys
        assertThat(route.get(0).knownHosts()).isEqualTo(Path.of("/kh"));
    }

    @Test
    void theAgentIsTheMachinesElseIdentityAgentElseSshAuthSockAndJumpsFollowTheMachine() {
        Map<String, String> env = Map.of("SSH_AUTH_SOCK", "/tmp/ssh-x/agent.1", "MY_AGENT", "/run/my.sock");
        SshConfig.Entry nothing = new SshConfig.Entry(null, null, null, List.of(), List.of());
        Machine m = Machine.ssh("login");
        assertThat(SshConnection.agentSocket(m, nothing, env)).isEqualTo(Path.of("/tmp/ssh-x/agent.1"));
        assertThat(SshConnection.agentSocket(m, nothing, Map.of())).isNull();   // no agent runs
        assertThat(SshConnection.agentSocket(m, nothing, Map.of("SSH_AUTH_SOCK", " "))).isNull();
        assertThat(SshConnection.agentSocket(m.agent(Path.of("/a.sock")), nothing, env)).isEqualTo(Path.of("/a.sock"));
        assertThat(SshConnection.agentSocket(m.noAgent(), nothing, env)).isNull();
        assertThat(SshConnection.agentSocket(m.noAgent().agent(Path.of("/a.sock")), nothing, env))
                .isEqualTo(Path.of("/a.sock"));   // the last choice holds
        for (String[] c : new String[][] {{"none", null}, {"SSH_AUTH_SOCK", "/tmp/ssh-x/agent.1"},
                {"$MY_AGENT", "/run/my.sock"}, {"$UNSET", null}, {"/run/other.sock", "/run/other.sock"},
                {"~/.agent.sock", System.getProperty("user.home") + "/.agent.sock"},
                {"${MY_AGENT}.d/s", "/run/my.sock.d/s"}, {"%d/a/%u.sock", System.getProperty("user.home") + "/a/"
                        + System.getProperty("user.name") + ".sock"}, {"${UNSET}/agent", null}}) {
            SshConfig.Entry e = SshConfig.lookup(List.of("Host login", "  IdentityAgent " + c[0]), "login", "cfg");
            assertThat(e.identityAgent()).isEqualTo(c[0]);
            assertThat(SshConnection.agentSocket(m, e, env)).as(c[0]).isEqualTo(c[1] == null ? null : Path.of(c[1]));
            assertThat(SshConnection.agentSocket(m.agent(Path.of("/a.sock")), e, env)).isEqualTo(Path.of("/a.sock"));
        }

        Machine viaJump = Machine.ssh("login").knownHosts(Path.of("/kh")).sshConfig(tmp.resolve("none"))
                .jump(Machine.ssh("gw")).jump(Machine.ssh("gw2").agent(Path.of("/gw2.sock")));
        assertThat(SshConnection.route(viaJump.identitiesOnly())).allMatch(SshConnection.Endpoint::identitiesOnly);
        assertThat(SshConnection.route(viaJump)).noneMatch(SshConnection.Endpoint::identitiesOnly);
        Path cfg = write(List.of("Host login", "  IdentitiesOnly yes"));
        assertThat(SshConnection.route(Machine.ssh("login").sshConfig(cfg))).allMatch(SshConnection.Endpoint::identitiesOnly);
        List<SshConnection.Endpoint> off = SshConnection.route(viaJump.noAgent());
        assertThat(off).extracting(SshConnection.Endpoint::agent).containsExactly(null, Path.of("/gw2.sock"), null);
        List<SshConnection.Endpoint> set = SshConnection.route(viaJump.agent(Path.of("/m.sock")));
        assertThat(set).extracting(SshConnection.Endpoint::agent)
                .containsExactly(Path.of("/m.sock"), Path.of("/gw2.sock"), Path.of("/m.sock"));
    }

    private Path write(List<String> lines) {
        try {
            return Files.write(tmp.resolve("ssh_config"), lines, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void recordsReadInOneCommandAreSplitByTheirSizes() {
        List<Path> files = List.of(Path.of("/a/exitcode"), Path.of("/b/exitcode"), Path.of("/c/started"));
        String out = "0 2\n0\n2 13\n1 host 2 \u00e9\nX\n";   // 13 bytes: é is two in UTF-8
        assertThat(SshShell.parseRecords(out, files)).containsOnlyKeys(files.get(0), files.get(2));
        assertThat(new String(SshShell.parseRecords(out, files).get(files.get(2)), StandardCharsets.UTF_8))
                .isEqualTo("1 host 2 \u00e9\nX");
    }
}
