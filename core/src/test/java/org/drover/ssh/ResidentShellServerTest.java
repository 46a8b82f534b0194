package org.drover.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.drover.shell.ShellQuote;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident shell's server script, run by the real {@code dash} and {@code bash} of this
 * machine with its stdin fed as {@link ResidentShell} feeds it: frames, exit codes, what a
 * command leaves running, and a command cut off by the end of stdin.
 */
class ResidentShellServerTest {
    private static final String T = "\u0001drover-test:";

    @TempDir
    Path tmp;

    /** The server's stdout and stderr for this input (the token line first). */
    private static String[] serve(String shell, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(shell, "-c", ResidentShell.SERVER).start();
        try (var in = p.getOutputStream()) {
            in.write((T + "\n" + input).getBytes(StandardCharsets.UTF_8));
        }
        // Read both at once: the server runs until its stdin ends.
        var out = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> {
            try {
                out.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.completeExceptionally(e);
            }
        }).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String[] {out.join(), err};
    }

    private static String command(int id, List<String> words) {
        String line = ShellQuote.join(words);
        return id + " " + line.split("\n", -1).length + "\n" + line + "\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"dash", "bash"})
    void eachCommandGetsItsOutputAndStatusBetweenFrames(String shell) throws Exception {
        String[] r = serve(shell, command(1, List.of("printf", "%s", "a\nb'c $HOME `x`"))
                + command(2, List.of("sh", "-c", "echo err >&2; exit 3"))
                + command(3, List.of("no-such-program-here")));
        FramedStream out = new FramedStream(T);
        FramedStream err = new FramedStream(T);
        out.pump(new ByteArrayInputStream(r[0].getBytes(StandardCharsets.UTF_8)));
        err.pump(new ByteArrayInputStream(r[1].getBytes(StandardCharsets.UTF_8)));
        List<FramedStream.Frame> o = new ArrayList<>();
        out.frames().drainTo(o);
        List<FramedStream.Frame> e = new ArrayList<>();
        err.frames().drainTo(e);
        List<FramedStream.Frame> ends = o.stream().filter(f -> f.kind() == 'E').toList();
        assertThat(ends).extracting(FramedStream.Frame::id).containsExactly(1L, 2L, 3L);
        assertThat(new String(ends.get(0).output(), StandardCharsets.UTF_8)).isEqualTo("a\nb'c $HOME `x`");
        assertThat(ends).extracting(f -> f.number(0)).containsExactly(0, 3, 127);
        assertThat(o.stream().filter(f -> f.kind() == 'P')).hasSize(3);
        List<FramedStream.Frame> errEnds = e.stream().filter(f -> f.kind() == 'E').toList();
        assertThat(new String(errEnds.get(1).output(), StandardCharsets.UTF_8)).isEqualTo("err\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dash", "bash"})
    void aCommandThatLeavesAProcessRunningIsMarkedAndTheProcessIsLeftAlone(String shell) throws Exception {
        Path done = tmp.resolve("done-" + shell);
        String[] r = serve(shell, command(1, List.of("sh", "-c", "(sleep 0.3; echo later > \"$0\") & echo now", done.toString()))
                + command(2, List.of("echo", "second")));
        assertThat(r[0]).contains(T + "E 1 0 L\n").contains(T + "E 2 0\n");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done) && Files.size(done) > 0);
        assertThat(done).hasContent("later");   // not killed
    }

    @ParameterizedTest
    @ValueSource(strings = {"dash", "bash"})
    void aCommandSeesOnlyItsOwnStreamsAndOneThatStopsItselfIsKilledNotLeftStopped(String shell) throws Exception {
        // Without job control (dash) a stopped command is waited for until its timeout kills it:
        // only bash's server is given one here.
        String stop = shell.equals("bash") ? command(2, List.of("sh", "-c", "kill -STOP $$; echo not-reached")) : "";
        String[] r = serve(shell, command(1, List.of("sh", "-c", "if [ -e /proc/$$/fd/3 ]; then echo fd3-open; else echo fd3-closed; fi"))
                + stop);
        assertThat(r[0]).contains("fd3-closed").doesNotContain("fd3-open").doesNotContain("not-reached");
        if (shell.equals("bash")) {   // job control: wait returns at the stop; the command is then killed
            assertThat(r[0]).contains(T + "E 2 137");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dash", "bash"})
    void aCommandCutOffByTheEndOfStdinNeverRuns(String shell) throws Exception {
        Path ran = tmp.resolve("ran-" + shell);
        // The connection went in the middle of the line, between two words: what came is a whole
        // command, but not the one that was sent (its last word and newline never came).
        String[] r = serve(shell, "1 1\n'sh' '-c' 'echo ran > \"$0\"' '" + ran + "'");
        assertThat(r[0]).doesNotContain(T + "P 1");
        assertThat(ran).doesNotExist();
    }
}
