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
    private final String algorithm;
    private final int flags;

    AgentAuth(SshAgent agent, SshAgent.Key key) {
        super("publickey");
        this.agent = agent;
        this.key = key;
        String type = key.type();
        if (type.equals("ssh-rsa")) {
            this.algorithm = "rsa-sha2-512";
            this.flags = SshAgent.RSA_SHA2_512;
        } else if (type.equals("ssh-rsa-cert-v01@openssh.com")) {
            this.algorithm = "rsa-sha2-512-cert-v01@openssh.com";
            this.flags = SshAgent.RSA_SHA2_512;
        } else {
            this.algorithm = type;
            this.flags = 0;
        }
    }

    /** The query: would the server take this key (no signature yet)? */
    @Override
    protected SSHPacket buildReq() throws UserAuthException {
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
        params.getTransport().write(signedRequest.putString(signature));
    }

    @Override
    public String toString() {
        return "ssh-agent key " + key.describe();
    }
}
