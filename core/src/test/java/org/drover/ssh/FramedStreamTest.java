package org.drover.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a resident shell's stream is cut into the outputs of its commands. */
class FramedStreamTest {
    private static final String T = "\u0001drover-0123:";

    private static List<FramedStream.Frame> frames(FramedStream s) {
        List<FramedStream.Frame> all = new ArrayList<>();
        s.frames().drainTo(all);
        return all;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void outputWithoutAFinalNewlineEndsExactlyWhereTheEndFrameBegins() {
        FramedStream s = new FramedStream(T);
        byte[] all = b("no newline" + T + "E 1 0\n" + "line\n" + T + "E 2 3\n");
        s.accept(all, 0, all.length);
        List<FramedStream.Frame> f = frames(s);
        assertThat(f).extracting(FramedStream.Frame::kind).containsExactly('E', 'E');
        assertThat(new String(f.get(0).output(), StandardCharsets.UTF_8)).isEqualTo("no newline");
        assertThat(f.get(0).number(0)).isZero();
        assertThat(new String(f.get(1).output(), StandardCharsets.UTF_8)).isEqualTo("line\n");
        assertThat(f.get(1).id()).isEqualTo(2);
        assertThat(f.get(1).number(0)).isEqualTo(3);
    }

    @Test
    void aStartFrameInTheMiddleOfTheOutputIsCutOutOfIt() {
        FramedStream s = new FramedStream(T);
        byte[] all = b("be" + T + "P 7 4242\n" + "fore" + T + "E 7 0\n");
        s.accept(all, 0, all.length);
        List<FramedStream.Frame> f = frames(s);
        assertThat(f).extracting(FramedStream.Frame::kind).containsExactly('P', 'E');
        assertThat(f.get(0).number(0)).isEqualTo(4242);
        assertThat(new String(f.get(1).output(), StandardCharsets.UTF_8)).isEqualTo("before");
    }

    @Test
    void framesSplitAcrossReadsInEveryPlaceAreFound() {
        String text = "x".repeat(100) + "é" + T + "P 1 9\n" + "y" + T + "E 1 0\n" + T + "E 2 1\n";
        byte[] all = b(text);
        for (int cut = 1; cut < all.length; cut++) {
            FramedStream s = new FramedStream(T);
            s.accept(all, 0, cut);
            s.accept(all, cut, all.length - cut);
            List<FramedStream.Frame> f = frames(s);
            assertThat(f).as("cut at %d", cut).extracting(FramedStream.Frame::kind).containsExactly('P', 'E', 'E');
            assertThat(new String(f.get(1).output(), StandardCharsets.UTF_8)).as("cut at %d", cut)
                    .isEqualTo("x".repeat(100) + "éy");
            assertThat(f.get(2).output()).isEmpty();
        }
    }

    @Test
    void theEndOfTheStreamIsAnXFrameWithWhatWasLeft() {
        FramedStream s = new FramedStream(T);
        s.pump(new ByteArrayInputStream(b("done" + T + "E 1 0\npartial")));
        List<FramedStream.Frame> f = frames(s);
        assertThat(f).extracting(FramedStream.Frame::kind).containsExactly('E', 'X');
        assertThat(new String(f.get(1).output(), StandardCharsets.UTF_8)).isEqualTo("partial");
    }

    @Test
    void aHugeOutputInSmallReadsIsKeptWhole() {
        FramedStream s = new FramedStream(T);
        byte[] chunk = b("o".repeat(4096));
        for (int i = 0; i < 2_000; i++) {
            s.accept(chunk, 0, chunk.length);
        }
        byte[] end = b(T + "E 1 0\n");
        s.accept(end, 0, end.length);
        assertThat(frames(s).get(0).output()).hasSize(4096 * 2_000);
    }
}
