package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.slurm.internal.SlurmOutputParser;
import org.drover.slurm.internal.SlurmRow;
import org.drover.slurm.internal.SlurmStates;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SlurmOutputParser on the real outputs in {@code src/test/resources/fixtures/} (README there).
 *
 * <p>Two kinds of fixtures exist. {@code squeue-drover-format_*} and {@code sacct-drover-format_*}
 * were recorded with exactly the formats Drover asks for ({@link SlurmOutputParser#SQUEUE_FORMAT},
 * {@link SlurmOutputParser#SACCT_FORMAT}); they are what the parser must read. The older
 * {@code squeue_*} and {@code sacct_*} files were recorded with an extra job-name column
 * ({@code %i|%T|%r|%j|%S|%e} and {@code ...,JobName}): one field too many for Drover's parser,
 * which must then reject every line instead of misreading the columns.
 */
class SlurmOutputParserTest {
    /** The testbed prints local time, which is UTC there. */
    private static final ZoneId CLUSTER = ZoneOffset.UTC;

    static String fixture(String file) {
        try (InputStream in = SlurmOutputParserTest.class.getResourceAsStream("/fixtures/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /fixtures/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stdout fixtures whose names start with {@code prefix}, sorted. */
    static List<String> fixtures(String prefix) {
        URL dir = SlurmOutputParserTest.class.getResource("/fixtures");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith(".txt") && !n.endsWith(".stderr.txt"))
                    .sorted().collect(Collectors.toList());
            assertThat(names).as("fixtures starting with %s", prefix).isNotEmpty();
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> squeueDroverFormat() {
        return fixtures("squeue-drover-format_");
    }

    static List<String> sacctDroverFormat() {
        return fixtures("sacct-drover-format_");
    }

    static List<String> squeueLegacyFormat() {
        return fixtures("squeue_");
    }

    static List<String> sacctLegacyFormat() {
        return fixtures("sacct_");
    }

    private static Map<String, SlurmRow> byId(List<SlurmRow> rows) {
        return rows.stream().collect(Collectors.toMap(SlurmRow::id, Function.identity()));
    }

    private static List<String> ids(List<SlurmRow> rows) {
        return rows.stream().map(SlurmRow::id).collect(Collectors.toList());
    }

    private static JobStatus status(SlurmRow row) {
        return SlurmStates.toStatus(row, CLUSTER);
    }

    private static Instant utc(String localTime) {
        return Instant.parse(localTime + "Z");
    }

    private static List<String> nonBlankLines(String text) {
        return text.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
    }

    @Test
    void formatsAreTheOnesTheDroverFormatFixturesWereRecordedWith() {
        assertThat(SlurmOutputParser.SQUEUE_FORMAT).isEqualTo("%i|%T|%r|%S|%e");
        assertThat(SlurmOutputParser.SACCT_FORMAT).isEqualTo("JobID,State,ExitCode,Reason,Start,End");
    }

    // ---------------------------------------------------------------- every fixture

    @ParameterizedTest(name = "{0}")
    @MethodSource("squeueDroverFormat")
    void everyLineOfADroverFormatSqueueFixtureIsReadAndKnown(String file) {
        String out = fixture(file);
        List<SlurmRow> rows = SlurmOutputParser.parseSqueue(out);
        // Without --array one line may stand for several tasks; with it, one row per line.
        assertThat(rows.size()).isGreaterThanOrEqualTo(nonBlankLines(out).size());
        if (!file.contains("no-array-flag")) {
            assertThat(rows).hasSameSizeAs(nonBlankLines(out));
        }
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.id()).matches("\\d+(_\\d+|\\+\\d+)?");
            assertThat(r.exitCode()).isEmpty();   // squeue has no exit codes
            assertThat(status(r).state()).isNotEqualTo(JobState.UNKNOWN);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sacctDroverFormat")
    void everyLineOfADroverFormatSacctFixtureIsReadAndKnown(String file) {
        String out = fixture(file);
        List<SlurmRow> rows = SlurmOutputParser.parseSacct(out);
        assertThat(rows.size()).isGreaterThanOrEqualTo(nonBlankLines(out).size());
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.id()).matches("\\d+(_\\d+|\\+\\d+)?");
            assertThat(r.exitCode()).matches("\\d+:\\d+");
            assertThat(status(r).state()).isNotEqualTo(JobState.UNKNOWN);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("squeueLegacyFormat")
    void aSqueueFixtureWithTheJobNameColumnIsRejectedLineByLineWithoutException(String file) {
        String out = fixture(file);
        assertThatCode(() -> SlurmOutputParser.parseSqueue(out)).doesNotThrowAnyException();
        // %i|%T|%r|%j|%S|%e has 6 fields: never read as Drover's 5 (the name would become the start time).
        assertThat(SlurmOutputParser.parseSqueue(out)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sacctLegacyFormat")
    void aSacctFixtureWithTheJobNameColumnIsRejectedLineByLineWithoutException(String file) {
        String out = fixture(file);
        assertThatCode(() -> SlurmOutputParser.parseSacct(out)).doesNotThrowAnyException();
        assertThat(SlurmOutputParser.parseSacct(out)).isEmpty();
    }

    @Test
    void theLegacyFixturesReallyHaveOneColumnMore() {
        assertThat(fixture("squeue_mixed.txt").lines()).allSatisfy(l -> assertThat(l.split("\\|", -1)).hasSize(6));
        assertThat(fixture("sacct_mixed.txt").lines()).allSatisfy(l -> assertThat(l.split("\\|", -1)).hasSize(7));
        // ... and the long job name sits in the 4th column, where Drover's format has the start time.
        assertThat(fixture("squeue_long-name.txt").split("\\|")[3]).startsWith("long-name-").hasSize(120);
    }

    // ---------------------------------------------------------------- squeue, concrete rows

    @Nested
    class Squeue {
        @Test
        void liveQueueWithArrayFlagHasOneRowPerTaskAndHetComponent() {
            List<SlurmRow> rows = SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_mixed-live.txt"));

            assertThat(ids(rows)).containsExactly("262", "256_5", "256_6", "256_7", "256_8", "256_9", "257", "259",
                    "260", "261", "264+0", "264+1", "266", "267", "268", "263", "258", "255", "256_4");
            Map<String, SlurmRow> r = byId(rows);
            assertThat(r.get("256_4")).isEqualTo(new SlurmRow("256_4", "RUNNING", "None", "", "2026-11-25T08:05:25", "NONE"));
            assertThat(r.get("256_5")).isEqualTo(new SlurmRow("256_5", "PENDING", "Resources", "",
                    "2027-11-25T08:05:25", "NONE"));
            assertThat(r.get("264+0")).isEqualTo(new SlurmRow("264+0", "PENDING", "Resources", "",
                    "2027-11-25T08:05:25", "NONE"));
            assertThat(r.get("264+1")).isEqualTo(new SlurmRow("264+1", "PENDING", "Resources", "", "N/A", "N/A"));
            assertThat(r.get("262")).isEqualTo(new SlurmRow("262", "CANCELLED", "JobHeldUser", "",
                    "2026-11-25T08:05:25", "2026-11-25T08:05:25"));
            assertThat(r.get("266").reason()).isEqualTo("Dependency");
        }

        @Test
        void liveQueueStatuses() {
            Map<String, SlurmRow> r = byId(SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_mixed-live.txt")));

            JobStatus running = status(r.get("255"));
            assertThat(running.state()).isEqualTo(JobState.RUNNING);
            assertThat(running.started()).isEqualTo(utc("2026-11-25T08:05:25"));
            assertThat(running.ended()).isNull();   // NONE
            assertThat(running.exitCode()).isNull();
            assertThat(running.reason()).isEmpty(); // None

            // A pending job's %S is the scheduler's estimate (here one year ahead): not a start.
            JobStatus pending = status(r.get("256_5"));
            assertThat(pending.state()).isEqualTo(JobState.PENDING);
            assertThat(pending.started()).isNull();
            assertThat(pending.ended()).isNull();
            assertThat(pending.reason()).isEqualTo("Resources");
            assertThat(status(r.get("264+0")).started()).isNull();
            assertThat(status(r.get("264+1")).started()).isNull();   // N/A

            assertThat(status(r.get("258")).state()).isEqualTo(JobState.HELD);
            assertThat(status(r.get("263")).state()).isEqualTo(JobState.HELD);   // the job with the 120-char name
            assertThat(status(r.get("266")).state()).isEqualTo(JobState.PENDING);

            JobStatus cancelled = status(r.get("262"));
            assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
            assertThat(cancelled.ended()).isEqualTo(utc("2026-11-25T08:05:25"));
            assertThat(cancelled.exitCode()).isNull();   // squeue knows none
        }

        @Test
        void withoutArrayFlagAPendingRangeExpandsToTheSameTasks() {
            String folded = fixture("squeue-drover-format_mixed-live_no-array-flag.txt");
            assertThat(folded).contains("256_[5-9%2]|PENDING|Resources|2027-11-25T08:05:25|NONE");

            List<SlurmRow> rows = SlurmOutputParser.parseSqueue(folded);
            List<SlurmRow> expanded = SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_mixed-live.txt"));
            assertThat(ids(rows)).containsExactlyInAnyOrderElementsOf(ids(expanded));
            assertThat(rows).filteredOn(row -> row.id().startsWith("256_")).extracting(SlurmRow::id)
                    .containsExactly("256_5", "256_6", "256_7", "256_8", "256_9", "256_4");
            assertThat(byId(rows).get("256_7")).isEqualTo(new SlurmRow("256_7", "PENDING", "Resources", "",
                    "2027-11-25T08:05:25", "NONE"));
        }

        @Test
        void aRangeOfTheRemainingTasksExpandsFromItsFirstTask() {
            String out = fixture("squeue-drover-format_mixed-progress_no-array-flag.txt");
            assertThat(out).contains("256_[6-9%2]|");

            Map<String, SlurmRow> r = byId(SlurmOutputParser.parseSqueue(out));
            assertThat(r).containsKeys("256_6", "256_7", "256_8", "256_9").doesNotContainKeys("256_[6-9%2]", "256");
            assertThat(status(r.get("256_4")).state()).isEqualTo(JobState.COMPLETED);
            assertThat(status(r.get("256_4")).ended()).isEqualTo(utc("2026-11-25T08:05:34"));
            assertThat(status(r.get("256_9")).state()).isEqualTo(JobState.PENDING);
        }

        @Test
        void finishedJobsWithAndWithoutArrayFlagAgree() {
            List<SlurmRow> a = SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_mixed-finished.txt"));
            List<SlurmRow> b = SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_mixed-finished_no-array-flag.txt"));
            assertThat(b).containsExactlyElementsOf(a);   // started tasks are always separate lines

            Map<String, SlurmRow> r = byId(a);
            assertThat(status(r.get("260")).state()).isEqualTo(JobState.FAILED);
            assertThat(status(r.get("260")).reason()).isEqualTo("NonZeroExitCode");
            assertThat(status(r.get("261")).state()).isEqualTo(JobState.FAILED);
            assertThat(status(r.get("261")).reason()).isEqualTo("JobLaunchFailure");
            assertThat(status(r.get("268")).state()).isEqualTo(JobState.CANCELLED);
            assertThat(status(r.get("268")).reason()).isEqualTo("DependencyNeverSatisfied");
            assertThat(status(r.get("267")).state()).isEqualTo(JobState.PENDING);
            assertThat(status(r.get("267")).reason()).isEqualTo("DependencyNeverSatisfied");
            assertThat(status(r.get("264+0")).state()).isEqualTo(JobState.HELD);   // JobHeldAdmin
            assertThat(status(r.get("264+1")).state()).isEqualTo(JobState.HELD);
            assertThat(status(r.get("256_9"))).satisfies(s -> {
                assertThat(s.state()).isEqualTo(JobState.COMPLETED);
                assertThat(s.started()).isEqualTo(utc("2026-11-25T08:06:01"));
                assertThat(s.ended()).isEqualTo(utc("2026-11-25T08:06:09"));
                assertThat(s.exitCode()).isNull();
            });
        }

        @Test
        void aHetJobPendingWithAnEstimateInTheNearFutureHasNoStartYet() {
            List<SlurmRow> rows = SlurmOutputParser.parseSqueue(
                    fixture("squeue-drover-format_hetjob-pending-estimated-start.txt"));
            assertThat(rows).containsExactly(
                    new SlurmRow("264+0", "PENDING", "Resources", "", "2026-11-25T08:13:12", "NONE"),
                    new SlurmRow("264+1", "PENDING", "Resources", "", "N/A", "N/A"));
            assertThat(rows).allSatisfy(row -> assertThat(status(row).started()).isNull());
        }

        @Test
        void singleTaskAndKnownAmongUnknownIds() {
            assertThat(SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_array-task-id.txt")))
                    .containsExactly(new SlurmRow("256_7", "COMPLETED", "None", "", "2026-11-25T08:05:51",
                            "2026-11-25T08:05:59"));
            assertThat(ids(SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_unknown-and-known-id.txt"))))
                    .containsExactly("255");
        }

        @Test
        void emptyOutputGivesNoRows() {
            assertThat(fixture("squeue-drover-format_unknown-id.txt")).isEmpty();   // rc 1, message on stderr
            assertThat(SlurmOutputParser.parseSqueue(fixture("squeue-drover-format_unknown-id.txt"))).isEmpty();
            assertThat(SlurmOutputParser.parseSqueue("")).isEmpty();
            assertThat(SlurmOutputParser.parseSqueue("\n\n   \n")).isEmpty();
        }

        @Test
        void garbageLinesAreSkippedAndTheRestIsRead() {
            String out = String.join("\n",
                    "JOBID|STATE|REASON|START_TIME|END_TIME",                    // a header
                    "255|RUNNING|None|2026-11-25T08:05:25|NONE",
                    "squeue: error: some message on stdout",                      // random text
                    "lorem ipsum dolor sit amet",
                    "257|PENDING|Priority|2027-11-25T08:05:25",                   // too few fields
                    "258|PENDING|JobHeldUser|N/A|N/A|dfmt-held",                  // too many fields
                    "259|PENDING|Priority|N/A|N/A|x|y|z",
                    "||||",                                                       // only separators
                    "abc|RUNNING|None|N/A|N/A",                                   // not an id
                    "255.batch|RUNNING|None|N/A|N/A",                             // a step
                    "260|running|None|N/A|N/A",                                   // not a state word
                    "261||None|N/A|N/A",                                          // no state
                    "256_[5-]|PENDING|Resources|N/A|N/A",                         // malformed range
                    "256_[-]|PENDING|Resources|N/A|N/A",
                    "256_[99999999999999999999]|PENDING|Resources|N/A|N/A",       // task id overflows
                    "256_[0-99999999]|PENDING|Resources|N/A|N/A",                 // absurd range
                    "262|CANCELLED|JobHeldUser|2026-11-25T08:05:25|2026-11-25T08:05:25\r",   // CRLF: fine
                    "263|PENDI");                                                 // truncated last line
            assertThatCode(() -> SlurmOutputParser.parseSqueue(out)).doesNotThrowAnyException();
            List<SlurmRow> rows = SlurmOutputParser.parseSqueue(out);
            assertThat(rows).containsExactly(
                    new SlurmRow("255", "RUNNING", "None", "", "2026-11-25T08:05:25", "NONE"),
                    new SlurmRow("262", "CANCELLED", "JobHeldUser", "", "2026-11-25T08:05:25", "2026-11-25T08:05:25"));
        }

        @Test
        void aLineTruncatedInsideItsLastTimeKeepsTheRowButNotTheTime() {
            List<SlurmRow> rows = SlurmOutputParser.parseSqueue(
                    "256_9|COMPLETED|None|2026-11-25T08:06:01|2026-11-25T08:0");
            assertThat(rows).hasSize(1);
            JobStatus s = status(rows.get(0));
            assertThat(s.state()).isEqualTo(JobState.COMPLETED);
            assertThat(s.started()).isEqualTo(utc("2026-11-25T08:06:01"));
            assertThat(s.ended()).isNull();
        }
    }

    // ---------------------------------------------------------------- sacct, concrete rows

    @Nested
    class Sacct {
        @Test
        void finishedJobsHaveExitCodesAndSignals() {
            Map<String, SlurmRow> r = byId(SlurmOutputParser.parseSacct(fixture("sacct-drover-format_mixed-finished.txt")));

            assertThat(r.get("260")).isEqualTo(new SlurmRow("260", "FAILED", "None", "3:0", "2026-11-25T08:06:08",
                    "2026-11-25T08:06:08"));
            JobStatus exit3 = status(r.get("260"));
            assertThat(exit3.state()).isEqualTo(JobState.FAILED);
            assertThat(exit3.exitCode()).isEqualTo(3);
            assertThat(exit3.reason()).isEmpty();
            assertThat(exit3.started()).isEqualTo(utc("2026-11-25T08:06:08"));
            assertThat(exit3.ended()).isEqualTo(utc("2026-11-25T08:06:08"));

            // kill -9 $$: exit code 0, signal 9
            assertThat(r.get("261").exitCode()).isEqualTo("0:9");
            JobStatus killed = status(r.get("261"));
            assertThat(killed.state()).isEqualTo(JobState.FAILED);
            assertThat(killed.exitCode()).isEqualTo(137);
            assertThat(killed.reason()).isEqualTo("signal 9");

            JobStatus ok = status(r.get("255"));
            assertThat(ok.state()).isEqualTo(JobState.COMPLETED);
            assertThat(ok.exitCode()).isZero();
            assertThat(ok.started()).isEqualTo(utc("2026-11-25T08:05:25"));
            assertThat(ok.ended()).isEqualTo(utc("2026-11-25T08:05:51"));

            // Cancelled by --kill-on-invalid-dep before it ever ran: Start is None.
            assertThat(r.get("268")).isEqualTo(new SlurmRow("268", "CANCELLED", "Dependency", "0:0", "None",
                    "2026-11-25T08:06:11"));
            assertThat(status(r.get("268")).started()).isNull();
            assertThat(status(r.get("268")).ended()).isEqualTo(utc("2026-11-25T08:06:11"));

            // Still pending: Unknown times, no exit code although sacct prints 0:0.
            JobStatus pending = status(r.get("264+1"));
            assertThat(pending.state()).isEqualTo(JobState.PENDING);
            assertThat(pending.exitCode()).isNull();
            assertThat(pending.started()).isNull();
            assertThat(pending.ended()).isNull();
            assertThat(status(r.get("258")).state()).isEqualTo(JobState.HELD);

            assertThat(r).containsKeys("256_4", "256_5", "256_6", "256_7", "256_8", "256_9");
            assertThat(status(r.get("256_8")).reason()).isEqualTo("JobArrayTaskLimit");   // sacct's lagging reason
        }

        @Test
        void cancelledByAUidIsCancelledWithTheUidInTheReason() {
            Map<String, SlurmRow> r = byId(SlurmOutputParser.parseSacct(fixture("sacct-drover-format_mixed-cancelled.txt")));

            assertThat(r.get("258")).isEqualTo(new SlurmRow("258", "CANCELLED by 0", "JobHeldUser", "0:0", "None",
                    "2026-11-25T08:13:12"));
            JobStatus s = status(r.get("258"));
            assertThat(s.state()).isEqualTo(JobState.CANCELLED);
            assertThat(s.nativeState()).isEqualTo("CANCELLED by 0");
            assertThat(s.reason()).isEqualTo("JobHeldUser, cancelled by uid 0");
            assertThat(s.exitCode()).isZero();
            assertThat(s.started()).isNull();   // None
            assertThat(s.ended()).isEqualTo(utc("2026-11-25T08:13:12"));

            assertThat(status(r.get("264+0")).state()).isEqualTo(JobState.CANCELLED);
            assertThat(status(r.get("264+1")).reason()).isEqualTo("JobHeldAdmin, cancelled by uid 0");
            assertThat(status(r.get("267")).state()).isEqualTo(JobState.CANCELLED);
            // Cancelled by kill-on-invalid-dep: no "by".
            assertThat(status(r.get("268")).nativeState()).isEqualTo("CANCELLED");
        }

        @Test
        void aPendingArrayIsOneRangeLineExpandedToItsTasks() {
            List<SlurmRow> rows = SlurmOutputParser.parseSacct(fixture("sacct-drover-format_mixed-live.txt"));
            Map<String, SlurmRow> r = byId(rows);

            assertThat(fixture("sacct-drover-format_mixed-live.txt")).contains("256_[5-9%2]|PENDING|0:0|None|Unknown|Unknown");
            assertThat(ids(rows)).containsSubsequence("256_4", "256_5", "256_6", "256_7", "256_8", "256_9");
            assertThat(r.get("256_9")).isEqualTo(new SlurmRow("256_9", "PENDING", "None", "0:0", "Unknown", "Unknown"));
            assertThat(ids(rows)).contains("264+0", "264+1");

            JobStatus running = status(r.get("255"));
            assertThat(running.state()).isEqualTo(JobState.RUNNING);
            assertThat(running.started()).isEqualTo(utc("2026-11-25T08:05:25"));
            assertThat(running.ended()).isNull();      // Unknown
            assertThat(running.exitCode()).isNull();   // not ended: sacct's 0:0 means nothing yet

            JobStatus cancelled = status(r.get("262"));
            assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
            assertThat(cancelled.reason()).isEqualTo("cancelled by uid 0");
        }

        @Test
        void emptyOutputGivesNoRows() {
            assertThat(SlurmOutputParser.parseSacct(fixture("sacct-drover-format_unknown-id.txt"))).isEmpty();
            assertThat(SlurmOutputParser.parseSacct("")).isEmpty();
        }

        @Test
        void garbageLinesAreSkippedAndTheRestIsRead() {
            String out = String.join("\n",
                    "JobID|State|ExitCode|Reason|Start|End",                      // a header
                    "260|FAILED|3:0|None|2026-11-25T08:06:08|2026-11-25T08:06:08",
                    "260.batch|FAILED|3:0||2026-11-25T08:06:08|2026-11-25T08:06:08",   // a step (no --allocations)
                    "260.extern|COMPLETED|0:0||2026-11-25T08:06:08|2026-11-25T08:06:08",
                    "sacct: error: Problem talking to the database: Connection refused",
                    "261|FAILED|0:9|None|2026-11-25T08:06:13",                    // too few
                    "255|COMPLETED|0:0|None|2026-11-25T08:05:25|2026-11-25T08:05:51|dfmt-running",   // too many
                    "------------ ---------- --------",
                    "256_[5-|PENDING|0:0|None|Unknown|Unknown",                   // broken range
                    "256_[5-]|PENDING|0:0|None|Unknown|Unknown",
                    "261|FAILED|0:9|None|2026-11-25T08:06:13|2026-11-25T08:06:13",
                    "262|CANCELLED by 0|0:0|None|2026-11-25T08:05:25|2026-11-25T08");   // truncated
            assertThatCode(() -> SlurmOutputParser.parseSacct(out)).doesNotThrowAnyException();
            List<SlurmRow> rows = SlurmOutputParser.parseSacct(out);
            assertThat(ids(rows)).containsExactly("260", "261", "262");
            JobStatus truncated = status(rows.get(2));
            assertThat(truncated.state()).isEqualTo(JobState.CANCELLED);
            assertThat(truncated.started()).isEqualTo(utc("2026-11-25T08:05:25"));
            assertThat(truncated.ended()).isNull();
        }
    }
}
