package org.drover.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.drover.JobTest;
import org.drover.Names;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs quoted words through real shells and checks that every word arrives byte for byte and that
 * nothing in them was executed.
 */
class ShellQuoteTest {
    @TempDir
    Path workDir;

    private Path pwned;
    private List<String> hostile;

    @BeforeEach
    void hostileWords() {
        pwned = Path.of("/tmp/drover-pwned-" + UUID.randomUUID());
        String p = pwned.toString();
        List<String> words = new ArrayList<>(JobTest.HOSTILE);
        words.addAll(List.of(
                "'; touch " + p + " #",
                "$(touch " + p + ")",
                "`touch " + p + "`",
                "\"; touch " + p + "; \"",
                "\\'; touch " + p + " #",
                "'\"'\"'; touch " + p + " #",
                "x\ntouch " + p + "\n",
                "$(touch${IFS}" + p + ")",
                "\"$HOME\"",
                "$HOME",
                "\\\\",
                "'",
                "''",
                "'''",
                "\"\"",
                "",
                "-n",
                "-e",
                "--",
                "*",
                "~",
                "~root",
                "?",
                "[a-z]*",
                "{a,b}",
                "\t",
                "a\tb",
                "a\nb",
                "\n",
                "trailing newline\n",
                "a  b   c",
                "%s",
                "%b\\0",
                "\\0",
                "\\n",
                "\u0001\u0002\u001b[31mred\u001b[0m\u007f",
                "日本語 ✓ \uD83D\uDE80 é"));
        // A word the JVM cannot encode in the platform charset would not reach the shell intact.
        CharsetEncoder encoder = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder();
        words.removeIf(w -> !encoder.canEncode(w));
        hostile = List.copyOf(words);
    }

    @AfterEach
    void nothingWasExecuted() throws IOException {
        boolean created = Files.deleteIfExists(pwned);
        assertThat(created).as("a hostile word was executed and created " + pwned).isFalse();
    }

    @Test
    void quotesInSingleQuotes() {
        assertThat(ShellQuote.quote("abc")).isEqualTo("'abc'");
        assertThat(ShellQuote.quote("")).isEqualTo("''");
        assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\"'\"'s'");
        assertThat(ShellQuote.quote("$(id)")).isEqualTo("'$(id)'");
        assertThat(ShellQuote.join(List.of("echo", "$(id)"))).isEqualTo("'echo' '$(id)'");
        assertThat(ShellQuote.join(List.of())).isEmpty();
    }

    @Test
    void rejectsNul() {
        assertThatThrownBy(() -> ShellQuote.quote("a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> ShellQuote.join(List.of("ok", "a\0b")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/bash", "/bin/dash"})
    void everyWordArrivesUnchangedAndNothingRuns(String shell) {
        assumeTrue(Files.isExecutable(Path.of(shell)), shell + " is not installed");
        for (String word : hostile) {
            assertThat(runPrintf(shell, List.of(word))).as("%s with %s", shell, Names.printable(word))
                    .containsExactly(word);
            assertThat(pwned).as("after %s", Names.printable(word)).doesNotExist();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/bash", "/bin/dash"})
    void allWordsTogetherArriveUnchangedAndInOrder(String shell) {
        assumeTrue(Files.isExecutable(Path.of(shell)), shell + " is not installed");
        assertThat(runPrintf(shell, hostile)).containsExactlyElementsOf(hostile);
        assertThat(pwned).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/bash"})
    void aQuotedProgramNameIsNotInterpreted(String shell) {
        assumeTrue(Files.isExecutable(Path.of(shell)), shell + " is not installed");
        // The whole command line is quoted, program included: a hostile "program" is just a missing file.
        String line = ShellQuote.join(List.of("printf '%s' x; touch " + pwned, "arg"));
        Result r = run(shell, line);
        assertThat(r.exitCode).isEqualTo(127);
        assertThat(pwned).doesNotExist();
    }

    @Test
    void theCheckItselfDetectsUnquotedInjection() {
        // Guards the test: the same payload, unquoted, does create the file.
        Result r = run("/bin/sh", "printf '%s\\0' x; touch " + pwned + " #");
        assertThat(r.exitCode).isZero();
        assertThat(pwned).exists();
        assertThat(pwned.toFile().delete()).isTrue();
    }

    private List<String> runPrintf(String shell, List<String> words) {
        Result r = run(shell, "printf '%s\\0' " + ShellQuote.join(words));
        assertThat(r.stderr).as("stderr").isEmpty();
        assertThat(r.exitCode).as("exit code").isZero();
        String out = new String(r.stdout, StandardCharsets.UTF_8);
        assertThat(out).endsWith("\0");
        return Arrays.asList(out.substring(0, out.length() - 1).split("\0", -1));
    }

    private Result run(String shell, String commandLine) {
        try {
            Process p = new ProcessBuilder(shell, "-c", commandLine).directory(workDir.toFile()).start();
            p.getOutputStream().close();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("shell finished").isTrue();
            return new Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in; ByteArrayOutputStream buf = new ByteArrayOutputStream()) {
            in.transferTo(buf);
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Result(int exitCode, byte[] stdout, String stderr) {}
}
