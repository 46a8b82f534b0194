package org.drover.report;

/**
 * JSON text that is safe inside an HTML {@code <script type="application/json">} element: besides
 * JSON's own escapes, {@code <}, {@code >}, {@code &} and the two line separators JavaScript once
 * rejected are written as JSON unicode escapes, so that no value (a task named
 * {@code </script><script>...}) can end the element or start markup.
 */
final class ScriptData {
    private ScriptData() {}

    /** Appends {@code s} as a JSON string, or {@code null}. */
    static StringBuilder string(StringBuilder out, String s) {
        if (s == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(String.format("%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
