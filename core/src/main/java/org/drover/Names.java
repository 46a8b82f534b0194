package org.drover;

import java.util.regex.Pattern;

/**
 * The character rules for names that become file names and scheduler arguments.
 *
 * <p>A job or bundle name is 1 to 128 characters from {@code A-Z a-z 0-9 _ . -}, and starts with a
 * letter, a digit or {@code _} (so it is never {@code .} or {@code ..} and never looks like an
 * option). Names are used as directory names in the run directory and as scheduler job names, so
 * nothing else is accepted. Arguments, environment values and script bodies, on the other hand,
 * may hold any text: they are always quoted. Environment variable names starting with
 * {@value #RESERVED_ENV_PREFIX} are Drover's own; {@link Job#env(String, String)} refuses them.
 *
 * <pre>{@code
 * Names.requireJobName("train_0")       // ok
 * Names.requireJobName("a b")           // IllegalArgumentException: job name 'a b' ...
 * }</pre>
 */
public final class Names {
    /** The documented job and bundle name pattern. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /**
     * Environment variable names starting with this are Drover's own ({@code DROVER_JOB_ID},
     * {@code DROVER_JOB_NAME}, {@code DROVER_ATTEMPT_DIR}, {@code DROVER_PARAM_<name>}); a job may
     * not set them.
     */
    public static final String RESERVED_ENV_PREFIX = "DROVER_";
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SCHEDULER_WORD = Pattern.compile("[A-Za-z0-9_.,:+@=/-]+");
    /** A scheduler's job id: a scheduler word, or with PBS's array brackets ({@code 12[].server}, {@code 12[3].server}). */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_.,:+@=/-]+(\\[[0-9]*\\][A-Za-z0-9_.-]*)?");
    private static final Pattern CONSTRAINT = Pattern.compile("[A-Za-z0-9_.,:&|\\[\\]*()!+=@-]+");

    private Names() {}

    /**
     * Checks a job name.
     *
     * @param name the name
     * @return the name, unchanged
     */
    public static String requireJobName(String name) {
        return require("job name", name);
    }

    /**
     * Checks a bundle name.
     *
     * @param name the name
     * @return the name, unchanged
     */
    public static String requireBundleName(String name) {
        return require("bundle name", name);
    }

    /**
     * A dependency target: a job name, a sweep name, or a pattern with {@code *}.
     *
     * @param target a job name, a sweep name, or a pattern with {@code *}
     * @return a dependency target: a job name, a sweep name, or a pattern with {@code *}
     */
    public static String requireDependencyTarget(String target) {
        if (target == null || !matchesName(target, true)) {
            throw new IllegalArgumentException("dependency '" + printable(target)
                    + "' must be a job or sweep name, optionally with * wildcards, from A-Z a-z 0-9 _ . - *");
        }
        return target;
    }

    static String require(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (!matchesName(name, false)) {
            throw new IllegalArgumentException(what + " '" + printable(name)
                    + "' is not allowed: use 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter, digit or _");
        }
        return name;
    }

    /**
     * {@link #NAME} (or, with {@code star}, the same with {@code *} anywhere) without a regex:
     * names are checked for every job of every loaded bundle, so this is on a hot path.
     */
    private static boolean matchesName(String s, boolean star) {
        int n = s.length();
        if (n == 0 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || (star && c == '*') || (i > 0 && (c == '.' || c == '-'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks an environment variable name.
     *
     * @param name the name
     * @return the name, unchanged
     */
    public static String requireEnvName(String name) {
        if (name == null || !ENV.matcher(name).matches()) {
            throw new IllegalArgumentException("environment variable name '" + printable(name)
                    + "' is not allowed: use A-Z a-z 0-9 _, not starting with a digit");
        }
        return name;
    }

    /**
     * Checks a partition, queue, account or qos: one word with no spaces, quotes or shell characters.
     *
     * @param field the field's name, for the error message
     * @param value the value
     * @return the value, unchanged
     */
    public static String requireSchedulerWord(String field, String value) {
        if (value == null || !SCHEDULER_WORD.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " '" + printable(value)
                    + "' is not allowed: use A-Z a-z 0-9 and _ . , : + @ = / -");
        }
        return value;
    }

    /**
     * Checks a scheduler's job id: a word as {@link #requireSchedulerWord} takes, or a PBS array id
     * with its brackets ({@code 12[].server}, {@code 12[3].server}).
     *
     * @param field the field's name, for the error message
     * @param value the value
     * @return the value, unchanged
     */
    public static String requireJobId(String field, String value) {
        if (value == null || !JOB_ID.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " '" + printable(value)
                    + "' is not a job id: use A-Z a-z 0-9 and _ . , : + @ = / -, and PBS's [] or [n] once");
        }
        return value;
    }

    /**
     * Checks a node feature constraint such as {@code intel&(gpu|bigmem)}.
     *
     * @param value the value
     * @return the constraint, unchanged
     */
    public static String requireConstraint(String value) {
        if (value == null || !CONSTRAINT.matcher(value).matches()) {
            throw new IllegalArgumentException("constraint '" + printable(value)
                    + "' is not allowed: use feature names with & | , [ ] ( ) * ! only");
        }
        return value;
    }

    /**
     * Checks text that is quoted before use: anything but NUL, which no process can receive.
     *
     * @param field the field's name, for the error message
     * @param value the value
     * @return the value, unchanged
     */
    public static String requireText(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " '" + printable(value) + "' contains a NUL character");
        }
        return value;
    }

    /**
     * Checks a one-line value (a raw directive, a path): no NUL, CR or LF.
     *
     * @param field the field's name, for the error message
     * @param value the value
     * @return the value, unchanged
     */
    public static String requireLine(String field, String value) {
        requireText(field, value);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(field + " '" + printable(value) + "' must be one line");
        }
        return value;
    }

    /**
     * The value with control characters made visible, for error messages.
     *
     * @param value the value
     * @return the value with control characters made visible, for error messages
     */
    public static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
