package org.drover.ssh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client of the user's SSH agent ({@code ssh-agent}, the agent of a desktop keyring, or one
 * forwarded to this machine) on its Unix socket: the keys it holds and signatures made with them,
 * so that a key whose private half stays in the agent (often behind a passphrase typed once per
 * login) logs Drover in. The protocol is the one OpenSSH's agent speaks
 * (draft-miller-ssh-agent): each message a length, a type and its fields, one connection per
 * request.
 */
final class SshAgent {
    /** A key the agent holds: its public key blob (as in authorized_keys, decoded) and comment. */
    record Key(byte[] blob, String comment) {
        /** The key's type, the first string of its blob: {@code ssh-ed25519}, {@code ssh-rsa}, ... */
        String type() {
            return firstString(blob);
        }

        /** Type, fingerprint and comment, as {@code ssh-add -l} shows them, for messages. */
        String describe() {
            String fingerprint;
            try {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(blob);
                fingerprint = "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash);
            } catch (NoSuchAlgorithmException e) {
                fingerprint = "(no SHA-256 here)";
            }
            return type() + " " + fingerprint + (comment.isBlank() ? "" : " " + comment);
        }
    }

    /** The first string of an SSH wire blob (a key's type, a signature's algorithm), or "?". */
    static String firstString(byte[] blob) {
        if (blob.length < 4) {
            return "?";
        }
        int n = ByteBuffer.wrap(blob).getInt();
        return n < 0 || n > blob.length - 4 ? "?" : new String(blob, 4, n, StandardCharsets.US_ASCII);
    }

    static final byte FAILURE = 5;
    static final byte REQUEST_IDENTITIES = 11;
    static final byte IDENTITIES_ANSWER = 12;
    static final byte SIGN_REQUEST = 13;
    static final byte SIGN_RESPONSE = 14;
    /** Sign-request flags: RSA signatures with SHA-256 / SHA-512 instead of SHA-1 ({@code ssh-rsa}). */
    static final int RSA_SHA2_256 = 2;
    static final int RSA_SHA2_512 = 4;
    /** OpenSSH's agent refuses longer messages; a longer answer is not an agent's. */
    private static final int MAX_MESSAGE = 256 * 1024;
    /**
     * An agent that has not answered by then (a stuck forwarded socket, a locked keyring) is
     * given up; a signature may wait for a person (a confirmation, a security key's touch): a
     * minute.
     */
    static final long ANSWER_TIMEOUT_MS = 10_000;
    static final long SIGN_TIMEOUT_MS = 60_000;
    private final long answerTimeoutMs;
    /** Closes the socket of a request that took too long, which ends its blocked read. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "drover-ssh-agent-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        WATCHDOG.setRemoveOnCancelPolicy(true);
    }

    private final Path socket;

    SshAgent(Path socket) {
        this(socket, ANSWER_TIMEOUT_MS);
    }

    SshAgent(Path socket, long answerTimeoutMs) {
        this.socket = socket;
        this.answerTimeoutMs = answerTimeoutMs;
    }

    Path socket() {
        return socket;
    }

    /**
     * The keys the agent holds.
     *
     * @throws IOException if the agent cannot be reached or answers something else
     */
    List<Key> keys() throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(call(REQUEST_IDENTITIES, new byte[0], answerTimeoutMs,
                IDENTITIES_ANSWER)));
        int n = in.readInt();
        if (n < 0 || n > MAX_MESSAGE / 8) {
            throw new IOException("ssh-agent at " + socket + " answered " + n + " keys");
        }
        List<Key> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] blob = string(in);
            keys.add(new Key(blob, new String(string(in), StandardCharsets.UTF_8)));
        }
        return keys;
    }

    /**
     * A signature of {@code data} with the key, as the SSH protocol carries it (algorithm name and
     * signature).
     *
     * @param flags 0, or {@link #RSA_SHA2_256} / {@link #RSA_SHA2_512} for an RSA key
     * @throws IOException if the agent cannot be reached or refuses (the key was removed, a
     *     confirmation was declined)
     */
    byte[] sign(byte[] keyBlob, byte[] data, int flags) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(keyBlob.length + data.length + 16);
        DataOutputStream out = new DataOutputStream(body);
        putString(out, keyBlob);
        putString(out, data);
        out.writeInt(flags);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(call(SIGN_REQUEST, body.toByteArray(), answerTimeoutMs * (SIGN_TIMEOUT_MS / ANSWER_TIMEOUT_MS),
                SIGN_RESPONSE)));
        return string(in);
    }

    /** One request on a connection of its own; the answer's fields (after its type). */
    private byte[] call(byte type, byte[] body, long timeoutMs, byte expected) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ScheduledFuture<?> giveUp = WATCHDOG.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closed anyway
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
            try {
                return exchange(ch, type, body, expected);
            } catch (ClosedByInterruptException e) {
                throw new InterruptedIOException("interrupted while waiting for the ssh-agent at " + socket);
            } catch (ClosedChannelException e) {
                throw new IOException("ssh-agent at " + socket + " did not answer within " + timeoutMs + " ms", e);
            } finally {
                giveUp.cancel(false);
            }
        }
    }

    private byte[] exchange(SocketChannel ch, byte type, byte[] body, byte expected) throws IOException {
        ch.connect(UnixDomainSocketAddress.of(socket));
        ByteBuffer request = ByteBuffer.allocate(5 + body.length).putInt(body.length + 1).put(type).put(body).flip();
        while (request.hasRemaining()) {   // the whole message at once
            ch.write(request);
        }
        DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
        int len = in.readInt();
        if (len < 1 || len > MAX_MESSAGE) {
            throw new IOException("ssh-agent at " + socket + " answered a message of " + len + " bytes");
        }
        byte answer = in.readByte();
        byte[] fields = in.readNBytes(len - 1);
        if (fields.length < len - 1) {
            throw new EOFException("ssh-agent at " + socket + " closed the connection in the middle of an answer");
        }
        if (answer == FAILURE) {
            throw new IOException("ssh-agent at " + socket + " refused the request");
        }
        if (answer != expected) {
            throw new IOException("ssh-agent at " + socket + " answered message type " + answer + " to type " + type);
        }
        return fields;
    }

    private static byte[] string(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_MESSAGE) {
            throw new IOException("ssh-agent answer holds a field of " + n + " bytes");
        }
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("ssh-agent answer ends in the middle of a field");
        }
        return b;
    }

    private static void putString(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }
}
