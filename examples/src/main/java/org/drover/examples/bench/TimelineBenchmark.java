package org.drover.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.drover.report.Timeline;
import org.drover.run.AttemptRecord;
import org.drover.run.RunRecord;
import org.drover.run.StateChange;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;

/**
 * How long headless Chromium takes to load and lay out a {@link Timeline} of 1,000 and of 10,000
 * attempts (the sizes are the arguments), side by side. Not a timed test: a figure for
 * docs/performance.md.
 *
 * <p>For each size it makes a run record of that many attempts (every tenth task retried once, a
 * mix of end states, over an hour), writes its page with {@link Timeline#write}, and loads it 5
 * times in {@code chromium --headless --dump-dom}. Three figures per load:
 * <ul>
 *   <li>{@code in page}: what the page itself measures, from navigation start to its {@code load}
 *       event with style and layout forced ({@code data-layout-ms}, see the page's script), with the
 *       first 300 rows of the chart and 200 of the table drawn (the page draws the others when they
 *       come near the screen or the browser is idle);</li>
 *   <li>{@code all drawn}: the same, for the page opened as {@code page.html#draw-all}, which draws
 *       every row of the chart and of the table before its {@code load} event;</li>
 *   <li>{@code process}: the wall time of the Chromium process minus that of the same process on an
 *       empty page (its start-up), i.e. load, parse, style, layout and serialization of the DOM.</li>
 * </ul>
 * It also reports the page's size and the time Java takes to make it. Run it with
 *
 * <pre>
 * mvn -o -q -pl examples -am compile exec:java -Dexec.mainClass=org.drover.examples.bench.TimelineBenchmark \
 *     -Dexec.args="1000 10000"
 * </pre>
 */
public final class TimelineBenchmark {
    private static final int LOADS = 5;
    private static final Pattern LAYOUT_MS = Pattern.compile("data-layout-ms=\"(\\d+)\"");

    private TimelineBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args the numbers of attempts, default {@code 1000 10000}
     * @throws Exception if chromium cannot be run
     */
    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[] {1_000, 10_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Path dir = Files.createDirectories(Path.of("target", "timeline-bench").toAbsolutePath());
        Path empty = dir.resolve("empty.html");
        Files.writeString(empty, "<!DOCTYPE html><title>empty</title><p>empty</p>");
        load(empty.toUri().toString(), dir);   // warm the disk cache and chromium's own files
        double baseline = median(loads(empty, dir));
        System.out.printf(Locale.ROOT, "chromium on an empty page: %.0f ms (start-up, subtracted below)%n", baseline);
        for (int n : sizes) {
            RunRecord run = record(n);
            long t0 = System.nanoTime();
            Timeline timeline = Timeline.of(run, dir);
            Path page = timeline.write(dir.resolve("timeline-" + n + ".html"));
            double javaMs = (System.nanoTime() - t0) / 1e6;
            List<Double> inPage = new ArrayList<>();
            List<Double> allDrawn = new ArrayList<>();
            List<Double> process = new ArrayList<>();
            for (int i = 0; i < LOADS; i++) {   // alternating, so that both see the same machine
                process.add(loadOnce(page.toUri().toString(), dir, inPage));
                loadOnce(page.toUri() + "#draw-all", dir, allDrawn);
            }
            System.out.printf(Locale.ROOT, "%,7d attempts: page %,.1f MB (Java: %.0f ms); chromium: in page %.0f ms "
                            + "(median of %d, max %.0f), all drawn %.0f ms (max %.0f), process %.0f ms above start-up "
                            + "(median, max %.0f)%n",
                    timeline.attempts(), Files.size(page) / 1e6, javaMs, median(inPage), LOADS, max(inPage),
                    median(allDrawn), max(allDrawn), median(process) - baseline, max(process) - baseline);
        }
    }

    private static List<Double> loads(Path page, Path dir) throws IOException, InterruptedException {
        List<Double> wall = new ArrayList<>();
        for (int i = 0; i < LOADS; i++) {
            long t0 = System.nanoTime();
            load(page.toUri().toString(), dir);
            wall.add((System.nanoTime() - t0) / 1e6);
        }
        return wall;
    }

    /** Loads the page once; adds what it measured itself to {@code inPage}; returns the process's wall time. */
    private static double loadOnce(String url, Path dir, List<Double> inPage) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        String dom = load(url, dir);
        double wall = (System.nanoTime() - t0) / 1e6;
        Matcher m = LAYOUT_MS.matcher(dom);
        if (!m.find() || dom.contains("data-errors=")) {
            throw new IllegalStateException("the page did not lay out without errors: "
                    + dom.substring(0, Math.min(500, dom.length())));
        }
        inPage.add(Double.parseDouble(m.group(1)));
        return wall;
    }

    /** The DOM of the page after its scripts ran, as headless chromium dumps it. */
    private static String load(String url, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("dom.html");
        Process p = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + dir.resolve("profile"), "--dump-dom", url)
                .redirectOutput(out.toFile()).redirectError(dir.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 120 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chromium exited " + p.exitValue() + ", see " + dir.resolve("chromium.log"));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A run of {@code n} attempts over an hour: every tenth task failed once before it completed; some failed for good. */
    static RunRecord record(int n) {
        Instant start = Instant.parse("2026-12-05T10:00:00Z");
        List<TaskRecord> tasks = new ArrayList<>();
        int made = 0;
        for (int i = 0; made < n; i++) {
            String name = "train_" + i;
            int attempts = i % 10 == 3 && made + 2 <= n ? 2 : 1;
            List<AttemptRecord> list = new ArrayList<>();
            Instant submitted = start.plusMillis(i * 3_600_000L / Math.max(1, n));
            for (int k = 1; k <= attempts; k++) {
                Instant running = submitted.plusMillis(500 + (i * 7919L % 60_000));
                Instant ended = running.plusMillis(5_000 + (i * 104_729L % 300_000));
                JobState end = k < attempts ? JobState.NODE_FAIL : i % 97 == 5 ? JobState.FAILED
                        : i % 101 == 7 ? JobState.TIMEOUT : JobState.COMPLETED;
                String reason = end == JobState.COMPLETED ? "" : end + ": exit code 1";
                list.add(new AttemptRecord(k, "drv" + i + "x" + k, String.valueOf(1000 + made + k), end,
                        end == JobState.COMPLETED ? 0 : 1, reason, submitted, ended, "bench_x/" + name + "/" + k,
                        List.of(new StateChange(submitted, JobState.PENDING, ""),
                                new StateChange(running, JobState.RUNNING, ""), new StateChange(ended, end, reason)),
                        null, null));
                submitted = ended.plusSeconds(1);
            }
            made += attempts;
            JobState last = list.get(list.size() - 1).state();
            tasks.add(new TaskRecord(name, last == JobState.COMPLETED ? TaskState.COMPLETED : TaskState.FAILED,
                    list.get(list.size() - 1).reason(), null, list));
        }
        return new RunRecord("bench", "slurm", "bench_x", start.plusSeconds(7200), tasks);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[v.length / 2];
    }
}
