/**
 * Running commands on the machine a scheduler drives: the {@link org.drover.shell.Shell} interface,
 * the {@link org.drover.shell.LocalShell} that runs them as local processes, the
 * {@link org.drover.shell.CommandResult} of one command, and {@link org.drover.shell.ShellQuote} for
 * every user value that reaches a shell.
 *
 * <pre>{@code
 * try (Shell shell = LocalShell.create()) {
 *     CommandResult r = shell.run(List.of("squeue", "-h"), Duration.ofSeconds(30));
 * }
 * }</pre>
 */
package org.drover.shell;
