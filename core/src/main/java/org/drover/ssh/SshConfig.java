package org.drover.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of an OpenSSH client config ({@code ~/.ssh/config}) Drover honours for a host alias:
 * {@code HostName}, {@code User}, {@code Port}, {@code IdentityFile}, {@code ProxyJump},
 * {@code IdentityAgent} and {@code IdentitiesOnly}, from
 * the {@code Host} blocks whose patterns match (with {@code *}, {@code ?} and {@code !}), the first
 * value of each keyword winning as in OpenSSH; {@code IdentityFile} adds up. {@code Match} blocks
 * and other keywords are ignored.
 */
final class SshConfig {
    /** What the config says for one alias; null or empty where it says nothing. */
    record Entry(String hostName, String user, Integer port, List<Path> identityFiles, List<String> proxyJump,
                 String identityAgent, boolean identitiesOnly) {
        Entry(String hostName, String user, Integer port, List<Path> identityFiles, List<String> proxyJump) {
            this(hostName, user, port, identityFiles, proxyJump, null, false);
        }
    }

    private SshConfig() {}

    static Entry lookup(Path file, String alias) {
        if (file == null || !Files.isRegularFile(file)) {
            return new Entry(null, null, null, List.of(), List.of());
        }
        try {
            return lookup(Files.readAllLines(file, StandardCharsets.UTF_8), alias, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ssh config " + file + ": " + e.getMessage(), e);
        }
    }

    static Entry lookup(List<String> lines, String alias, String source) {
        Map<String, String> first = new LinkedHashMap<>();
        List<Path> identities = new ArrayList<>();
        boolean applies = true;   // keywords before the first Host apply to every host
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split("\\s*=\\s*|\\s+", 2);
            String key = kv[0].toLowerCase(java.util.Locale.ROOT);
            String value = kv.length > 1 ? unquote(kv[1].strip()) : "";
            if (key.equals("host")) {
                applies = matches(value, alias);
                continue;
            }
            if (key.equals("match")) {
                applies = false;
                continue;
            }
            if (!applies) {
                continue;
            }
            switch (key) {
                case "identityfile":
                    identities.add(expand(value, alias));
                    break;
                case "hostname":
                case "user":
                case "port":
                case "proxyjump":
                case "identityagent":
                case "identitiesonly":
                    first.putIfAbsent(key, value);
                    break;
                default:
                    break;
            }
        }
        Integer port = null;
        if (first.containsKey("port")) {
            try {
                port = Integer.valueOf(first.get("port"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ssh config " + source + ": Port '" + first.get("port")
                        + "' of host '" + alias + "' is not a number");
            }
        }
        String hostName = first.get("hostname");
        if (hostName != null) {
            hostName = hostName.replace("%h", alias);
        }
        String jump = first.get("proxyjump");
        List<String> jumps = jump == null || jump.equalsIgnoreCase("none") ? List.of() : List.of(jump.split(","));
        return new Entry(hostName, first.get("user"), port, identities, jumps, first.get("identityagent"),
                "yes".equalsIgnoreCase(first.get("identitiesonly")));
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static Path expand(String path, String alias) {
        String p = path.replace("%h", alias).replace("%%", "%");
        if (p.startsWith("~/")) {
            p = System.getProperty("user.home") + p.substring(1);
        }
        return Path.of(p);
    }

    /** Whether a Host line's patterns match the alias: one positive match and no negated one. */
    static boolean matches(String patterns, String alias) {
        boolean matched = false;
        for (String p : patterns.split("\\s+")) {
            boolean negated = p.startsWith("!");
            String glob = negated ? p.substring(1) : p;
            StringBuilder re = new StringBuilder();
            for (char c : glob.toCharArray()) {
                re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            if (Pattern.matches(re.toString(), alias)) {
                if (negated) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }
}
