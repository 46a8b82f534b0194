package org.drover.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Escaping for the report's HTML: every user value (task names, parameters, reasons, paths) goes
 * through {@link #text} or {@link #href}, so that nothing in them can become markup or script.
 */
final class Html {
    private Html() {}

    /** Appends {@code s} escaped for element text and double-quoted attribute values alike. */
    static StringBuilder text(StringBuilder out, String s) {
        if (s == null) {
            return out;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append('\uFFFD');   // control characters are not allowed in HTML text
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out;
    }

    /** {@code s} escaped as {@link #text} does. */
    static String text(String s) {
        return text(new StringBuilder(s.length() + 16), s).toString();
    }

    /**
     * A link from a page in {@code pageDir} to {@code target}: a relative URL ({@code ./a/1/stdout},
     * {@code ../runs/a/1/stdout}) whose every segment is percent-encoded (so a {@code :} can never
     * make a scheme of it), or a {@code file:} URL when no relative path leads there. Both paths absolute.
     */
    static String href(Path pageDir, Path target) {
        Path rel;
        try {
            rel = pageDir.relativize(target);
        } catch (IllegalArgumentException e) {
            return target.toUri().toASCIIString();   // another root (a Windows drive): encoded by URI
        }
        StringBuilder sb = new StringBuilder();
        for (Path segment : rel) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            encode(sb, segment.toString());
        }
        String s = sb.toString();
        return s.startsWith("..") ? s : "./" + s;
    }

    /** Percent-encodes all but RFC 3986's unreserved characters (and {@code ..} stays as it is). */
    private static void encode(StringBuilder sb, String segment) {
        if (segment.equals("..")) {
            sb.append("..");
            return;
        }
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }
}
