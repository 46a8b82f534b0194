package org.drover.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Java block of the README and of docs/*.md runs as written: {@link SnippetRunner} evaluates a
 * document's blocks in order in one JShell session, in a fresh working directory, against the
 * LocalScheduler. A document can no longer drift from the API.
 */
class DocSnippetsTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    static Stream<Path> documents() throws IOException {
        try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
            return Stream.concat(Stream.of(REPO.resolve("README.md")),
                    docs.filter(p -> p.toString().endsWith(".md")).sorted().toList().stream());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void everyJavaBlockRunsAsWritten(Path doc, @TempDir Path workDir) throws Exception {
        // The README's study calls the scripts in examples/study by a path relative to the clone.
        copyTree(REPO.resolve("examples/study"), workDir.resolve("examples/study"));
        Process p = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                SnippetRunner.class.getName(), doc.toString())
                .directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("blocks of %s:%n%s", REPO.relativize(doc), out).isZero();
        assertThat(out).as(out).contains(doc.getFileName() + ": ").doesNotContain("FAILED");
    }

    @Test
    void everyDocumentWithJavaHasBlocksTheRunnerFinds() throws IOException {
        List<Path> docs = documents().toList();
        assertThat(docs).contains(REPO.resolve("README.md"), REPO.resolve("docs/user-guide.md"));
        for (Path doc : docs) {
            String text = Files.readString(doc);
            long fences = text.lines().filter(l -> l.startsWith("```java")).count();
            assertThat(SnippetRunner.blocks(text)).as(doc.toString()).hasSize((int) fences);
        }
    }

    @Test
    void anExceptionMustBeAnnouncedByItsNameAndMessage() {
        assertThat(SnippetRunner.announces("IllegalArgumentException: job name 'a b' ...", "IllegalArgumentException",
                "job name 'a b' is not allowed")).isTrue();
        assertThat(SnippetRunner.announces("IllegalArgumentException: job name 'x'", "IllegalArgumentException",
                "job name 'a b' is not allowed")).isFalse();
        assertThat(SnippetRunner.announces("a comment", "IllegalArgumentException", "anything")).isFalse();
        assertThat(SnippetRunner.trailingComment("x = 1;   // == 1\ny", 6)).isEqualTo("== 1");
        assertThat(SnippetRunner.trailingComment("f();\n// IllegalStateException: no\n", 4)).isEqualTo("IllegalStateException: no");
        // A comment that holds quotes is still found, and "//" inside a string is no comment.
        String quoted = "f(\"a//b\");   // == \"x\"";
        assertThat(SnippetRunner.trailingComment(quoted, SnippetRunner.codeEnd(quoted, 0, quoted.length()))).isEqualTo("== \"x\"");
        assertThat(SnippetRunner.commentStart("g('\"', \"//\");")).isEqualTo(-1);
    }

    @Test
    void aWholeSourceFileIsCompiledWithItsOwnImportsOnly() {
        String missingImport = "import org.drover.Job;\n\nclass Uses {\n    LocalScheduler local;\n}\n";
        String complete = "import org.drover.local.LocalScheduler;\n\nclass Uses {\n    LocalScheduler local;\n}\n";
        assertThat(SnippetRunner.isCompilationUnit(missingImport)).isTrue();
        assertThat(SnippetRunner.compileUnit(new SnippetRunner.Block(1, "", missingImport))).contains("LocalScheduler");
        assertThat(SnippetRunner.compileUnit(new SnippetRunner.Block(1, "", complete))).isNull();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString().replace('/', File.separatorChar));
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
