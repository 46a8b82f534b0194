package org.drover.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replaces {@code {name}} placeholders in a bash script body by references to environment
 * variables, never by the values themselves: whatever a value holds, it cannot become shell code
 * of the script, because the shell never parses the result of a parameter expansion again.
 *
 * <p>The reference is written for the quoting context the placeholder stands in, so that it
 * expands to exactly the value, as one word:
 * <ul>
 *   <li>unquoted: {@code "${VAR}"};</li>
 *   <li>inside double quotes and in the body of a here-document: {@code ${VAR}};</li>
 *   <li>inside single quotes: {@code '"${VAR}"'} (close, expand, reopen);
 *       inside {@code $'...'}: {@code '"${VAR}"$'};</li>
 *   <li>in a comment, or right after a backslash ({@code \{name}}): nothing is replaced.</li>
 * </ul>
 * The context is read with a small lexer (quotes, backslash escapes, comments, here-documents).
 * It does not follow the quoting nested inside {@code $(...)} or backticks; there a reference may
 * be word-split, but it is still never run as code. In a here-document with a quoted delimiter
 * ({@code <<'EOF'}) the reference stays as text, to be expanded by whatever shell reads it.
 *
 * <pre>{@code
 * ScriptPlaceholders.replace("echo {v} \"lr={v}\" '{v}'", Map.of("v", "P_v"))
 *     // echo "${P_v}" "lr=${P_v}" ''"${P_v}"''
 * }</pre>
 */
public final class ScriptPlaceholders {
    private enum Quote { NONE, SINGLE, ANSI, DOUBLE }

    private final String s;
    private final Map<String, String> variables;
    private final StringBuilder out;
    private final List<HereDoc> pendingHereDocs = new ArrayList<>();
    private int i;

    private ScriptPlaceholders(String script, Map<String, String> variables) {
        this.s = script;
        this.variables = variables;
        this.out = new StringBuilder(script.length() + 32);
    }

    /**
     * The script with each {@code {name}} whose name is a key of {@code variables} replaced by a
     * reference to the environment variable that key maps to; other braces stay as they are.
     */
    public static String replace(String script, Map<String, String> variables) {
        if (script.indexOf('{') < 0 || variables.isEmpty()) {
            return script;
        }
        return new ScriptPlaceholders(script, variables).run();
    }

    private String run() {
        Quote q = Quote.NONE;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '{' && placeholder(q == Quote.NONE ? "\"${%s}\""
                    : q == Quote.DOUBLE ? "${%s}"
                    : q == Quote.SINGLE ? "'\"${%s}\"'"
                    : "'\"${%s}\"$'")) {
                continue;
            }
            char next = i + 1 < n ? s.charAt(i + 1) : 0;
            switch (q) {
                case NONE:
                    if (c == '\\' && next != 0) {
                        out.append(c).append(next);
                        i += 2;
                        continue;
                    } else if (c == '\'') {
                        q = Quote.SINGLE;
                    } else if (c == '$' && next == '\'') {
                        out.append("$'");
                        i += 2;
                        q = Quote.ANSI;
                        continue;
                    } else if (c == '"') {
                        q = Quote.DOUBLE;
                    } else if (c == '#' && startsWord()) {
                        int end = s.indexOf('\n', i);
                        end = end < 0 ? n : end;
                        out.append(s, i, end);
                        i = end;
                        continue;
                    } else if (c == '<' && next == '<' && (i + 2 >= n || s.charAt(i + 2) != '<')) {
                        hereDocOperator();
                        continue;
                    } else if (c == '\n' && !pendingHereDocs.isEmpty()) {
                        out.append(c);
                        i++;
                        hereDocBodies();
                        continue;
                    }
                    break;
                case SINGLE:
                    if (c == '\'') {
                        q = Quote.NONE;
                    }
                    break;
                case ANSI:
                case DOUBLE:
                    if (c == '\\' && next != 0) {
                        out.append(c).append(next);
                        i += 2;
                        continue;
                    }
                    if (c == (q == Quote.ANSI ? '\'' : '"')) {
                        q = Quote.NONE;
                    }
                    break;
                default:
                    throw new AssertionError(q);
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** If a known placeholder starts at {@code i}, writes its reference and moves past it. */
    private boolean placeholder(String format) {
        int close = s.indexOf('}', i + 1);
        if (close < 0) {
            return false;
        }
        String variable = variables.get(s.substring(i + 1, close));
        if (variable == null) {
            return false;
        }
        out.append(String.format(format, variable));
        i = close + 1;
        return true;
    }

    private boolean startsWord() {
        if (i == 0) {
            return true;
        }
        char p = s.charAt(i - 1);
        return Character.isWhitespace(p) || ";&|()<>".indexOf(p) >= 0;
    }

    /** {@code <<} or {@code <<-}, then the delimiter word, unquoted. */
    private void hereDocOperator() {
        int n = s.length();
        out.append("<<");
        i += 2;
        boolean stripTabs = i < n && s.charAt(i) == '-';
        if (stripTabs) {
            out.append('-');
            i++;
        }
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            out.append(s.charAt(i++));
        }
        StringBuilder delimiter = new StringBuilder();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || ";&|<>()".indexOf(c) >= 0) {
                break;
            }
            if (c == '\'' || c == '"') {
                int close = s.indexOf(c, i + 1);
                close = close < 0 ? n - 1 : close;
                delimiter.append(s, i + 1, Math.max(i + 1, close));
                out.append(s, i, close + 1);
                i = close + 1;
            } else if (c == '\\' && i + 1 < n) {
                delimiter.append(s.charAt(i + 1));
                out.append(s, i, i + 2);
                i += 2;
            } else {
                delimiter.append(c);
                out.append(c);
                i++;
            }
        }
        if (delimiter.length() > 0) {
            pendingHereDocs.add(new HereDoc(delimiter.toString(), stripTabs));
        }
    }

    /** The bodies of the here-documents opened on the line just ended, up to their delimiter lines. */
    private void hereDocBodies() {
        int n = s.length();
        for (HereDoc doc : pendingHereDocs) {
            while (i < n) {
                int end = s.indexOf('\n', i);
                end = end < 0 ? n : end;
                String line = s.substring(i, end);
                String bare = doc.stripTabs ? line.replaceFirst("^\t+", "") : line;
                if (bare.equals(doc.delimiter)) {
                    out.append(line);
                } else {
                    out.append(replaceInHereDocLine(line));
                }
                i = end;
                if (i < n) {
                    out.append('\n');
                    i++;
                }
                if (bare.equals(doc.delimiter)) {
                    break;
                }
            }
        }
        pendingHereDocs.clear();
    }

    private String replaceInHereDocLine(String line) {
        StringBuilder sb = new StringBuilder(line.length() + 16);
        int j = 0;
        while (j < line.length()) {
            char c = line.charAt(j);
            if (c == '{') {
                int close = line.indexOf('}', j + 1);
                String variable = close < 0 ? null : variables.get(line.substring(j + 1, close));
                if (variable != null) {
                    sb.append("${").append(variable).append('}');
                    j = close + 1;
                    continue;
                }
            }
            sb.append(c);
            j++;
        }
        return sb.toString();
    }

    private record HereDoc(String delimiter, boolean stripTabs) {}

    /**
     * Replaces {@code {key}} by its value for each key in {@code values}; other braces stay as they are
     * (used for sweep parameters in commands and paths, and by {@code DoneCheck.fileExists}).
     */
    public static String substituteBraces(String text, Map<String, String> values) {
        if (text.indexOf('{') < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{') {
                int close = text.indexOf('}', i + 1);
                if (close > 0) {
                    String key = text.substring(i + 1, close);
                    String value = values.get(key);
                    if (value != null) {
                        sb.append(value);
                        i = close + 1;
                        continue;
                    }
                }
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }
}
