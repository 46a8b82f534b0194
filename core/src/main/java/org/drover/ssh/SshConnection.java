package org.drover.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.method.ChallengeResponseProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated connection to a machine, through its jump hosts, made when first needed and
 * made again (with backoff) when it was lost. Sessions and the SFTP channel are opened on it.
 */
final class SshConnection {
    private static final Logger LOG = LoggerFactory.getLogger(SshShell.class);
    /** Waits before the tries of a reconnection: a restarting sshd is back within a few seconds. */
    private static final long[] RECONNECT_WAIT_MS = {0, 250, 500, 1_000, 2_000, 4_000};

    /** A machine with everything resolved: host name, port, user, keys, known_hosts, the agent's socket (or null). */
    record Endpoint(String name, String host, int port, String user, List<Path> identities, Path knownHosts,
                    boolean trustOnFirstUse, Path agent, boolean identitiesOnly, Machine machine) {
        String describe() {
            return user + "@" + host + (port == 22 ? "" : ":" + port);
        }
    }

    private final Machine machine;
    private final List<Endpoint> route;   // jump hosts first, the machine last
    private final List<SSHClient> clients = new ArrayList<>();
    private SFTPClient sftp;
    private int connects;

    SshConnection(Machine machine) {
        this.machine = machine;
        this.route = route(machine);
    }

    List<Endpoint> route() {
        return route;
    }

    /** How many times a connection was made (1 unless it was lost). */
    synchronized int connects() {
        return connects;
    }

    /** Whether the connection is made, authenticated and still up. */
    synchronized boolean isUp() {
        if (clients.isEmpty()) {
            return false;
        }
        SSHClient last = clients.get(clients.size() - 1);
        return last.isConnected() && last.isAuthenticated();
    }

    /** A new session on the connection, connecting first if needed. */
    Session session() {
        IOException last = null;
        for (int attempt = 0; attempt < RECONNECT_WAIT_MS.length; attempt++) {
            sleep(RECONNECT_WAIT_MS[attempt]);
            SSHClient client;
            try {
                client = client();
            } catch (SshException e) {
                if (e.isPermanent() || attempt == RECONNECT_WAIT_MS.length - 1) {
                    throw e;
                }
                last = (IOException) e.getCause();
                continue;
            }
            try {
                return client.startSession();
            } catch (IOException e) {   // the connection died under us: make it again
                last = e;
                drop("session could not be opened: " + e.getMessage());
            }
        }
        throw new SshException("machine '" + machine.name() + "': cannot open a session on " + target().describe()
                + ": " + (last == null ? "unknown" : last.getMessage()), false, last);
    }

    /** The SFTP channel, opened once per connection. */
    synchronized SFTPClient sftp() {
        if (sftp == null) {
            SSHClient client = client();
            try {
                sftp = client.newSFTPClient();
            } catch (IOException e) {
                drop("sftp could not be opened: " + e.getMessage());
                throw new SshException("machine '" + machine.name() + "': cannot open SFTP on " + target().describe()
                        + ": " + e.getMessage(), false, e);
            }
        }
        return sftp;
    }

    /** Forgets the connection (closing what is left of it); the next use makes a new one. */
    synchronized void drop(String why) {
        if (!clients.isEmpty()) {
            LOG.atInfo().log("machine '{}': connection to {} lost ({}); it is made again at the next command",
                    machine.name(), target().describe(), why);
        }
        closeAll();
    }

    synchronized void close() {
        closeAll();
    }

    private void closeAll() {
        if (sftp != null) {
            try {
                sftp.close();
            } catch (IOException | RuntimeException ignored) {
                // closing what is already broken
            }
            sftp = null;
        }
        for (int i = clients.size() - 1; i >= 0; i--) {
            try {
                clients.get(i).disconnect();
            } catch (IOException | RuntimeException ignored) {
                // the same
            }
        }
        clients.clear();
    }

    private Endpoint target() {
        return route.get(route.size() - 1);
    }

    private synchronized SSHClient client() {
        if (!clients.isEmpty()) {
            SSHClient last = clients.get(clients.size() - 1);
            if (last.isConnected() && last.isAuthenticated()) {
                return last;
            }
            closeAll();
        }
        for (Endpoint e : route) {
            SSHClient c = open(e, clients.isEmpty() ? null : clients.get(clients.size() - 1));
            clients.add(c);
        }
        connects++;
        LOG.atDebug().log("machine '{}': connected to {}{}", machine.name(), target().describe(),
                route.size() > 1 ? " through " + route.subList(0, route.size() - 1).stream().map(Endpoint::describe).toList() : "");
        return clients.get(clients.size() - 1);
    }

    private SSHClient open(Endpoint e, SSHClient via) {
        DefaultConfig config = new DefaultConfig();
        if (!machine.keepAlive().isZero()) {
            config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        }
        SSHClient c = new SSHClient(config);
        int timeout = (int) Math.min(Integer.MAX_VALUE, machine.connectTimeout().toMillis());
        c.setConnectTimeout(timeout);
        c.setTimeout(timeout);   // socket reads of the handshake; sessions wait on their own
        KnownHostsVerifier verifier;
        try {
            verifier = new KnownHostsVerifier(e.knownHosts().toFile(), e.name(), e.trustOnFirstUse());
        } catch (IOException ex) {
            closeAll();
            throw new SshException("machine '" + e.name() + "': cannot read known_hosts " + e.knownHosts() + ": "
                    + ex.getMessage(), true, ex);
        }
        c.addHostKeyVerifier(verifier);
        try {
            if (via == null) {
                c.connect(e.host(), e.port());
                // Small request/answer packets: without this, Nagle's algorithm and the server's
                // delayed ACK add ~40 ms to every command.
                c.getSocket().setTcpNoDelay(true);
            } else {
                c.connectVia(via.newDirectConnection(e.host(), e.port()));
            }
        } catch (IOException ex) {
            closeQuietly(c);
            closeAll();
            if (verifier.problem() != null) {
                throw new SshException(verifier.problem(), true, ex);
            }
            throw new SshException("machine '" + e.name() + "': cannot connect to " + e.describe()
                    + (via == null ? "" : " (through the jump host)") + ": " + describe(ex), false, ex);
        }
        c.setTimeout(0);
        if (!machine.keepAlive().isZero()) {
            c.getConnection().getKeepAlive().setKeepAliveInterval((int) Math.max(1, machine.keepAlive().toSeconds()));
        }
        try {
            c.auth(e.user(), methods(c, e));
        } catch (UserAuthException ex) {
            closeQuietly(c);
            closeAll();
            throw new SshException("machine '" + e.name() + "': authentication as " + e.user() + " on " + e.describe()
                    + " failed (keys tried: " + (e.agent() == null ? "" : "the ssh-agent's at " + e.agent() + ", then ")
                    + e.identities().stream().filter(Files::isRegularFile).toList()
                    + (machine.prompter().isPresent() ? ", then keyboard-interactive" : "") + "): " + describe(ex),
                    true, ex);
        } catch (TransportException ex) {
            closeQuietly(c);
            closeAll();
            throw new SshException("machine '" + e.name() + "': connection to " + e.describe()
                    + " lost while authenticating: " + describe(ex), false, ex);
        }
        return c;
    }

    private List<AuthMethod> methods(SSHClient c, Endpoint e) {
        List<AuthMethod> methods = new ArrayList<>(agentMethods(e));
        for (Path key : e.identities()) {
            if (!Files.isRegularFile(key)) {
                continue;
            }
            try {
                KeyProvider provider = machine.passphrase().isPresent()
                        ? c.loadKeys(key.toString(), finder(machine.passphrase().get(), key))
                        : c.loadKeys(key.toString());
                methods.add(new AuthPublickey(provider));
            } catch (IOException ex) {
                LOG.atWarn().log("machine '{}': key {} cannot be read ({}); not used", e.name(), key, ex.getMessage());
            }
        }
        machine.prompter().ifPresent(p -> methods.add(new AuthKeyboardInteractive(responder(p))));
        return methods;
    }

    /**
     * A method per key of the agent, the keys whose public half sits beside an identity file
     * ({@code id_ed25519.pub}) first: a server counts every key offered ({@code MaxAuthTries}).
     * With {@code identitiesOnly} only those. An agent that cannot be reached is skipped.
     */
    private static List<AuthMethod> agentMethods(Endpoint e) {
        if (e.agent() == null) {
            return List.of();
        }
        SshAgent agent = new SshAgent(e.agent());
        List<SshAgent.Key> keys;
        try {
            keys = new ArrayList<>(agent.keys());
        } catch (IOException ex) {
            LOG.atInfo().log("machine '{}': the ssh-agent at {} cannot be used ({}); keys from files only",
                    e.name(), e.agent(), ex.getMessage());
            return List.of();
        }
        Set<String> configured = new HashSet<>();
        for (Path key : e.identities()) {
            publicBlob(key.resolveSibling(key.getFileName() + ".pub")).ifPresent(configured::add);
        }
        if (e.identitiesOnly()) {   // IdentitiesOnly: the agent signs for the identity files' keys only
            keys.removeIf(k -> !configured.contains(Base64.getEncoder().encodeToString(k.blob())));
        }
        keys.sort(Comparator.comparing(k -> !configured.contains(Base64.getEncoder().encodeToString(k.blob()))));
        List<AuthMethod> methods = new ArrayList<>();
        for (SshAgent.Key k : keys) {
            methods.add(new AgentAuth(agent, k));
        }
        return methods;
    }

    /** The key blob (base64, as written) of an OpenSSH public key file: {@code <type> <blob> [comment]}. */
    private static Optional<String> publicBlob(Path pub) {
        try {
            String[] words = Files.readString(pub).strip().split("\\s+");
            return words.length >= 2 ? Optional.of(words[1]) : Optional.empty();
        } catch (IOException | RuntimeException ex) {
            return Optional.empty();
        }
    }

    private static PasswordFinder finder(Machine.Passphrase passphrase, Path key) {
        return new PasswordFinder() {
            @Override
            public char[] reqPassword(Resource<?> resource) {
                return passphrase.of(key);
            }

            @Override
            public boolean shouldRetry(Resource<?> resource) {
                return false;
            }
        };
    }

    private static ChallengeResponseProvider responder(Machine.Prompter prompter) {
        return new ChallengeResponseProvider() {
            @Override
            public List<String> getSubmethods() {
                return List.of();
            }

            @Override
            public void init(Resource resource, String name, String instruction) {}

            @Override
            public char[] getResponse(String prompt, boolean echo) {
                String answer = prompter.answer(prompt, echo);
                return answer == null ? null : answer.toCharArray();
            }

            @Override
            public boolean shouldRetry() {
                return false;
            }
        };
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        Throwable cause = t.getCause();
        return (m == null ? t.getClass().getSimpleName() : m)
                + (cause != null && cause.getMessage() != null && !cause.getMessage().equals(m) ? " (" + cause.getMessage() + ")" : "");
    }

    private static void closeQuietly(SSHClient c) {
        try {
            c.disconnect();
        } catch (IOException | RuntimeException ignored) {
            // nothing to do
        }
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshException("interrupted while reconnecting", false, new java.io.InterruptedIOException());
        }
    }

    // ---- resolution ----

    /** The jump hosts and the machine, each with ~/.ssh/config applied to what it does not set. */
    static List<Endpoint> route(Machine m) {
        Path configFile = m.sshConfig().orElse(Path.of(System.getProperty("user.home"), ".ssh", "config"));
        SshConfig.Entry entry = SshConfig.lookup(configFile, m.host());
        List<Endpoint> route = new ArrayList<>();
        List<Machine> jumps = new ArrayList<>(m.jumps());
        if (!m.jumpsSet()) {
            for (String j : entry.proxyJump()) {
                jumps.add(fromJumpSpec(j.strip(), m));
            }
        }
        List<Path> ownIdentities = new ArrayList<>(m.identities());
        if (ownIdentities.isEmpty()) {
            ownIdentities.addAll(entry.identityFiles());
        }
        for (Machine j : jumps) {
            Machine inherited = j;
            if (j.knownHosts().isEmpty() && m.knownHosts().isPresent()) {
                inherited = inherited.knownHosts(m.knownHosts().get());
            }
            if (j.identities().isEmpty()) {   // as OpenSSH does: the jump is tried with the same keys
                for (Path p : ownIdentities) {
                    inherited = inherited.identity(p);
                }
            }
            if (m.trustsOnFirstUse() && !j.trustsOnFirstUse()) {
                inherited = inherited.trustOnFirstUse();
            }
            if (m.identitiesOnlySet() && !j.identitiesOnlySet()) {
                inherited = inherited.identitiesOnly();
            }
            if (!j.agentOff() && j.agent().isEmpty()) {   // the machine's agent choice holds for its jumps
                if (m.agentOff()) {
                    inherited = inherited.noAgent();
                } else if (m.agent().isPresent()) {
                    inherited = inherited.agent(m.agent().get());
                }
            }
            if (m.sshConfig().isPresent() && j.sshConfig().isEmpty()) {
                inherited = inherited.sshConfig(m.sshConfig().get());
            }
            List<Endpoint> sub = route(inherited);
            route.addAll(sub);
        }
        String host = entry.hostName() != null ? entry.hostName() : m.host();
        int port = m.port() != 0 ? m.port() : entry.port() != null ? entry.port() : 22;
        String user = m.user().orElse(entry.user() != null ? entry.user() : System.getProperty("user.name"));
        List<Path> identities = new ArrayList<>(ownIdentities);
        if (identities.isEmpty()) {
            Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
            for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                identities.add(ssh.resolve(name));
            }
        }
        Path knownHosts = m.knownHosts().orElse(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
        route.add(new Endpoint(m.name(), host, port, user, identities, knownHosts, m.trustsOnFirstUse(),
                agentSocket(m, entry, System.getenv()), m.identitiesOnlySet() || entry.identitiesOnly(), m));
        return route;
    }

    /**
     * The agent's socket for a machine: set on it ({@link Machine#agent}, {@link Machine#noAgent}),
     * else its ssh config's {@code IdentityAgent} ({@code none}, {@code SSH_AUTH_SOCK}, a
     * {@code $VARIABLE}, or a path with {@code ~}, {@code ${VARIABLE}}, {@code %d} (home) and
     * {@code %u} (user) expanded as OpenSSH does), else {@code SSH_AUTH_SOCK}; null for none.
     */
    static Path agentSocket(Machine m, SshConfig.Entry entry, Map<String, String> env) {
        if (m.agentOff()) {
            return null;
        }
        if (m.agent().isPresent()) {
            return m.agent().get();
        }
        String configured = entry.identityAgent();
        if (configured == null || configured.equals("SSH_AUTH_SOCK")) {
            configured = "$SSH_AUTH_SOCK";
        }
        if (configured.equalsIgnoreCase("none")) {
            return null;
        }
        String path = expandAgentPath(configured, env);
        if (path == null || path.isBlank()) {
            if (entry.identityAgent() != null) {
                LOG.atInfo().log("machine '{}': IdentityAgent {} names no socket here (a variable is not set); no ssh-agent",
                        m.name(), entry.identityAgent());
            }
            return null;
        }
        return Path.of(path);
    }

    /** {@code $NAME} alone, or a path with {@code ~/}, {@code ${NAME}}, {@code %d}, {@code %u}, {@code %%}; null if a variable is unset. */
    static String expandAgentPath(String value, Map<String, String> env) {
        if (value.startsWith("$") && !value.startsWith("${")) {
            return env.get(value.substring(1));
        }
        String home = System.getProperty("user.home");
        StringBuilder b = new StringBuilder();
        int i = 0;
        if (value.startsWith("~/")) {
            b.append(home);
            i = 1;
        }
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '{') {
                int close = value.indexOf('}', i);
                if (close < 0) {
                    return null;
                }
                String v = env.get(value.substring(i + 2, close));
                if (v == null) {
                    return null;
                }
                b.append(v);
                i = close + 1;
            } else if (c == '%' && i + 1 < value.length()) {
                char k = value.charAt(i + 1);
                b.append(k == 'd' ? home : k == 'u' ? System.getProperty("user.name") : k == '%' ? "%" : "%" + k);
                i += 2;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    /** A ProxyJump word: {@code [user@]host[:port]}. */
    static Machine fromJumpSpec(String spec, Machine of) {
        String user = null;
        String hostPort = spec;
        int at = spec.lastIndexOf('@');
        if (at >= 0) {
            user = spec.substring(0, at);
            hostPort = spec.substring(at + 1);
        }
        Integer port = null;
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && !hostPort.endsWith("]") && hostPort.indexOf(':') == colon) {
            try {
                port = Integer.valueOf(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("machine '" + of.name() + "': ProxyJump '" + spec + "' has no valid port");
            }
            hostPort = hostPort.substring(0, colon);
        }
        Machine j = Machine.ssh(hostPort);
        if (user != null) {
            j = j.user(user);
        }
        if (port != null) {
            j = j.port(port);
        }
        return j;
    }
}
