package org.drover.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A machine reached over SSH (a cluster's login node): where it is, how to log in and verify it,
 * which scheduler it runs and where runs go there. Immutable: every method returns a new machine.
 * A name that is a {@code Host} alias of the user's {@code ~/.ssh/config} gets that entry's
 * {@code HostName}, {@code User}, {@code Port}, {@code IdentityFile} and {@code ProxyJump} for what
 * is not set here. Machines can also be written once in a file ({@link Machines}).
 *
 * <pre>{@code
 * Machine cluster = Machine.ssh("login.cluster.org").user("me")
 *         .identity(Path.of(System.getProperty("user.home"), ".ssh/id_ed25519"))
 *         .jump(Machine.ssh("gateway.cluster.org"))
 *         .scheduler("slurm").runsRoot("/scratch/me/runs")
 *         .setup("module load slurm");
 * try (SshShell shell = SshShell.open(cluster)) {
 *     System.out.println(shell.run(List.of("squeue", "-h"), Duration.ofSeconds(30)).stdout());
 * }
 * }</pre>
 */
public final class Machine {
    /** Resident shells unless set otherwise (fewer when {@link #maxChannels} is lower). */
    static final int DEFAULT_RESIDENT_SHELLS = 4;

    /** How a key's passphrase is asked for (a console prompt, a secret store). */
    @FunctionalInterface
    public interface Passphrase {
        /**
         * The passphrase of a private key file.
         *
         * @param keyFile the key file
         * @return its passphrase, or null to skip this key
         */
        char[] of(Path keyFile);
    }

    /** Answers keyboard-interactive prompts (a one-time code): asked once per connection. */
    @FunctionalInterface
    public interface Prompter {
        /**
         * The answer to one prompt.
         *
         * @param prompt what the server asks, e.g. {@code Verification code: }
         * @param echo whether the answer may be shown while typed
         * @return the answer, or null to give up
         */
        String answer(String prompt, boolean echo);
    }

    private static final class Draft {
        String name;
        String host;
        int port;
        String user;
        List<Path> identities = new ArrayList<>();
        Path knownHosts;
        List<Machine> jumps = new ArrayList<>();
        boolean jumpsSet;
        boolean trustOnFirstUse;
        Duration connectTimeout = Duration.ofSeconds(20);
        Duration keepAlive = Duration.ofSeconds(30);
        int maxChannels = 8;
        int residentShells = DEFAULT_RESIDENT_SHELLS;
        boolean residentShellsSet;
        String scheduler = "slurm";
        String runsRoot;
        List<String> setup = new ArrayList<>();
        Passphrase passphrase;
        Prompter prompter;
        Path sshConfig;
        /** The agent's socket; null: the ssh config's IdentityAgent or SSH_AUTH_SOCK. */
        Path agent;
        boolean noAgent;
        boolean identitiesOnly;

        Draft copy() {
            Draft d = new Draft();
            d.name = name;
            d.host = host;
            d.port = port;
            d.user = user;
            d.identities = new ArrayList<>(identities);
            d.knownHosts = knownHosts;
            d.jumps = new ArrayList<>(jumps);
            d.jumpsSet = jumpsSet;
            d.trustOnFirstUse = trustOnFirstUse;
            d.connectTimeout = connectTimeout;
            d.keepAlive = keepAlive;
            d.maxChannels = maxChannels;
            d.residentShells = residentShells;
            d.residentShellsSet = residentShellsSet;
            d.scheduler = scheduler;
            d.runsRoot = runsRoot;
            d.setup = new ArrayList<>(setup);
            d.passphrase = passphrase;
            d.prompter = prompter;
            d.sshConfig = sshConfig;
            d.agent = agent;
            d.noAgent = noAgent;
            d.identitiesOnly = identitiesOnly;
            return d;
        }
    }

    private final Draft d;

    private Machine(Draft d) {
        this.d = d;
    }

    /**
     * A machine by host name, address or {@code ~/.ssh/config} alias.
     *
     * @param host e.g. {@code login.cluster.org}, {@code 10.0.0.5} or an alias
     * @return the machine, with defaults: port 22 (or the alias's), the local user name, the
     *     default identities, {@code ~/.ssh/known_hosts}, strict host keys
     * @throws IllegalArgumentException if the host is empty or holds blanks or control characters
     */
    public static Machine ssh(String host) {
        Draft d = new Draft();
        d.host = checkHost("host", host, host);
        d.name = host;
        return new Machine(d);
    }

    private Machine with(Consumer<Draft> change) {
        Draft c = d.copy();
        change.accept(c);
        return new Machine(c);
    }

    static String checkHost(String field, String value, String machine) {
        if (value == null || value.isEmpty() || !value.matches("[A-Za-z0-9._:%\\[\\]-]+")) {
            throw new IllegalArgumentException("machine '" + machine + "': " + field + " '" + value
                    + "' is not a host name or address");
        }
        return value;
    }

    /**
     * The name messages use (default: the host as given).
     *
     * @param name e.g. {@code cluster}
     * @return a copy with this name
     */
    public Machine named(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("machine '" + d.name + "': name must not be empty");
        }
        return with(c -> c.name = name);
    }

    /**
     * The port (default 22, or the {@code ~/.ssh/config} entry's).
     *
     * @param port 1 to 65535
     * @return a copy with this port
     */
    public Machine port(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("machine '" + d.name + "': port '" + port + "' is not a port (1-65535)");
        }
        return with(c -> c.port = port);
    }

    /**
     * The user to log in as (default: the {@code ~/.ssh/config} entry's, else this JVM's user).
     *
     * @param user a user name
     * @return a copy with this user
     */
    public Machine user(String user) {
        if (user == null || !user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("machine '" + d.name + "': user '" + user + "' is not a user name");
        }
        return with(c -> c.user = user);
    }

    /**
     * A private key to log in with (ed25519, RSA or ECDSA, OpenSSH or PEM format); several may be
     * given, tried in order. Default: {@code IdentityFile} of {@code ~/.ssh/config}, else
     * {@code ~/.ssh/id_ed25519}, {@code id_ecdsa}, {@code id_rsa} where they exist.
     *
     * @param keyFile the private key file
     * @return a copy with this key added
     */
    public Machine identity(Path keyFile) {
        Objects.requireNonNull(keyFile, "keyFile");
        return with(c -> c.identities.add(keyFile));
    }

    /**
     * The known_hosts file host keys are checked against (default {@code ~/.ssh/known_hosts}).
     *
     * @param file an OpenSSH known_hosts file
     * @return a copy with this file
     */
    public Machine knownHosts(Path file) {
        Objects.requireNonNull(file, "knownHosts");
        return with(c -> c.knownHosts = file);
    }

    /**
     * A jump host the connection goes through ({@code ProxyJump}); several are gone through in
     * the order given. Each is verified against its own known_hosts like the target.
     *
     * @param jump the jump host
     * @return a copy with this jump host added
     */
    public Machine jump(Machine jump) {
        Objects.requireNonNull(jump, "jump");
        return with(c -> {
            c.jumps.add(jump);
            c.jumpsSet = true;
        });
    }

    /**
     * Accepts the key of a host not yet in known_hosts, adds it there and logs a warning. Off by
     * default: an unknown key is an error. A changed key is always an error.
     *
     * @return a copy that trusts new hosts on first use
     */
    public Machine trustOnFirstUse() {
        return with(c -> c.trustOnFirstUse = true);
    }

    /**
     * How long connecting and authenticating may take (default 20 s).
     *
     * @param timeout a positive duration
     * @return a copy with this timeout
     */
    public Machine connectTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("machine '" + d.name + "': connectTimeout '" + timeout + "' must be positive");
        }
        return with(c -> c.connectTimeout = timeout);
    }

    /**
     * How often an idle connection sends a keep-alive (default 30 s; zero: never).
     *
     * @param interval zero or a positive duration
     * @return a copy with this interval
     */
    public Machine keepAlive(Duration interval) {
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("machine '" + d.name + "': keepAlive '" + interval + "' must not be negative");
        }
        return with(c -> c.keepAlive = interval);
    }

    /**
     * The most commands (channels) open at once on the connection (default 8; OpenSSH's
     * {@code MaxSessions} is 10); more wait.
     *
     * @param channels 1 or more
     * @return a copy with this cap
     */
    public Machine maxChannels(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("machine '" + d.name + "': maxChannels '" + channels + "' must be at least 1");
        }
        if (channels < d.residentShells && d.residentShellsSet) {
            throw new IllegalArgumentException("machine '" + d.name + "': maxChannels '" + channels
                    + "' must be at least residentShells (" + d.residentShells + ")");
        }
        return with(c -> {
            c.maxChannels = channels;
            if (!c.residentShellsSet) {
                c.residentShells = Math.min(DEFAULT_RESIDENT_SHELLS, channels);
            }
        });
    }

    /**
     * Runs commands in up to {@code shells} shells that stay running on the machine, one session
     * each (default 4, or {@link #maxChannels} if lower); 0: a new SSH session, and the user's
     * login shell, for every command. A command in a resident shell costs a fork on the machine
     * instead of a session and a shell: on the testbed a status poll took 13–15 ms this way against
     * 20–22 ms with a session each (the same {@code squeue} run locally: 12–14 ms), and the setup
     * lines run once per resident shell instead of before every command. Each resident shell is a
     * session on the connection, counted in the server's {@code MaxSessions} (OpenSSH: 10) with
     * the SFTP channel. Differences from a session each: a command killed by a signal reports the
     * status a shell gives it (128 + the signal, as a local process does) instead of an unknown
     * one; a command that times out is killed with its process group and children; the first word must be a program, not a shell builtin
     * (it is run with {@code exec}); processes a command leaves running are left alone, and its
     * shell is retired. The shells run in bash: where one cannot start (no bash, a restricted
     * account), the connection goes on with a session per command, with a warning in the log.
     *
     * <pre>{@code
     * Machine cluster = Machine.ssh("login.cluster.org").user("me").residentShells(0);   // a session each
     * }</pre>
     *
     * @param shells 0 (off) to {@link #maxChannels}
     * @return a copy with this many resident shells at most
     */
    public Machine residentShells(int shells) {
        if (shells < 0 || shells > d.maxChannels) {
            throw new IllegalArgumentException("machine '" + d.name + "': residentShells '" + shells
                    + "' must be from 0 to maxChannels (" + d.maxChannels + ")");
        }
        return with(c -> {
            c.residentShells = shells;
            c.residentShellsSet = true;
        });
    }

    /**
     * The scheduler the machine runs: {@code slurm} (default), {@code pbs} or {@code local}.
     *
     * @param kind the scheduler kind
     * @return a copy with this scheduler
     */
    public Machine scheduler(String kind) {
        if (!List.of("slurm", "pbs", "local").contains(kind)) {
            throw new IllegalArgumentException("machine '" + d.name + "': scheduler '" + kind
                    + "' is not one of slurm, pbs, local");
        }
        return with(c -> c.scheduler = kind);
    }

    /**
     * Where runs go on the machine (an absolute path there, on a file system its compute nodes share).
     *
     * @param path an absolute path on the machine
     * @return a copy with this runs root
     */
    public Machine runsRoot(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("machine '" + d.name + "': runsRoot '" + path + "' is not an absolute path");
        }
        return with(c -> c.runsRoot = path);
    }

    /**
     * Shell lines run before every command on the machine, e.g. {@code module load slurm}.
     *
     * @param lines the lines, in order
     * @return a copy with these lines added
     */
    public Machine setup(String... lines) {
        for (String line : lines) {
            if (line == null || line.isBlank() || line.contains("\n") || line.contains("\r")) {
                throw new IllegalArgumentException("machine '" + d.name + "': setup line '" + line
                        + "' must be one non-empty line");
            }
        }
        return with(c -> c.setup.addAll(List.of(lines)));
    }

    /**
     * Where a key's passphrase comes from (default: keys without a passphrase only).
     *
     * @param passphrase the callback
     * @return a copy with this callback
     */
    public Machine passphrase(Passphrase passphrase) {
        Objects.requireNonNull(passphrase, "passphrase");
        return with(c -> c.passphrase = passphrase);
    }

    /**
     * Answers keyboard-interactive prompts (one-time codes), tried after the keys. The connection
     * is kept and reused, so a user answers once.
     *
     * @param prompter the callback
     * @return a copy with this callback
     */
    public Machine keyboardInteractive(Prompter prompter) {
        Objects.requireNonNull(prompter, "prompter");
        return with(c -> c.prompter = prompter);
    }

    /**
     * The SSH agent whose keys are tried first (before the identity files), at this socket.
     * Default: the {@code IdentityAgent} of {@code ~/.ssh/config}, else the agent of
     * {@code SSH_AUTH_SOCK} where one runs. A key held by the agent needs no passphrase here;
     * an agent that cannot be reached is skipped with a note in the log.
     *
     * <pre>{@code
     * Machine cluster = Machine.ssh("login.cluster.org").agent(Path.of("/run/user/1000/ssh-agent.socket"));
     * }</pre>
     *
     * @param socket the agent's Unix socket
     * @return a copy using this agent
     */
    public Machine agent(Path socket) {
        Objects.requireNonNull(socket, "agent");
        return with(c -> {
            c.agent = socket;
            c.noAgent = false;
        });
    }

    /**
     * Offers the server only the identity files' keys ({@code IdentitiesOnly yes}): of the agent's
     * keys, only those whose public half lies beside an identity file ({@code id_ed25519.pub}).
     * For an agent holding more keys than the server lets a client try ({@code MaxAuthTries},
     * OpenSSH: 6), which would otherwise end the login before the right key came.
     *
     * @return a copy offering only the identity files' keys
     */
    public Machine identitiesOnly() {
        return with(c -> c.identitiesOnly = true);
    }

    /**
     * Never asks an SSH agent, even where {@code SSH_AUTH_SOCK} names one ({@code IdentityAgent none}).
     *
     * @return a copy that uses only identity files and keyboard-interactive
     */
    public Machine noAgent() {
        return with(c -> {
            c.agent = null;
            c.noAgent = true;
        });
    }

    /**
     * The ssh config file whose {@code Host} entries fill what is not set (default
     * {@code ~/.ssh/config}, if it exists).
     *
     * @param file an OpenSSH client config file
     * @return a copy reading this file
     */
    public Machine sshConfig(Path file) {
        Objects.requireNonNull(file, "sshConfig");
        return with(c -> c.sshConfig = file);
    }

    /**
     * The name messages use.
     *
     * @return the name
     */
    public String name() {
        return d.name;
    }

    /**
     * The host as given (perhaps an alias).
     *
     * @return the host
     */
    public String host() {
        return d.host;
    }

    /**
     * The port set here, or 0 if not set.
     *
     * @return the port set here, or 0
     */
    public int port() {
        return d.port;
    }

    /**
     * The user set here.
     *
     * @return the user set here, if any
     */
    public Optional<String> user() {
        return Optional.ofNullable(d.user);
    }

    /**
     * The identity files set here.
     *
     * @return the identity files set here
     */
    public List<Path> identities() {
        return List.copyOf(d.identities);
    }

    /**
     * The known_hosts file set here.
     *
     * @return the known_hosts file set here, if any
     */
    public Optional<Path> knownHosts() {
        return Optional.ofNullable(d.knownHosts);
    }

    /**
     * The jump hosts set here, in order.
     *
     * @return the jump hosts
     */
    public List<Machine> jumps() {
        return List.copyOf(d.jumps);
    }

    /**
     * Whether unknown host keys are accepted on first use.
     *
     * @return whether unknown host keys are accepted on first use
     */
    public boolean trustsOnFirstUse() {
        return d.trustOnFirstUse;
    }

    /**
     * The connect timeout.
     *
     * @return the connect timeout
     */
    public Duration connectTimeout() {
        return d.connectTimeout;
    }

    /**
     * The keep-alive interval (zero: none).
     *
     * @return the keep-alive interval
     */
    public Duration keepAlive() {
        return d.keepAlive;
    }

    /**
     * The cap on concurrent channels.
     *
     * @return the cap on concurrent channels
     */
    public int maxChannels() {
        return d.maxChannels;
    }

    /**
     * How many resident shells may run commands at once (0: a session per command; default 4).
     *
     * @return the number of resident shells, 0 when off
     */
    public int residentShells() {
        return d.residentShells;
    }

    /**
     * The scheduler kind: {@code slurm}, {@code pbs} or {@code local}.
     *
     * @return the scheduler kind
     */
    public String scheduler() {
        return d.scheduler;
    }

    /**
     * The runs root on the machine.
     *
     * @return the runs root, if set
     */
    public Optional<String> runsRoot() {
        return Optional.ofNullable(d.runsRoot);
    }

    /**
     * The setup lines.
     *
     * @return the setup lines
     */
    public List<String> setup() {
        return List.copyOf(d.setup);
    }

    Optional<Passphrase> passphrase() {
        return Optional.ofNullable(d.passphrase);
    }

    Optional<Prompter> prompter() {
        return Optional.ofNullable(d.prompter);
    }

    Optional<Path> sshConfig() {
        return Optional.ofNullable(d.sshConfig);
    }

    /** The agent set here, if any. */
    Optional<Path> agent() {
        return Optional.ofNullable(d.agent);
    }

    /** Whether {@link #identitiesOnly()} was set. */
    boolean identitiesOnlySet() {
        return d.identitiesOnly;
    }

    /** Whether {@link #noAgent()} was set. */
    boolean agentOff() {
        return d.noAgent;
    }

    boolean jumpsSet() {
        return d.jumpsSet;
    }

    /** {@code user@host:port} as far as set here, e.g. {@code me@login.cluster.org}. */
    @Override
    public String toString() {
        return "Machine[" + (d.name.equals(d.host) ? "" : d.name + " = ") + (d.user == null ? "" : d.user + "@")
                + d.host + (d.port == 0 ? "" : ":" + d.port)
                + (d.jumps.isEmpty() ? "" : " via " + d.jumps.stream().map(Machine::host).toList()) + "]";
    }
}
