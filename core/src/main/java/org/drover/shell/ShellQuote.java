package org.drover.shell;

import java.util.List;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting: every value that reaches a shell passes through here.
 *
 * <p>Single quotes keep everything literal in sh, bash and dash, including newlines, {@code $},
 * backticks and backslashes; a single quote inside is written as {@code '"'"'}.
 *
 * <pre>{@code
 * ShellQuote.quote("it's")                 // 'it'"'"'s'
 * ShellQuote.join(List.of("echo", "$(id)")) // 'echo' '$(id)'
 * }</pre>
 */
public final class ShellQuote {
    private ShellQuote() {}

    /**
     * One word, quoted so that a POSIX shell reads it back unchanged.
     *
     * @param value any text without NUL
     * @return one word, quoted so that a POSIX shell reads it back unchanged
     */
    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("cannot quote a value with a NUL character");
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    /**
     * Each word quoted, joined by spaces.
     *
     * @param words the words, each any text without NUL
     * @return each word quoted, joined by spaces
     */
    public static String join(List<String> words) {
        return words.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }
}
