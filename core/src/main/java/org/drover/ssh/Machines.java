package org.drover.ssh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Machines written once in a file, YAML ({@code .yaml}, {@code .yml}) or JSON, by name. The
 * default file is {@code ~/.config/drover/machines.yaml} (or {@code machines.json}). Every field
 * but {@code host} may be left out; {@code jump} names other machines of the file or gives
 * {@code [user@]host[:port]}. A mistake is an error naming the file, the machine, the field and
 * the value.
 *
 * <pre>{@code
 * # ~/.config/drover/machines.yaml
 * machines:
 *   cluster:
 *     host: login.cluster.org
 *     user: me
 *     port: 22
 *     identity: [~/.ssh/id_ed25519]
 *     knownHosts: ~/.ssh/known_hosts
 *     agent: none                 # or the agent's socket; default: SSH_AUTH_SOCK
 *     jump: [gateway]
 *     scheduler: slurm            # slurm, pbs or local
 *     runsRoot: /scratch/me/runs
 *     setup: ["module load slurm"]
 *     residentShells: 4         # commands in shells that stay running (0: a session each)
 *   gateway:
 *     host: gateway.cluster.org
 * }</pre>
 *
 * <pre>{@code
 * Machine cluster = Machines.load().get("cluster");
 * }</pre>
 */
public final class Machines {
    private static final Set<String> FIELDS = Set.of("host", "port", "user", "identity", "knownHosts", "jump",
            "trustOnFirstUse", "connectTimeoutSeconds", "keepAliveSeconds", "maxChannels", "residentShells", "scheduler", "runsRoot",
            "setup", "sshConfig", "agent", "identitiesOnly");
    private final Path file;
    private final Map<String, Machine> machines;

    private Machines(Path file, Map<String, Machine> machines) {
        this.file = file;
        this.machines = machines;
    }

    /**
     * The default file: {@code ~/.config/drover/machines.yaml}, else {@code machines.json} there.
     *
     * @return the machines of the default file
     * @throws IllegalArgumentException if neither exists, or the file has a mistake
     */
    public static Machines load() {
        Path dir = Path.of(System.getProperty("user.home"), ".config", "drover");
        for (String name : List.of("machines.yaml", "machines.yml", "machines.json")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return load(dir.resolve(name));
            }
        }
        throw new IllegalArgumentException("no machines file: write " + dir.resolve("machines.yaml")
                + " (see Machines), or give one to Machines.load(Path)");
    }

    /**
     * The machines of a file.
     *
     * @param file a YAML or JSON machines file
     * @return its machines
     * @throws IllegalArgumentException naming the file, machine, field and value of a mistake
     * @throws UncheckedIOException if the file cannot be read
     */
    public static Machines load(Path file) {
        String name = file.getFileName().toString();
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory())
                : new ObjectMapper();
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("machines file " + file + " cannot be parsed: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read machines file " + file + ": " + e.getMessage(), e);
        }
        JsonNode all = root == null ? null : root.get("machines");
        if (all == null || !all.isObject()) {
            throw new IllegalArgumentException("machines file " + file + ": no 'machines:' map at the top");
        }
        Map<String, JsonNode> nodes = new LinkedHashMap<>();
        all.fields().forEachRemaining(e -> nodes.put(e.getKey(), e.getValue()));
        Map<String, Machine> parsed = new LinkedHashMap<>();
        for (String m : nodes.keySet()) {
            parsed.put(m, parse(file, m, nodes, new ArrayList<>()));
        }
        return new Machines(file, parsed);
    }

    private static Machine parse(Path file, String name, Map<String, JsonNode> nodes, List<String> seen) {
        if (seen.contains(name)) {
            throw new IllegalArgumentException("machines file " + file + ": machine '" + name + "': field 'jump' makes a "
                    + "cycle: " + String.join(" -> ", seen) + " -> " + name);
        }
        seen.add(name);
        JsonNode n = nodes.get(name);
        String where = "machines file " + file + ": machine '" + name + "': ";
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + "must be a map of fields");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(where + "unknown field '" + f + "' (fields: " + new java.util.TreeSet<>(FIELDS) + ")");
            }
        }
        String host = text(n, "host", where);
        if (host == null) {
            throw new IllegalArgumentException(where + "field 'host' is missing");
        }
        try {
            Machine m = Machine.ssh(host).named(name);
            if (n.has("port")) {
                m = m.port(integer(n, "port", where));
            }
            String user = text(n, "user", where);
            if (user != null) {
                m = m.user(user);
            }
            for (String id : list(n, "identity", where)) {
                m = m.identity(path(id));
            }
            String known = text(n, "knownHosts", where);
            if (known != null) {
                m = m.knownHosts(path(known));
            }
            String sshConfig = text(n, "sshConfig", where);
            if (sshConfig != null) {
                m = m.sshConfig(path(sshConfig));
            }
            String agent = text(n, "agent", where);
            if (agent != null) {
                if (agent.isBlank()) {
                    throw new IllegalArgumentException(where + "field 'agent': '' is not a socket path or none");
                }
                m = agent.equals("none") ? m.noAgent() : m.agent(path(agent));
            }
            for (String j : list(n, "jump", where)) {
                m = m.jump(nodes.containsKey(j) ? parse(file, j, nodes, new ArrayList<>(seen))
                        : SshConnection.fromJumpSpec(j, m));
            }
            if (flag(n, "trustOnFirstUse", where)) {
                m = m.trustOnFirstUse();
            }
            if (flag(n, "identitiesOnly", where)) {
                m = m.identitiesOnly();
            }
            if (n.has("connectTimeoutSeconds")) {
                m = m.connectTimeout(Duration.ofSeconds(integer(n, "connectTimeoutSeconds", where)));
            }
            if (n.has("keepAliveSeconds")) {
                m = m.keepAlive(Duration.ofSeconds(integer(n, "keepAliveSeconds", where)));
            }
            if (n.has("maxChannels")) {
                m = m.maxChannels(integer(n, "maxChannels", where));
            }
            if (n.has("residentShells")) {
                m = m.residentShells(integer(n, "residentShells", where));
            }
            String scheduler = text(n, "scheduler", where);
            if (scheduler != null) {
                m = m.scheduler(scheduler);
            }
            String runsRoot = text(n, "runsRoot", where);
            if (runsRoot != null) {
                m = m.runsRoot(runsRoot);
            }
            List<String> setup = list(n, "setup", where);
            if (!setup.isEmpty()) {
                m = m.setup(setup.toArray(String[]::new));
            }
            return m;
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            // Machine's own checks say "machine '<host>': field 'value' ..."; put the file in front.
            throw new IllegalArgumentException(msg.startsWith("machines file ") ? msg
                    : "machines file " + file + ": " + msg.replace("machine '" + host + "'", "machine '" + name + "'"), e);
        }
    }

    /** A true/false field; false when absent. */
    private static boolean flag(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(where + "field '" + field + "': '" + v.asText() + "' is not true or false");
        }
        return v.asBoolean();
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(where + "field '" + field + "': '" + v + "' is not a single value");
        }
        return v.asText();
    }

    private static int integer(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(where + "field '" + field + "': '" + v.asText() + "' is not a whole number");
        }
        return v.asInt();
    }

    private static List<String> list(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isValueNode()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + "field '" + field + "': '" + v + "' is not a list");
        }
        v.forEach(e -> {
            if (!e.isValueNode()) {
                throw new IllegalArgumentException(where + "field '" + field + "': '" + e + "' is not a single value");
            }
            out.add(e.asText());
        });
        return out;
    }

    private static Path path(String p) {
        return p.startsWith("~/") ? Path.of(System.getProperty("user.home"), p.substring(2)) : Path.of(p);
    }

    /**
     * A machine by name.
     *
     * @param name a name in the file
     * @return the machine
     * @throws IllegalArgumentException naming the file and the names it has, if not there
     */
    public Machine get(String name) {
        Machine m = machines.get(name);
        if (m == null) {
            throw new IllegalArgumentException("machines file " + file + " has no machine '" + name + "' (it has "
                    + machines.keySet() + ")");
        }
        return m;
    }

    /**
     * Every machine, by name, in the file's order.
     *
     * @return every machine, by name
     */
    public Map<String, Machine> all() {
        return java.util.Collections.unmodifiableMap(machines);
    }
}
