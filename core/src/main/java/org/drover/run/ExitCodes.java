package org.drover.run;

import java.util.Optional;

/**
 * What an exit code says: a shell reports a process ended by signal N as exit code 128 + N, so
 * {@code 137} is SIGKILL (often the out-of-memory killer, or {@code kill -9}) and {@code 143} is
 * SIGTERM (a cancel, a walltime). Signal numbers are Linux's.
 */
final class ExitCodes {
    private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
        "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private ExitCodes() {}

    /** The signal an exit code above 128 stands for ({@code 137} is {@code SIGKILL}); empty otherwise. */
    static Optional<String> signal(Integer exitCode) {
        if (exitCode == null || exitCode <= 128 || exitCode - 128 >= SIGNALS.length) {
            return Optional.empty();
        }
        return Optional.of(SIGNALS[exitCode - 128]);
    }

    /** The exit code as the report prints it: {@code ""} if unknown, {@code 3}, {@code 137 (SIGKILL)}. */
    static String describe(Integer exitCode) {
        if (exitCode == null) {
            return "";
        }
        return signal(exitCode).map(s -> exitCode + " (" + s + ")").orElse(Integer.toString(exitCode));
    }
}
