package org.drover.shell;

import java.time.Duration;
import java.util.List;

/**
 * What a command run through a {@link Shell} did.
 *
 * @param command the argument list that ran
 * @param exitCode the exit status, or null when unknown (timed out, connection lost)
 * @param stdout everything it printed on stdout
 * @param stderr everything it printed on stderr
 * @param elapsed how long it took
 */
public record CommandResult(List<String> command, Integer exitCode, String stdout, String stderr, Duration elapsed) {
    /**
     * Copies the command; null output becomes empty.
     *
     * @param command the argument list that ran
     * @param exitCode the exit status, or null when unknown (timed out, connection lost)
     * @param stdout everything it printed on stdout
     * @param stderr everything it printed on stderr
     * @param elapsed how long it took
     */
    public CommandResult {
        command = List.copyOf(command);
    }

    /**
     * Whether it exited with status 0.
     *
     * @return whether it exited with status 0
     */
    public boolean ok() {
        return exitCode != null && exitCode == 0;
    }

    /**
     * stderr, or stdout when stderr is empty, trimmed: the words to show in an error.
     *
     * @return the words to show in an error message
     */
    public String message() {
        String s = stderr.isBlank() ? stdout : stderr;
        return s.strip();
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> " + (exitCode == null ? "unknown exit" : "exit " + exitCode)
                + (message().isEmpty() ? "" : ": " + message());
    }
}
