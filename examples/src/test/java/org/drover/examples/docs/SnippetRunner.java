package org.drover.examples.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Runs every {@code ```java} block of a Markdown document, in order, in one JShell session, the way a
 * reader would paste them into a notebook: a block may use what an earlier block of the same document
 * declared, and nothing else. Started by {@link DocSnippetsTest} in a fresh working directory.
 *
 * <p>A block fails when a snippet does not compile, or when it throws an exception that the block does
 * not announce. An exception is announced by a comment on the snippet's last line that starts with its
 * simple class name and a prefix of its message ({@code // IllegalArgumentException: job name 'a b' ...});
 * a value is checked by a comment {@code // == 17179869184} (strings in quotes, as JShell shows them).
 * The fence's info string may say {@code java compile-only} (the block is compiled as the body of a
 * method and not run: it needs a cluster) — every block is compiled, none is skipped. A block that is
 * a whole source file (its own imports and a class) is compiled by javac on its own, without the
 * session's imports, so its imports must be complete.
 *
 * <p>Usage: {@code java -cp <class path> org.drover.examples.docs.SnippetRunner <file.md>}; prints one line
 * per block and exits 1 if any failed.
 */
public final class SnippetRunner {
    static final List<String> IMPORTS = List.of(
            "java.nio.file.*", "java.time.*", "java.util.*", "java.util.function.*",
            "org.drover.*", "org.drover.scheduler.*", "org.drover.shell.*", "org.drover.local.*",
            "org.drover.run.*", "org.drover.slurm.*", "org.drover.pbs.*", "org.drover.ssh.*");
    private static final Pattern FENCE = Pattern.compile("(?m)^```java([^\\n]*)\\n(.*?)^```\\s*$", Pattern.DOTALL);

    private SnippetRunner() {}

    /** One fenced block: its line in the document, its info-string flags and its text. */
    record Block(int line, String flags, String text) {}

    static List<Block> blocks(String markdown) {
        List<Block> out = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            int line = (int) markdown.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
            out.add(new Block(line, m.group(1).trim(), m.group(2)));
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path doc = Path.of(args[0]);
        List<Block> blocks = blocks(Files.readString(doc));
        int failed = 0;
        try (JShell shell = JShell.builder().executionEngine("local").out(System.out).err(System.err).build()) {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            for (String imp : IMPORTS) {
                requireValid(shell.eval("import " + imp + ";"), "import " + imp);
            }
            for (Block b : blocks) {
                String problem = run(shell, b);
                System.out.printf("%s:%d %s%s%n", doc.getFileName(), b.line(), problem == null ? "ok" : "FAILED: ",
                        problem == null ? "" : problem);
                if (problem != null) {
                    failed++;
                }
            }
        }
        System.out.printf("%s: %d blocks, %d failed%n", doc.getFileName(), blocks.size(), failed);
        System.exit(failed == 0 ? 0 : 1);
    }

    private static void requireValid(List<SnippetEvent> events, String what) {
        for (SnippetEvent e : events) {
            if (e.status() == Snippet.Status.REJECTED) {
                throw new IllegalStateException("cannot evaluate " + what);
            }
        }
    }

    /** Runs one block; null when it passed, else what went wrong. */
    static String run(JShell shell, Block block) {
        String text = block.text();
        if (block.flags().contains("compile-only")) {
            return compileOnly(shell, block);
        }
        if (isCompilationUnit(text)) {
            return compileUnit(block);
        }
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = text;
        int consumed = 0;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (!info.completeness().isComplete()) {
                return "incomplete code at: " + firstLine(remaining);
            }
            String source = info.source();
            int end = consumed + remaining.length() - info.remaining().length();
            String comment = trailingComment(text, codeEnd(text, consumed, end));
            String problem = eval(shell, source, comment);
            if (problem != null) {
                return problem;
            }
            consumed = end;
            remaining = info.remaining();
        }
        return null;
    }

    /** A whole source file (imports and a class): compiled by javac on its own, without the session's imports. */
    static boolean isCompilationUnit(String text) {
        return text.lines().anyMatch(l -> l.startsWith("import ")) && text.lines().anyMatch(l -> l.matches("(public )?(final )?class \\w+.*"));
    }

    static String compileUnit(Block block) {
        Matcher name = Pattern.compile("(?m)^(?:public )?(?:final )?class (\\w+)").matcher(block.text());
        if (!name.find()) {
            return "no class name";
        }
        try {
            Path dir = Files.createTempDirectory("snippet");
            Path source = dir.resolve(name.group(1) + ".java");
            Files.writeString(source, block.text());
            java.io.StringWriter diagnostics = new java.io.StringWriter();
            javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
            boolean ok = javac.getTask(diagnostics, null, null,
                    List.of("-d", dir.toString(), "-classpath", System.getProperty("java.class.path"), "-proc:none", "-Xlint:all", "-Werror"),
                    null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(source)).call();
            return ok ? null : "does not compile as a file of its own: " + diagnostics;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String compileOnly(JShell shell, Block block) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : block.text().split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        for (String imp : imports.toString().split("\n")) {
            if (!imp.isBlank()) {
                String p = eval(shell, imp, "");
                if (p != null) {
                    return p;
                }
            }
        }
        String method = "void compileOnly_" + block.line() + "() throws Exception {\n" + body + "\n}";
        return eval(shell, method, "");
    }

    private static String eval(JShell shell, String source, String comment) {
        for (SnippetEvent e : shell.eval(source)) {
            if (e.status() == Snippet.Status.REJECTED || e.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED
                    || e.status() == Snippet.Status.RECOVERABLE_DEFINED) {
                String diags = shell.diagnostics(e.snippet()).map(d -> d.getMessage(null)).collect(Collectors.joining("; "));
                if (diags.isEmpty() && e.status() != Snippet.Status.REJECTED) {
                    diags = "uses something undefined: " + shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) e.snippet())
                            .collect(Collectors.joining(", "));
                }
                return "does not compile: " + firstLine(source) + " -- " + diags;
            }
            if (e.exception() != null) {
                String name = e.exception() instanceof EvalException ee ? simpleName(ee.getExceptionClassName())
                        : e.exception().getClass().getSimpleName();
                String message = String.valueOf(e.exception().getMessage());
                if (!announces(comment, name, message)) {
                    return "throws " + name + ": " + message + " at: " + firstLine(source);
                }
            } else if (comment.startsWith("== ") && e.value() != null && e.causeSnippet() == null) {
                String expected = comment.substring(3).trim();
                int note = expected.indexOf("  ");       // "== 512M   (an explanation)"
                expected = note < 0 ? expected : expected.substring(0, note);
                if (!expected.equals(e.value())) {
                    return "value of " + firstLine(source) + " is " + e.value() + ", the comment says " + expected;
                }
            } else if (e.exception() == null && announcesAny(comment) && e.causeSnippet() == null
                    && e.status() == Snippet.Status.VALID && e.snippet().kind() != Snippet.Kind.IMPORT) {
                return "the comment announces an exception that was not thrown: " + firstLine(source) + " // " + comment;
            }
        }
        return null;
    }

    private static boolean announcesAny(String comment) {
        return comment.matches("^[A-Z][A-Za-z]*Exception: .*");
    }

    static boolean announces(String comment, String exceptionName, String message) {
        if (!comment.startsWith(exceptionName + ": ")) {
            return false;
        }
        String said = comment.substring(exceptionName.length() + 2).trim();
        if (said.endsWith("...") || said.endsWith("…")) {
            said = said.substring(0, said.length() - (said.endsWith("...") ? 3 : 1)).trim();
        }
        return message.startsWith(said);
    }

    private static String simpleName(String className) {
        int dot = Math.max(className.lastIndexOf('.'), className.lastIndexOf('$'));
        return className.substring(dot + 1);
    }

    /**
     * Where a snippet's code ends within {@code text[from, to)}: JShell may count the comment lines
     * that follow a snippet as part of it, and the comment on its last line.
     */
    static int codeEnd(String text, int from, int to) {
        String[] lines = text.substring(from, to).split("\n", -1);
        int last = lines.length - 1;
        while (last > 0 && (lines[last].isBlank() || lines[last].trim().startsWith("//"))) {
            last--;
        }
        int offset = from;
        for (int i = 0; i < last; i++) {
            offset += lines[i].length() + 1;
        }
        String line = lines[last];
        int comment = commentStart(line);
        if (comment >= 0) {
            return offset + comment;
        }
        return offset + line.stripTrailing().length();
    }

    /**
     * Where the line's {@code //} comment starts, outside string and char literals (a comment may
     * hold quotes itself: {@code // == "01:30:00"}), or -1.
     */
    static int commentStart(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
                return i;
            }
        }
        return -1;
    }

    /** The {@code //} comment on the line where a snippet ends, or on the next line when that one is only a comment. */
    static String trailingComment(String text, int end) {
        int eol = text.indexOf('\n', end);
        String rest = text.substring(end, eol < 0 ? text.length() : eol).trim();
        if (rest.isEmpty() && eol >= 0) {
            int next = text.indexOf('\n', eol + 1);
            String nextLine = text.substring(eol + 1, next < 0 ? text.length() : next).trim();
            if (nextLine.startsWith("//")) {
                rest = nextLine;
            }
        }
        return rest.startsWith("//") ? rest.substring(2).trim() : "";
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " ...";
    }
}
