package org.drover.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An SSH connection could not be made or used: the machine cannot be reached, its host key is
 * unknown or changed, authentication failed. The message names the machine, and for host keys the
 * host and the key's fingerprint; {@link #isPermanent()} tells a configuration error (host key,
 * authentication) from a failure worth trying again later (network, a restarting sshd).
 *
 * <pre>{@code
 * try {
 *     shell.run(List.of("true"), Duration.ofSeconds(10));
 * } catch (SshException e) {
 *     if (e.isPermanent()) System.err.println("fix the configuration: " + e.getMessage());
 * }
 * }</pre>
 */
public final class SshException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;
    /** Whether trying again cannot help (host key, authentication). */
    private final boolean permanent;

    /**
     * An SSH failure.
     *
     * @param message what failed, naming the machine
     * @param permanent whether trying again cannot help (host key, authentication)
     * @param cause the underlying failure
     */
    public SshException(String message, boolean permanent, IOException cause) {
        super(message, cause);
        this.permanent = permanent;
    }

    /**
     * Whether trying again cannot help: a host key or authentication problem.
     *
     * @return whether trying again cannot help
     */
    public boolean isPermanent() {
        return permanent;
    }
}
