package org.drover.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent client's decisions against sockets that misbehave (the protocol itself is tested on a
 * real ssh-agent in SshAgentIT): no agent, an agent that never answers, an answer that is not an
 * agent's; and the key's type read from its blob.
 */
class SshAgentTest {
    @TempDir
    Path tmp;

    @Test
    void anAgentThatNeverAnswersIsGivenUpAfterItsTimeout() throws Exception {
        Path socket = tmp.resolve("silent.sock");
        List<SocketChannel> held = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try {
                    held.add(server.accept());   // accepted, never answered
                } catch (IOException ignored) {
                    // closed by the test
                }
            });
            acceptor.start();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> new SshAgent(socket, 300).keys()).isInstanceOf(IOException.class)
                    .hasMessage("ssh-agent at " + socket + " did not answer within 300 ms");
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 5_000L);
            acceptor.join(5_000);
        } finally {
            for (SocketChannel c : held) {
                c.close();
            }
        }
    }

    @Test
    void noAgentAtTheSocketOrAnAnswerOfAnotherKindIsAClearError() throws Exception {
        assertThatThrownBy(() -> new SshAgent(tmp.resolve("none.sock")).keys()).isInstanceOf(IOException.class);
        Path socket = tmp.resolve("odd.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread answerer = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer request = ByteBuffer.allocate(5);   // length + type of a REQUEST_IDENTITIES
                    while (request.hasRemaining() && c.read(request) >= 0) {
                        // read it whole
                    }
                    c.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 5}));   // SSH_AGENT_FAILURE
                } catch (IOException ignored) {
                    // the test fails on its own
                }
            });
            answerer.start();
            assertThatThrownBy(() -> new SshAgent(socket).keys()).hasMessage("ssh-agent at " + socket + " refused the request");
            answerer.join(5_000);
        }
    }

    @Test
    void aKeysTypeIsTheFirstStringOfItsBlob() {
        byte[] blob = {0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 0};
        SshAgent.Key k = new SshAgent.Key(blob, "me@laptop");
        assertThat(k.type()).isEqualTo("ssh-ed25519");
        assertThat(k.describe()).startsWith("ssh-ed25519 SHA256:").endsWith(" me@laptop");
        assertThat(new SshAgent.Key(new byte[] {0, 0, 1, 0, 'x'}, "").type()).isEqualTo("?");   // length past the end
    }
}
