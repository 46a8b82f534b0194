package org.drover.ssh;

import java.io.File;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a host key against a known_hosts file, strictly: an unknown key is refused unless the
 * machine trusts on first use (then it is added, with a warning), a changed key always. It keeps
 * what it refused and why, with the key's SHA256 fingerprint as OpenSSH prints it, for the error.
 */
final class KnownHostsVerifier extends OpenSSHKnownHosts {
    private static final Logger LOG = LoggerFactory.getLogger(SshShell.class);
    private final String machine;
    private final boolean trustOnFirstUse;
    private volatile String problem;

    KnownHostsVerifier(File knownHosts, String machine, boolean trustOnFirstUse) throws IOException {
        super(knownHosts);
        this.machine = machine;
        this.trustOnFirstUse = trustOnFirstUse;
    }

    /** Why the last key was refused, or null. */
    String problem() {
        return problem;
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
        String fingerprint = fingerprint(key);
        if (trustOnFirstUse) {
            try {
                write(new HostEntry(null, hostname, KeyType.fromKey(key), key));
            } catch (IOException e) {
                problem = "machine '" + machine + "': cannot add the key of " + hostname + " to " + getFile() + ": "
                        + e.getMessage();
                return false;
            }
            LOG.atWarn().log("machine '{}': host {} was not known; its {} key {} is now trusted and added to {} "
                    + "(trust on first use)", machine, hostname, KeyType.fromKey(key), fingerprint, getFile());
            return true;
        }
        problem = "machine '" + machine + "': host " + hostname + " is not in " + getFile() + " (its "
                + KeyType.fromKey(key) + " key is " + fingerprint + "); check the fingerprint and add it with "
                + "ssh-keyscan, or allow trustOnFirstUse()";
        return false;
    }

    @Override
    protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
        problem = "machine '" + machine + "': the host key of " + hostname + " has CHANGED: it is now "
                + KeyType.fromKey(key) + " " + fingerprint(key) + ", not the one in " + getFile()
                + "; someone may be in the middle, or the host was reinstalled: check with its administrators";
        return false;
    }

    /** {@code SHA256:<base64>}, as {@code ssh-keygen -lf} prints it. */
    static String fingerprint(PublicKey key) {
        try {
            byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
