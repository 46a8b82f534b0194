package org.drover.examples.bench;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.drover.scheduler.JobStatus;
import org.drover.slurm.internal.SlurmOutputParser;
import org.drover.slurm.internal.SlurmRow;
import org.drover.slurm.internal.SlurmStates;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing one squeue answer of {@value #LINES} lines in Drover's format
 * ({@link SlurmOutputParser#SQUEUE_FORMAT}, {@code %i|%T|%r|%S|%e}, with {@code --array}): the
 * poll of a very large run. Target: well below 100 ms per parse.
 *
 * <p>The output is built once, from a seeded {@link Random}, in the shapes the testbed printed
 * (slurm/src/test/resources/fixtures/squeue-drover-format_*.txt): plain ids, array tasks
 * {@code 812345_17} (arrays of 1,000 tasks), a few het components {@code 812345+1}; pending jobs
 * with {@code N/A|N/A} or an estimated start and {@code NONE}, running jobs with a start and
 * {@code NONE} or start plus limit, ended ones with start and end; the reasons squeue gives in each
 * state. Lines are grouped by state as squeue prints them.
 *
 * <pre>
 * mvn -q -o install -DskipTests
 * mvn -q -o dependency:build-classpath -pl examples -Dmdep.outputFile=/tmp/cp.txt
 * java -cp examples/target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main SqueueParseBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SqueueParseBenchmark {
    static final int LINES = 100_000;
    private static final ZoneId CLUSTER = ZoneOffset.UTC;
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 11, 25, 8, 5, 25);
    /** squeue's time form: always with seconds (LocalDateTime.toString drops ":00"). */
    private static final DateTimeFormatter SLURM_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** The seed of the generated output (the same output for every fork). */
    @Param("42")
    long seed;

    String output;

    @Setup(Level.Trial)
    public void buildOutput() {
        output = squeueOutput(LINES, new Random(seed));
        int rows = SlurmOutputParser.parseSqueue(output).size();
        if (rows != LINES) {   // measure parsing, not skipping
            throw new IllegalStateException("the generated output parses to " + rows + " rows, not " + LINES);
        }
    }

    /** squeue's rows only. */
    @Benchmark
    public List<SlurmRow> parse() {
        return SlurmOutputParser.parseSqueue(output);
    }

    /** Rows and the status of each (state table, reasons, times): what one status() poll does with them. */
    @Benchmark
    public void parseAndStatus(Blackhole bh) {
        for (SlurmRow row : SlurmOutputParser.parseSqueue(output)) {
            JobStatus s = SlurmStates.toStatus(row, CLUSTER);
            bh.consume(s);
        }
    }

    /** A realistic squeue answer of {@code lines} lines. */
    static String squeueOutput(int lines, Random rnd) {
        StringBuilder[] byState = new StringBuilder[State.values().length];
        for (int i = 0; i < byState.length; i++) {
            byState[i] = new StringBuilder();
        }
        long nextJob = 812_345;
        int arrayTask = -1;   // >= 0 while inside an array
        long arrayId = 0;
        for (int n = 0; n < lines; n++) {
            String id;
            if (arrayTask >= 0) {
                id = arrayId + "_" + arrayTask;
                arrayTask = arrayTask == 999 ? -1 : arrayTask + 1;
            } else {
                int kind = rnd.nextInt(100);
                if (kind < 2) {   // a het job: two components
                    long het = nextJob;
                    nextJob += 2;
                    id = het + "+0";
                    State s = State.pick(rnd);
                    line(byState, s, id, rnd);
                    n++;
                    id = het + "+1";
                } else if (kind < 6) {   // an array of 1,000 tasks starts
                    arrayId = nextJob++;
                    nextJob += 1_000;   // started tasks consume job ids
                    id = arrayId + "_0";
                    arrayTask = 1;
                } else {
                    id = Long.toString(nextJob++);
                }
            }
            if (n < lines) {
                line(byState, State.pick(rnd), id, rnd);
            }
        }
        StringBuilder out = new StringBuilder(lines * 56);
        for (StringBuilder sb : byState) {
            out.append(sb);
        }
        return out.toString();
    }

    private static void line(StringBuilder[] byState, State s, String id, Random rnd) {
        LocalDateTime start = NOW.minusSeconds(rnd.nextInt(86_400));
        LocalDateTime end = start.plusSeconds(1 + rnd.nextInt(7_200));
        String times;
        switch (s) {
            case PENDING:
                times = rnd.nextBoolean() ? "N/A|N/A" : SLURM_TIME.format(NOW.plusYears(1).plusSeconds(rnd.nextInt(60)))
                        + "|NONE";
                break;
            case RUNNING:
            case COMPLETING:
                times = SLURM_TIME.format(start) + "|" + (rnd.nextInt(4) == 0 ? "NONE" : SLURM_TIME.format(start.plusHours(2)));
                break;
            default:
                times = SLURM_TIME.format(start) + "|" + SLURM_TIME.format(end);
        }
        String[] reasons = s.reasons;
        byState[s.ordinal()].append(id).append('|').append(s.name()).append('|')
                .append(reasons[rnd.nextInt(reasons.length)]).append('|').append(times).append('\n');
    }

    /** squeue's state words with a share of the lines and the reasons printed with them. */
    private enum State {
        CANCELLED(3, "None", "DependencyNeverSatisfied", "JobHeldUser", "Resources"),
        COMPLETED(30, "None"),
        COMPLETING(1, "None"),
        FAILED(5, "NonZeroExitCode", "JobLaunchFailure", "BadConstraints"),
        PENDING(40, "Priority", "Resources", "Dependency", "DependencyNeverSatisfied", "JobHeldUser",
                "JobHeldAdmin", "JobArrayTaskLimit", "QOSMaxJobsPerUserLimit", "ReqNodeNotAvail,_Reserved_for_maintenance"),
        RUNNING(20, "None"),
        TIMEOUT(1, "TimeLimit");

        final int share;
        final String[] reasons;

        State(int share, String... reasons) {
            this.share = share;
            this.reasons = reasons;
        }

        static State pick(Random rnd) {
            int x = rnd.nextInt(100);
            for (State s : values()) {
                x -= s.share;
                if (x < 0) {
                    return s;
                }
            }
            return PENDING;
        }
    }

    /** {@code java ... SqueueParseBenchmark} without JMH: one output's size and a rough timing. */
    public static void main(String[] args) {
        SqueueParseBenchmark b = new SqueueParseBenchmark();
        b.seed = 42;
        b.buildOutput();
        System.out.println(b.output.length() + " chars, first lines:");
        b.output.lines().limit(3).forEach(System.out::println);
        for (int i = 0; i < 10; i++) {
            long t = System.nanoTime();
            int rows = b.parse().size();
            System.out.printf("parse: %d rows in %.1f ms%n", rows, (System.nanoTime() - t) / 1e6);
        }
    }
}
