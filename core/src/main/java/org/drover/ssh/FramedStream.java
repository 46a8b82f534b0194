package org.drover.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One output stream (stdout or stderr) of a {@link ResidentShell}, cut into the outputs of the
 * commands it ran. The server marks events with frames {@code <token><kind> <words...>\n}, where
 * the token is a random string the commands never see: {@code P <id> <pid>} (a command started),
 * {@code E <id> [<status>]} (it ended: everything before the frame since the last end is its
 * output). A frame is written with one {@code printf}, so it is never split by a command's output;
 * a command's output need not end with a newline.
 *
 * <p>{@link #pump} reads the stream until it ends (on its own thread, so that stdout and stderr are
 * drained at once and a huge output never blocks the command); frames go to {@link #frames()}; the
 * end of the stream is a frame of kind {@code X}.
 */
final class FramedStream {
    /** An event on the stream: the output before it (for an end), its kind and words. */
    record Frame(char kind, long id, String[] words, byte[] output) {
        /** The word at {@code i} after the id, as a number, or null. */
        Integer number(int i) {
            try {
                return i < words.length ? Integer.valueOf(words[i]) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private final byte[] token;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private byte[] buf = new byte[8 * 1024];
    private int len;
    private int scanFrom;

    FramedStream(String token) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
    }

    BlockingQueue<Frame> frames() {
        return frames;
    }

    /** Reads the stream to its end, then puts an {@code X} frame (with what was left) and closes it. */
    void pump(InputStream in) {
        byte[] chunk = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                accept(chunk, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            // the channel or the connection went away: the X frame says so
        }
        synchronized (this) {
            frames.add(new Frame('X', -1, new String[0], Arrays.copyOf(buf, len)));
            len = 0;
        }
    }

    /** What the current command printed so far (for a command that timed out). */
    synchronized byte[] pending() {
        return Arrays.copyOf(buf, len);
    }

    /** Takes more bytes of the stream and emits every complete frame in what has come. */
    synchronized void accept(byte[] b, int off, int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
        while (true) {
            int at = indexOf(buf, len, token, scanFrom);
            if (at < 0) {
                scanFrom = Math.max(0, len - token.length + 1);
                return;
            }
            int nl = at + token.length;
            while (nl < len && buf[nl] != '\n') {
                nl++;
            }
            if (nl >= len) {
                scanFrom = at;   // the frame's line is not complete yet
                return;
            }
            String line = new String(buf, at + token.length, nl - at - token.length, StandardCharsets.US_ASCII);
            String[] words = line.split(" ");
            char kind = words[0].isEmpty() ? '?' : words[0].charAt(0);
            long id;
            try {
                id = words.length > 1 ? Long.parseLong(words[1]) : -1;
            } catch (NumberFormatException e) {
                id = -1;
            }
            String[] rest = words.length > 2 ? Arrays.copyOfRange(words, 2, words.length) : new String[0];
            if (kind == 'E') {
                frames.add(new Frame(kind, id, rest, Arrays.copyOf(buf, at)));
                int after = nl + 1;
                System.arraycopy(buf, after, buf, 0, len - after);
                len -= after;
                scanFrom = 0;
            } else {
                frames.add(new Frame(kind, id, rest, new byte[0]));
                int after = nl + 1;   // cut the frame out of the command's output
                System.arraycopy(buf, after, buf, at, len - after);
                len -= after - at;
                scanFrom = at;
            }
        }
    }

    private static int indexOf(byte[] hay, int hayLen, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hayLen - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
