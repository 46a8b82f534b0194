package org.drover.ssh;

import java.io.IOException;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

/**
 * Public-key authentication (RFC 4252, section 7) with a key held by the user's SSH agent: the
 * server is first asked whether it would accept the key, and only then is the agent asked to sign
 * the session's request. RSA keys sign with SHA-512 ({@code rsa-sha2-512}), as OpenSSH servers
 * refuse SHA-1 {@code ssh-rsa} signatures by default.
 */
final class AgentAuth extends AbstractAuthMethod {
    private final SshAgent agent;
    private final SshAgent.Key key;
    private String algorithm;
    private int flags;

    AgentAuth(SshAgent agent, SshAgent.Key key) {
        super("publickey");
        this.agent = agent;
        this.key = key;
    }

    /**
     * The signature algorithm for the key: its type, except for RSA keys and certificates, which
     * sign with SHA-512 ({@code rsa-sha2-512}, {@code rsa-sha2-512-cert-v01@openssh.com}): OpenSSH
     * servers since 8.8 refuse SHA-1 {@code ssh-rsa}, and those before 7.2 (without SHA-2 RSA)
     * are not served by agent RSA keys.
     */
    private void chooseAlgorithm() {
        String type = key.type();
        if (type.equals("ssh-rsa")) {
            algorithm = "rsa-sha2-512";
            flags = SshAgent.RSA_SHA2_512;
        } else if (type.equals("ssh-rsa-cert-v01@openssh.com")) {
            algorithm = "rsa-sha2-512-cert-v01@openssh.com";
            flags = SshAgent.RSA_SHA2_512;
        } else {
            algorithm = type;
            flags = 0;
        }
    }

    /** The query: would the server take this key (no signature yet)? */
    @Override
    protected SSHPacket buildReq() throws UserAuthException {
        chooseAlgorithm();
        return request(false);
    }

    private SSHPacket request(boolean signed) throws UserAuthException {
        return super.buildReq().putBoolean(signed).putString(algorithm).putString(key.blob());
    }

    /** {@code SSH_MSG_USERAUTH_PK_OK}: the server takes the key; the agent signs the request. */
    @Override
    public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
        if (cmd != Message.USERAUTH_60) {
            super.handle(cmd, buf);
            return;
        }
        SSHPacket signedRequest = request(true);
        byte[] toSign = new Buffer.PlainBuffer()
                .putString(params.getTransport().getSessionID())
                .putBuffer(signedRequest)
                .getCompactData();
        byte[] signature;
        try {
            signature = agent.sign(key.blob(), toSign, flags);
        } catch (IOException e) {
            throw new UserAuthException("the ssh-agent did not sign with its key " + key.describe() + ": " + e.getMessage(), e);
        }
        String signedWith = SshAgent.firstString(signature);
        if (flags != 0 && !signedWith.equals("rsa-sha2-512")) {
            throw new UserAuthException("the ssh-agent signed with " + signedWith + " instead of " + algorithm
                    + " (an agent too old for SHA-2 RSA signatures?) with its key " + key.describe());
        }
        params.getTransport().write(signedRequest.putString(signature));
    }

    @Override
    public String toString() {
        return "ssh-agent key " + key.describe();
    }
}
