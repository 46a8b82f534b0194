package org.drover.examples.report;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, run headless on a file: the DOM after the page's scripts ran
 * ({@code --dump-dom}), what the browser logged ({@code --enable-logging=stderr}: the page's console
 * messages and uncaught errors are its {@code CONSOLE} lines), and screenshots.
 *
 * <p>Under {@code -Ddrover.browser.required=true} (examples' {@code -Ptestbed} profile, CI) a
 * missing chromium fails the tests; otherwise they are skipped. {@code chromium-testbed.sh up}
 * (beside {@code slurm-testbed.sh}) installs it.
 */
final class HeadlessChromium {
    /** What a load gave: the DOM as HTML, and chromium's log. */
    record Load(String dom, String log) {
        /** The lines of the log that are the page's console messages or uncaught errors. */
        List<String> consoleLines() {
            return log.lines().filter(l -> l.contains(":CONSOLE")).toList();
        }
    }

    private final Path work;

    private HeadlessChromium(Path work) {
        this.work = work;
    }

    /** Chromium, with its profile and logs in {@code work}; skips (or fails, if required) without one. */
    static HeadlessChromium in(Path work) {
        boolean installed = onPath("chromium");
        if (!installed && Boolean.getBoolean("drover.browser.required")) {
            fail("headless Chromium is required (drover.browser.required=true) but `chromium` is not on the PATH;"
                    + " install it with: sudo bash slurm/src/test/testbed/chromium-testbed.sh up");
        }
        assumeTrue(installed, "no chromium on the PATH (bash slurm/src/test/testbed/chromium-testbed.sh up installs it)");
        return new HeadlessChromium(work);
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Loads {@code page} and returns its DOM once the page is quiet: {@code --virtual-time-budget}
     * lets its scripts, load handlers and idle callbacks run first.
     */
    Load dumpDom(Path page) throws IOException, InterruptedException {
        Path dom = work.resolve("dom-" + System.nanoTime() + ".html");
        String log = run(List.of("--virtual-time-budget=10000", "--dump-dom", page.toUri().toString()), dom);
        return new Load(Files.readString(dom, StandardCharsets.UTF_8), log);
    }

    /** Takes a screenshot of {@code page} at this window size into {@code png}; returns chromium's log. */
    String screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        return run(List.of("--window-size=" + width + "," + height, "--virtual-time-budget=5000",
                "--screenshot=" + png.toAbsolutePath(), page.toUri().toString()), work.resolve("screenshot.out"));
    }

    private String run(List<String> args, Path stdout) throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path log = work.resolve("chromium-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + work.resolve("profile"), "--enable-logging=stderr", "--v=0"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within 120 s: " + command + "\n" + Files.readString(log));
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("chromium exited " + p.exitValue() + ": " + command + "\n" + text);
        }
        return text;
    }
}
