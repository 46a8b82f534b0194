package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler.SubmittedArray;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.Shell;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SlurmScheduler's use of the SLURM commands, against a scripted Shell: what it runs, how often,
 * and what it makes of the (real, recorded) answers in {@code src/test/resources/fixtures/}.
 */
class SlurmSchedulerTest {
    private static final String TOKEN = "drv5e3a9c0d1b2f4e67";
    private static final String SOCKET_TIMEOUT =
            "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation";
    private static final String CONTROLLER_DOWN =
            "slurm_load_jobs error: Unable to contact slurm controller (connect failure)";

    /**
     * A Shell that answers each program from a script: the queued answers in order, the last one
     * for every further call. Records every command; a program without answers fails the test.
     */
    static final class FakeShell implements Shell {
        private final Map<String, Deque<CommandResult>> answers = new HashMap<>();
        private final List<List<String>> calls = new ArrayList<>();
        private final Map<Path, byte[]> written = new LinkedHashMap<>();
        private final Map<String, String> unstartable = new HashMap<>();

        /** Queues an answer for {@code program}. */
        FakeShell on(String program, Integer exitCode, String stdout, String stderr) {
            answers.computeIfAbsent(program, p -> new ArrayDeque<>())
                    .add(new CommandResult(List.of(program), exitCode, stdout, stderr, Duration.ofMillis(3)));
            return this;
        }

        FakeShell ok(String program, String stdout) {
            return on(program, 0, stdout, "");
        }

        /** Queues a recorded answer: {@code fixtures/<name>.txt}, {@code .stderr.txt}, {@code .rc}. */
        FakeShell fixture(String program, String name) {
            String stderr = exists(name + ".stderr.txt") ? SlurmOutputParserTest.fixture(name + ".stderr.txt") : "";
            int rc = exists(name + ".rc") ? Integer.parseInt(SlurmOutputParserTest.fixture(name + ".rc").trim()) : 0;
            return on(program, rc, SlurmOutputParserTest.fixture(name + ".txt"), stderr);
        }

        private static boolean exists(String file) {
            return SlurmSchedulerTest.class.getResource("/fixtures/" + file) != null;
        }

        /** {@code program} cannot be started at all: run throws, as a missing executable would. */
        FakeShell cannotStart(String program, String message) {
            unstartable.put(program, message);
            return this;
        }

        @Override
        public synchronized CommandResult run(List<String> command, Duration timeout) {
            String unstartableMessage = unstartable.get(command.get(0));
            if (unstartableMessage != null) {
                throw new IllegalStateException(unstartableMessage);
            }
            calls.add(List.copyOf(command));
            Deque<CommandResult> queue = answers.get(command.get(0));
            if (queue == null || queue.isEmpty()) {
                throw new AssertionError("unexpected command: " + command);
            }
            CommandResult r = queue.size() > 1 ? queue.poll() : queue.peek();
            return new CommandResult(command, r.exitCode(), r.stdout(), r.stderr(), r.elapsed());
        }

        @Override
        public void writeFile(Path file, byte[] content) {
            try {
                Files.createDirectories(file.getParent());
                Files.write(file, content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            written.put(file, content);
        }

        @Override
        public Optional<byte[]> readFile(Path file) {
            return Optional.ofNullable(written.get(file));
        }

        @Override
        public void createDirectories(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String describe() {
            return "fake";
        }

        synchronized List<List<String>> calls() {
            return List.copyOf(calls);
        }

        synchronized List<List<String>> calls(String program) {
            return calls.stream().filter(c -> c.get(0).equals(program)).collect(Collectors.toList());
        }

        int count(String program) {
            return calls(program).size();
        }

        List<String> programs() {
            return calls().stream().map(c -> c.get(0)).collect(Collectors.toList());
        }
    }

    @TempDir
    Path runs;
    private FakeShell shell;
    private SlurmScheduler slurm;

    @BeforeEach
    void scheduler() {
        shell = new FakeShell();
        slurm = SlurmScheduler.builder().shell(shell).user("root")
                .submitRetries(3, Duration.ZERO, Duration.ZERO)
                .submitsPerSecond(1_000_000)
                .timeZone(ZoneOffset.UTC)
                .build();
    }

    private Submission submission(String name) {
        return new Submission(Job.named(name).command("true"), "b", runs.resolve("b").resolve(name).resolve("1"), 1,
                List.of(), TOKEN);
    }

    private static String arg(List<String> command, String prefix) {
        return command.stream().filter(a -> a.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + command));
    }

    // ---------------------------------------------------------------- submit

    @Nested
    class Submit {
        @Test
        void writesTheScriptAndReturnsTheParsableId() throws IOException {
            shell.fixture("sbatch", "sbatch_plain");   // "9"
            Submission s = submission("hello");

            assertThat(slurm.submit(s)).isEqualTo("9");
            assertThat(shell.calls()).containsExactly(List.of("sbatch", "--parsable", s.scriptPath().toString()));
            assertThat(Files.readString(s.scriptPath())).startsWith("#!/bin/bash\n").contains("#SBATCH --comment=" + TOKEN);
        }

        @Test
        void theIdBeforeTheClusterName() {
            shell.fixture("sbatch", "sbatch_with-cluster");   // "12;drover"
            assertThat(slurm.submit(submission("j"))).isEqualTo("12");
            assertThat(SlurmScheduler.parseSbatch("12;drover\n")).isEqualTo("12");
            assertThat(SlurmScheduler.parseSbatch("  345  \n")).isEqualTo("345");
            assertThat(SlurmScheduler.parseSbatch("sbatch: warning: something\n77\n")).isEqualTo("77");
            assertThat(SlurmScheduler.parseSbatch("")).isNull();
            assertThat(SlurmScheduler.parseSbatch("Submitted batch job 12")).isNull();
        }

        @Test
        void aTransientFailureIsRetriedAfterTheQueueWasSearchedForTheToken() {
            shell.on("sbatch", 1, "", SOCKET_TIMEOUT + "\n").ok("sbatch", "123\n");
            shell.ok("squeue", "99|drvsomeoneelse\n100|(null)\n");
            shell.ok("sacct", "97|drvsomeoneelse\n98|\n");

            assertThat(slurm.submit(submission("j"))).isEqualTo("123");
            assertThat(shell.programs()).containsExactly("sbatch", "squeue", "sacct", "sbatch");
            List<String> check = shell.calls("squeue").get(0);
            assertThat(check).contains("--noheader", "--states=all", "--user=root");
            assertThat(arg(check, "--format=")).contains("%i").contains("%k");   // id and comment
            List<String> accounting = shell.calls("sacct").get(0);   // for jobs older than MinJobAge
            assertThat(accounting).contains("--noheader", "--parsable2", "--allocations", "--user=root",
                    "--starttime=now-7days", "--format=JobID,Comment");
        }

        @Test
        void tokensAreReadFromRecordedSqueueAndSacctOutputs() {
            String live = SlurmOutputParserTest.fixture("squeue-token-format_comments.txt");
            String accounting = SlurmOutputParserTest.fixture("sacct-token-format_comments-stored.txt");
            assertThat(SlurmScheduler.idWithComment(live, "drvfixture0123456789")).hasValue("164");
            assertThat(SlurmScheduler.idWithComment(accounting, "drvfixture0123456789")).hasValue("164");
            assertThat(SlurmScheduler.idWithComment(accounting, "drvother")).isEmpty();
            assertThat(SlurmScheduler.idWithComment("", "drvfixture0123456789")).isEmpty();
            String arrays = SlurmOutputParserTest.fixture("squeue-token-format_pending-array.txt");
            assertThat(SlurmScheduler.idWithComment(arrays, "drvfixturearray00001")).hasValue("3561");   // 3561_[1-3]
            assertThat(SlurmScheduler.idWithComment(arrays, "drvfixturearray00002")).hasValue("3562");   // 3562_1
            assertThat(SlurmScheduler.idWithComment("12_[x]|drvfixturearray00001\n", "drvfixturearray00001")).isEmpty();
        }

        @Test
        void manyTokensAreLookedUpWithOneSqueueAndOneSacct() {
            shell.ok("squeue", "77|drvother\n130_[1-3]|drvinqueue000000001\n131|drvinqueue000000002\n");
            shell.ok("sacct", "120|drvother\n123|drvaccounted0000001\n123.batch|\n");

            Map<String, String> found = slurm.findByTokens(List.of("drvinqueue000000001", "drvinqueue000000002",
                    "drvaccounted0000001", "drvnowhere000000001"));

            assertThat(found).containsExactly(Map.entry("drvinqueue000000001", "130"),
                    Map.entry("drvinqueue000000002", "131"), Map.entry("drvaccounted0000001", "123"));
            assertThat(shell.programs()).containsExactly("squeue", "sacct");
        }

        @Test
        void tokensAllInTheQueueNeedNoSacct() {
            shell.ok("squeue", "131|drvinqueue000000002\n130|drvinqueue000000001\n");

            assertThat(slurm.findByTokens(List.of("drvinqueue000000001", "drvinqueue000000002")))
                    .containsEntry("drvinqueue000000001", "130").containsEntry("drvinqueue000000002", "131");
            assertThat(shell.programs()).containsExactly("squeue");
            assertThat(slurm.findByTokens(List.of())).isEmpty();
            assertThat(shell.programs()).containsExactly("squeue");
        }

        @Test
        void aFailedLookupOfManyTokensCannotTell() {
            shell.on("squeue", 1, "", "slurm_load_jobs error: Unable to contact slurm controller\n");

            assertThatThrownBy(() -> slurm.findByTokens(List.of("drvinqueue000000001", "drvinqueue000000002")))
                    .isInstanceOf(SchedulerException.class).hasMessageContaining("2 submissions")
                    .hasMessageContaining("Unable to contact slurm controller")
                    .matches(e -> ((SchedulerException) e).isTransient());
            assertThatThrownBy(() -> slurm.findByTokens(List.of("drv ok; rm -rf")))
                    .hasMessageContaining("token");
        }

        @Test
        void aSubmissionThatEndedLongAgoIsFoundInAccounting() {
            shell.on("sbatch", 1, "", SOCKET_TIMEOUT).ok("sbatch", "999\n");
            shell.ok("squeue", "77|drvother\n");
            shell.ok("sacct", "120|drvother\n123|" + TOKEN + "\n");

            assertThat(slurm.submit(submission("j"))).isEqualTo("123");
            assertThat(shell.count("sbatch")).isEqualTo(1);
        }

        @Test
        void withoutAccountingTheQueueAloneDecides() {
            shell.on("sbatch", 1, "", SOCKET_TIMEOUT).ok("sbatch", "124\n");
            shell.ok("squeue", "77|drvother\n");
            shell.fixture("sacct", "sacct_accounting-storage-none");

            assertThat(slurm.submit(submission("j"))).isEqualTo("124");
            assertThat(shell.programs()).containsExactly("sbatch", "squeue", "sacct", "sbatch");
        }

        @Test
        void aTransientFailureThatWentThroughIsNotSubmittedTwice() {
            shell.on("sbatch", 1, "", SOCKET_TIMEOUT).ok("sbatch", "999\n");
            shell.ok("squeue", "77|drvother\n123|" + TOKEN + "\n");

            assertThat(slurm.submit(submission("j"))).isEqualTo("123");
            assertThat(shell.count("sbatch")).isEqualTo(1);
            assertThat(shell.programs()).containsExactly("sbatch", "squeue");
        }

        @Test
        void anArrayFoundByTokenGivesTheArrayId() {
            shell.on("sbatch", null, "", "");   // timed out: outcome unknown
            shell.ok("squeue", "123_4|" + TOKEN + "\n123_5|" + TOKEN + "\n");

            assertThat(slurm.submit(submission("j"))).isEqualTo("123");
            assertThat(shell.count("sbatch")).isEqualTo(1);
        }

        @Test
        void aTokenCheckThatCannotAnswerNeverLeadsToASecondSbatch() {
            shell.on("sbatch", 1, "", SOCKET_TIMEOUT).ok("sbatch", "124\n");
            shell.on("squeue", 1, "", CONTROLLER_DOWN);   // every lookup fails

            assertThatThrownBy(() -> slurm.submit(submission("j")))
                    .isInstanceOfSatisfying(SchedulerException.class, e -> {
                        assertThat(e.isTransient()).isTrue();
                        assertThat(e.getMessage()).contains("whether it went through is unknown")
                                .contains("Unable to contact slurm controller");
                    });
            assertThat(shell.programs()).containsExactly("sbatch", "squeue", "squeue");
        }

        @Test
        void aTokenCheckThatAnswersAfterFailingOnceAllowsTheRetry() {
            shell.on("sbatch", 1, "", SOCKET_TIMEOUT).ok("sbatch", "124\n");
            shell.on("squeue", 1, "", CONTROLLER_DOWN).ok("squeue", "77|drvother\n");
            shell.ok("sacct", "");

            assertThat(slurm.submit(submission("j"))).isEqualTo("124");
            assertThat(shell.programs()).containsExactly("sbatch", "squeue", "squeue", "sacct", "sbatch");
        }

        @Test
        void aNonTransientFailureIsReportedAtOnceWithSbatchsWords() {
            shell.fixture("sbatch", "sbatch_unknown-partition");

            assertThatThrownBy(() -> slurm.submit(submission("j")))
                    .isInstanceOfSatisfying(SchedulerException.class, e -> {
                        assertThat(e.isTransient()).isFalse();
                        assertThat(e.getMessage()).contains("Invalid partition name specified").contains("'j'");
                    });
            assertThat(shell.programs()).containsExactly("sbatch");
        }

        @Test
        void otherRecordedNonTransientFailures() {
            for (String name : List.of("sbatch_bad-mem", "sbatch_bad-option", "sbatch_bad-time-format",
                    "sbatch_dependency-bad-syntax", "sbatch_too-much-mem", "sbatch_missing-script",
                    "sbatch_unknown-cluster")) {
                FakeShell fresh = new FakeShell().fixture("sbatch", name);
                SlurmScheduler s = SlurmScheduler.builder().shell(fresh).user("root")
                        .submitRetries(3, Duration.ZERO, Duration.ZERO).build();
                assertThatThrownBy(() -> s.submit(submission("j"))).as(name)
                        .isInstanceOfSatisfying(SchedulerException.class, e -> {
                            assertThat(e.isTransient()).as(name).isFalse();
                            assertThat(e.getMessage()).as(name)
                                    .contains(SlurmOutputParserTest.fixture(name + ".stderr.txt").strip().lines()
                                            .reduce((a, b) -> b).orElseThrow());
                        });
                assertThat(fresh.programs()).as(name).containsExactly("sbatch");
            }
        }

        @Test
        void transientFailuresUpToTheLastAttemptGiveATransientException() {
            shell.fixture("sbatch", "sbatch_slurmctld-unreachable");
            shell.ok("squeue", "");
            shell.ok("sacct", "");

            assertThatThrownBy(() -> slurm.submit(submission("j")))
                    .isInstanceOfSatisfying(SchedulerException.class, e -> {
                        assertThat(e.isTransient()).isTrue();
                        assertThat(e.getMessage()).contains("Unable to contact slurm controller");
                    });
            assertThat(shell.programs())
                    .containsExactly("sbatch", "squeue", "sacct", "sbatch", "squeue", "sacct", "sbatch");
        }

        @Test
        void anArrayOfThreeTasksIsOneSbatch() throws IOException {
            shell.ok("sbatch", "57\n");
            List<Job> jobs = Sweep.of(Job.named("task").command("echo", "{x}")).param("x", "a", "b", "c").jobs();
            List<Submission> tasks = new ArrayList<>();
            for (Job j : jobs) {
                tasks.add(new Submission(j, "b", runs.resolve("b").resolve(j.name()).resolve("1"), 1, List.of(), TOKEN));
            }

            SubmittedArray array = slurm.submitArray(tasks, 2);

            assertThat(shell.count("sbatch")).isEqualTo(1);
            assertThat(array.arrayId()).isEqualTo("57");
            assertThat(array.taskIds()).containsExactly("57_0", "57_1", "57_2");
            Path script = Path.of(shell.calls("sbatch").get(0).get(2));
            assertThat(script).isEqualTo(runs.resolve("b").resolve("task.array-1.sh"));
            String text = Files.readString(script, StandardCharsets.UTF_8);
            assertThat(text).startsWith("#!/bin/bash\n").contains("#SBATCH --array=0-2%2\n", "#SBATCH --job-name=task\n",
                    "#SBATCH --output=" + runs.resolve("b") + "/task_%a/1/stdout\n");
        }

        @Test
        void anArrayOfOneTaskIsAPlainJob() {
            shell.ok("sbatch", "58\n");
            Job only = Sweep.of(Job.named("solo").command("true")).param("x", 1).jobs().get(0);
            Submission s = new Submission(only, "b", runs.resolve("b").resolve(only.name()).resolve("1"), 1, List.of(),
                    TOKEN);

            SubmittedArray array = slurm.submitArray(List.of(s), 0);
            assertThat(array.arrayId()).isNull();
            assertThat(array.taskIds()).containsExactly("58");
        }
    }

    // ---------------------------------------------------------------- status

    @Nested
    class Status {
        @Test
        void anUnreachableControllerGivesUnknownForEveryIdAfterOneRetry() {
            shell.on("squeue", 1, "", CONTROLLER_DOWN);
            List<String> ids = List.of("255", "256_4", "264+0", "999999");

            Map<String, JobStatus> s = slurm.status(ids);

            assertThat(s).containsOnlyKeys(ids);
            assertThat(s.values()).allSatisfy(st -> {
                assertThat(st.state()).isEqualTo(JobState.UNKNOWN);
                assertThat(st.reason()).contains("Unable to contact slurm controller");
            });
            assertThat(s.values()).noneMatch(st -> st.state() == JobState.FAILED || st.state().isTerminal());
            assertThat(shell.programs()).containsExactly("squeue", "squeue");
        }

        @Test
        void theRecordedUnreachableControllerToo() {
            shell.fixture("squeue", "squeue_slurmctld-unreachable");
            assertThat(slurm.status(List.of("36")).get("36").state()).isEqualTo(JobState.UNKNOWN);
            assertThat(shell.count("squeue")).isEqualTo(2);
            assertThat(shell.count("sacct")).isZero();
        }

        @Test
        void aTimedOutSqueueGivesUnknown() {
            shell.on("squeue", null, "", "");
            assertThat(slurm.status(List.of("36")).get("36").state()).isEqualTo(JobState.UNKNOWN);
        }

        @Test
        void invalidJobIdMeansNoneIsQueuedAndSacctIsAskedOnce() {
            shell.fixture("squeue", "squeue-drover-format_unknown-id");   // rc 1, Invalid job id specified
            shell.fixture("sacct", "sacct-drover-format_mixed-finished");

            Map<String, JobStatus> s = slurm.status(List.of("260"));

            assertThat(shell.programs()).containsExactly("squeue", "sacct");
            assertThat(arg(shell.calls("sacct").get(0), "--jobs=")).isEqualTo("--jobs=260");
            JobStatus failed = s.get("260");
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            assertThat(failed.exitCode()).isEqualTo(3);
            assertThat(failed.ended()).isEqualTo(Instant.parse("2026-11-25T08:06:08Z"));
        }

        @Test
        void liveJobsComeFromSqueueEndedOnesGetTheirExitCodeFromSacct() {
            shell.fixture("squeue", "squeue-drover-format_mixed-finished");
            shell.fixture("sacct", "sacct-drover-format_mixed-finished");
            List<String> ids = List.of("255", "256_9", "258", "260", "261", "264+0", "267", "268", "999999");

            Map<String, JobStatus> s = slurm.status(ids);

            assertThat(shell.programs()).containsExactly("squeue", "sacct");
            List<String> squeue = shell.calls("squeue").get(0);
            assertThat(squeue).contains("--noheader", "--states=all", "--array", "--user=root", "--format=%i|%T|%r|%S|%e",
                    "--jobs=255,256,258,260,261,264,267,268,999999");
            // sacct is asked only for what squeue did not show live
            assertThat(arg(shell.calls("sacct").get(0), "--jobs=")).isEqualTo("--jobs=255,256,260,261,268,999999");

            assertThat(s.get("255").state()).isEqualTo(JobState.COMPLETED);
            assertThat(s.get("255").exitCode()).isZero();
            assertThat(s.get("256_9").state()).isEqualTo(JobState.COMPLETED);
            assertThat(s.get("256_9").exitCode()).isZero();
            assertThat(s.get("258").state()).isEqualTo(JobState.HELD);
            assertThat(s.get("260").state()).isEqualTo(JobState.FAILED);
            assertThat(s.get("260").exitCode()).isEqualTo(3);
            assertThat(s.get("261").state()).isEqualTo(JobState.FAILED);
            assertThat(s.get("261").reason()).contains("signal 9");
            assertThat(s.get("264+0").state()).isEqualTo(JobState.HELD);
            assertThat(s.get("267").state()).isEqualTo(JobState.PENDING);
            assertThat(s.get("267").reason()).isEqualTo("DependencyNeverSatisfied");   // squeue's, not sacct's stale one
            assertThat(s.get("268").state()).isEqualTo(JobState.CANCELLED);
            assertThat(s.get("999999").state()).isEqualTo(JobState.NOT_FOUND);   // both answered; neither knows it
        }

        @Test
        void anArrayIdStandsForAllItsTasks() {
            shell.fixture("squeue", "squeue-drover-format_mixed-progress");
            shell.fixture("sacct", "sacct-drover-format_mixed-progress");

            Map<String, JobStatus> s = slurm.status(List.of("256", "256_4", "256_9"));

            assertThat(s.get("256").state()).isEqualTo(JobState.PENDING);   // 2 done, 4 pending
            assertThat(s.get("256").reason()).isEqualTo("6 array tasks");
            assertThat(s.get("256_4").state()).isEqualTo(JobState.COMPLETED);
            assertThat(s.get("256_4").exitCode()).isZero();
            assertThat(s.get("256_9").state()).isEqualTo(JobState.PENDING);
        }

        @Test
        void notASlurmIdIsUnknownAndNeverReachesACommandLine() {
            shell.ok("squeue", "");
            Map<String, JobStatus> s = slurm.status(List.of("abc", "1;rm -rf /", "12.batch"));

            assertThat(s.values()).allSatisfy(st -> {
                assertThat(st.state()).isEqualTo(JobState.UNKNOWN);
                assertThat(st.reason()).isEqualTo("not a SLURM job id");
            });
            assertThat(shell.calls()).flatExtracting(c -> c)
                    .noneMatch(a -> a.contains("abc") || a.contains(";") || a.contains(".batch"));
            assertThat(shell.count("sacct")).isZero();
        }

        @Test
        void noIdsNoCommand() {
            assertThat(slurm.status(List.of())).isEmpty();
            assertThat(shell.calls()).isEmpty();
        }

        @Test
        void withoutAccountingOneScontrolCallAndTheRestUnknownWithTheReason() {
            shell.ok("squeue", "");   // several ids, none queued: empty, rc 0
            shell.fixture("sacct", "sacct_accounting-storage-none");
            shell.fixture("scontrol", "scontrol-show-job_timeout");

            Map<String, JobStatus> s = slurm.status(List.of("36", "999999"));

            assertThat(shell.programs()).containsExactly("squeue", "sacct", "scontrol");
            assertThat(shell.calls("scontrol").get(0)).containsExactly("scontrol", "--oneliner", "show", "job");
            JobStatus timeout = s.get("36");
            assertThat(timeout.state()).isEqualTo(JobState.TIMEOUT);
            assertThat(timeout.exitCode()).isEqualTo(143);   // 0:15, killed by TERM
            assertThat(timeout.reason()).contains("TimeLimit").contains("signal 15");
            JobStatus unknown = s.get("999999");
            assertThat(unknown.state()).isEqualTo(JobState.NOT_FOUND);   // scontrol answered: not a guess of an end
            assertThat(unknown.reason()).contains("accounting");
        }

        @Test
        void withoutAccountingArrayTasksAndHetComponentsAreFoundInScontrol() {
            shell.ok("squeue", "");
            shell.fixture("sacct", "sacct_accounting-storage-none");
            shell.ok("scontrol", SlurmOutputParserTest.fixture("scontrol-show-job_array-running.txt")
                    + SlurmOutputParserTest.fixture("scontrol-show-job_hetjob-pending.txt"));

            Map<String, JobStatus> s = slurm.status(List.of("26_4", "26_5", "26_7", "27+0", "27+1"));

            assertThat(shell.count("scontrol")).isEqualTo(1);
            // tasks 4 and 5 run as their own records (JobId 29, 30); 6-9 are the pending meta record of 26
            assertThat(s.get("26_4").state()).isEqualTo(JobState.RUNNING);
            assertThat(s.get("26_4").started()).isEqualTo(Instant.parse("2026-11-25T07:57:46Z"));
            assertThat(s.get("26_5").state()).isEqualTo(JobState.RUNNING);
            assertThat(s.get("26_7").state()).isEqualTo(JobState.PENDING);
            assertThat(s.get("26_7").reason()).isEqualTo("JobArrayTaskLimit");
            // het components are 27+0 (JobId 27) and 27+1 (JobId 28)
            assertThat(s.get("27+0").state()).isEqualTo(JobState.PENDING);
            assertThat(s.get("27+1").state()).isEqualTo(JobState.PENDING);
        }

        @Test
        void withoutAccountingTheWholeRecordedScontrolListingIsRead() {
            shell.ok("squeue", "");
            shell.fixture("sacct", "sacct_accounting-storage-none");
            // all jobs the controller held at 08:05:31, other engineers' too (same moment as *_mixed-live)
            shell.fixture("scontrol", "scontrol-show-job_all-jobs");
            List<String> ids = List.of("255", "256_4", "256_5", "256_9", "258", "262", "264+0", "264+1", "268",
                    "999999");

            Map<String, JobStatus> s = slurm.status(ids);

            assertThat(shell.programs()).containsExactly("squeue", "sacct", "scontrol");
            assertThat(s.get("255").state()).isEqualTo(JobState.RUNNING);
            assertThat(s.get("256_4").state()).isEqualTo(JobState.RUNNING);   // its own record, JobId=269
            assertThat(s.get("256_5").state()).isEqualTo(JobState.PENDING);   // ArrayTaskId=5-9%2
            assertThat(s.get("256_9").state()).isEqualTo(JobState.PENDING);
            assertThat(s.get("256_9").reason()).isEqualTo("Resources");
            assertThat(s.get("258").state()).isEqualTo(JobState.HELD);
            assertThat(s.get("262").state()).isEqualTo(JobState.CANCELLED);
            assertThat(s.get("264+0").state()).isEqualTo(JobState.PENDING);
            assertThat(s.get("264+1").state()).isEqualTo(JobState.PENDING);   // JobId=265
            assertThat(s.get("268").state()).isEqualTo(JobState.PENDING);
            assertThat(s.get("268").reason()).isEqualTo("Dependency");
            assertThat(s.get("999999").state()).isEqualTo(JobState.NOT_FOUND);
            assertThat(s.get("999999").reason()).contains("accounting is disabled");
        }

        @Test
        void anScontrolThatCannotRunGivesUnknownInsteadOfThrowing() {
            shell.ok("squeue", "");
            shell.fixture("sacct", "sacct_accounting-storage-none");
            shell.cannotStart("scontrol", "cannot start scontrol: No such file or directory");

            Map<String, JobStatus> st = slurm.status(List.of("36", "26_4"));

            assertThat(st).containsOnlyKeys("36", "26_4");
            assertThat(st.values()).allSatisfy(j -> {
                assertThat(j.state()).isEqualTo(JobState.UNKNOWN);
                assertThat(j.reason()).contains("scontrol could not run").contains("No such file or directory");
            });
            assertThat(shell.programs()).containsExactly("squeue", "sacct");
        }

        @Test
        void scontrolRecordIds() {
            assertThat(SlurmScheduler.scontrolIds(SlurmScheduler.scontrolFields(
                    "JobId=30 ArrayJobId=26 ArrayTaskId=5 ArrayTaskThrottle=2 JobName=a JobState=RUNNING")))
                    .containsExactly("26_5");
            assertThat(SlurmScheduler.scontrolIds(SlurmScheduler.scontrolFields(
                    "JobId=26 ArrayJobId=26 ArrayTaskId=6-9%2 JobState=PENDING")))
                    .containsExactly("26_6", "26_7", "26_8", "26_9");
            assertThat(SlurmScheduler.scontrolIds(SlurmScheduler.scontrolFields(
                    "JobId=26 ArrayJobId=26 ArrayTaskId=1,3-4 JobState=PENDING")))
                    .containsExactly("26_1", "26_3", "26_4");
            assertThat(SlurmScheduler.scontrolIds(SlurmScheduler.scontrolFields(
                    "JobId=28 HetJobId=27 HetJobOffset=1 JobName=h HetJobIdSet=27-28 JobState=PENDING")))
                    .containsExactly("27+1");
            assertThat(SlurmScheduler.scontrolIds(SlurmScheduler.scontrolFields("JobId=36 JobName=t JobState=TIMEOUT")))
                    .containsExactly("36");
            assertThat(SlurmScheduler.scontrolIds(SlurmScheduler.scontrolFields("No jobs in the system"))).isEmpty();
            assertThat(SlurmScheduler.scontrolIds(SlurmScheduler.scontrolFields(
                    "JobId=26 ArrayJobId=26 ArrayTaskId=5- JobState=PENDING"))).isEmpty();
        }

        @Test
        void slurmdbdDownLeavesEndedJobsAsSqueueSawThem() {
            shell.fixture("squeue", "squeue-drover-format_mixed-finished");
            shell.fixture("sacct", "sacct_slurmdbd-unreachable");

            Map<String, JobStatus> s = slurm.status(List.of("260", "999999"));

            // "Connection refused" may pass: sacct is tried once more, never more
            assertThat(shell.programs()).containsExactly("squeue", "sacct", "sacct");
            assertThat(s.get("260").state()).isEqualTo(JobState.FAILED);
            assertThat(s.get("260").exitCode()).isNull();
            assertThat(s.get("999999").state()).isEqualTo(JobState.UNKNOWN);
            assertThat(s.get("999999").reason()).contains("Problem talking to the database");
        }

        @Test
        void aThousandIdsAreOneSqueueAndAtMostOneSacct() {
            StringBuilder queue = new StringBuilder();
            StringBuilder accounting = new StringBuilder();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                int id = 5_000 + i;
                ids.add(Integer.toString(id));
                if (i % 3 == 0) {
                    queue.append(id).append("|RUNNING|None|2026-11-25T08:05:25|NONE\n");
                } else if (i % 3 == 1) {
                    queue.append(id).append("|COMPLETED|None|2026-11-25T08:05:25|2026-11-25T08:06:25\n");
                    accounting.append(id).append("|COMPLETED|0:0|None|2026-11-25T08:05:25|2026-11-25T08:06:25\n");
                } else {   // gone from squeue (older than MinJobAge)
                    accounting.append(id).append("|FAILED|2:0|None|2026-11-25T08:05:25|2026-11-25T08:06:25\n");
                }
            }
            shell.ok("squeue", queue.toString());
            shell.ok("sacct", accounting.toString());

            Map<String, JobStatus> s = slurm.status(ids);

            assertThat(shell.count("squeue")).isEqualTo(1);
            assertThat(shell.count("sacct")).isLessThanOrEqualTo(1);
            List<String> squeue = shell.calls("squeue").get(0);
            assertThat(squeue).contains("--states=all", "--array", "--user=root", "--jobs=" + String.join(",", ids));
            assertThat(s).hasSize(1_000);
            for (int i = 0; i < 1_000; i++) {
                JobStatus st = s.get(ids.get(i));
                assertThat(st.state()).isEqualTo(i % 3 == 0 ? JobState.RUNNING
                        : i % 3 == 1 ? JobState.COMPLETED : JobState.FAILED);
            }
        }

        @Test
        void arrayTasksAreAskedByTheirArrayIdOnce() {
            shell.fixture("squeue", "squeue-drover-format_mixed-live");
            shell.ok("sacct", "");
            List<String> ids = IntStream.rangeClosed(4, 9).mapToObj(i -> "256_" + i).collect(Collectors.toList());

            Map<String, JobStatus> s = slurm.status(ids);

            assertThat(shell.count("squeue")).isEqualTo(1);
            assertThat(shell.count("sacct")).isZero();   // all live
            assertThat(arg(shell.calls("squeue").get(0), "--jobs=")).isEqualTo("--jobs=256");
            assertThat(s.get("256_4").state()).isEqualTo(JobState.RUNNING);
            assertThat(s.get("256_9").state()).isEqualTo(JobState.PENDING);
        }

        @Test
        void beyondTheIdLimitSqueueListsAllOfTheUsersJobs() {
            shell.ok("squeue", "");
            shell.ok("sacct", "");
            List<String> ids = IntStream.range(0, SlurmScheduler.MAX_IDS_PER_QUERY + 1)
                    .mapToObj(i -> Integer.toString(100_000 + i)).collect(Collectors.toList());

            slurm.status(ids);

            assertThat(shell.count("squeue")).isEqualTo(1);
            assertThat(shell.calls("squeue").get(0)).contains("--user=root").noneMatch(a -> a.startsWith("--jobs"));
            // sacct needs the ids, and one argument must stay under the kernel's 128 KiB: chunks of at most 5,000.
            assertThat(shell.count("sacct")).isEqualTo(2);
            assertThat(shell.calls("sacct")).allSatisfy(c -> assertThat(arg(c, "--jobs=").split(",").length)
                    .isLessThanOrEqualTo(SlurmScheduler.MAX_IDS_PER_QUERY));
        }
    }

    // ---------------------------------------------------------------- cancel, user

    @Test
    void cancelOfTwoAndAHalfThousandIdsIsThreeScancelsOfAtMostAThousand() {
        shell.ok("scancel", "");
        List<String> ids = IntStream.range(0, 2_500).mapToObj(i -> Integer.toString(10_000 + i))
                .collect(Collectors.toList());

        slurm.cancel(ids);

        List<List<String>> calls = shell.calls("scancel");
        assertThat(calls).hasSize(3);
        assertThat(calls).extracting(List::size).containsExactly(1_001, 1_001, 501);
        List<String> cancelled = calls.stream().flatMap(c -> c.subList(1, c.size()).stream()).collect(Collectors.toList());
        assertThat(cancelled).containsExactlyElementsOf(ids);
    }

    @Test
    void aFailedScancelIsLoggedNotThrown() {
        shell.fixture("scancel", "scancel_slurmctld-unreachable");   // rc 8
        slurm.cancel(List.of("999999"));
        // transient: tried as often as a submit (3 attempts here), then logged
        assertThat(shell.count("scancel")).isEqualTo(3);
    }

    @Test
    void aScancelThatFailsOnATransientErrorIsTriedAgain() {
        shell.fixture("scancel", "scancel_slurmctld-unreachable").on("scancel", null, "", "").ok("scancel", "");
        List<String> ids = List.of("101", "102_3", "103+0");

        slurm.cancel(ids);

        assertThat(shell.calls("scancel")).hasSize(3)
                .allSatisfy(c -> assertThat(c).containsExactly("scancel", "101", "102_3", "103+0"));
    }

    @Test
    void aScancelThatFailsForGoodIsNotTriedAgain() {
        shell.on("scancel", 1, "", "scancel: error: Kill job error on job id 101: Access/permission denied\n");
        slurm.cancel(List.of("101"));
        assertThat(shell.count("scancel")).isEqualTo(1);
    }

    @Test
    void unknownIdsAreNotAFailure() {
        shell.fixture("scancel", "scancel_unknown-id-verbose");   // rc 0
        slurm.cancel(List.of("999999"));
        assertThat(shell.count("scancel")).isEqualTo(1);
    }

    @Test
    void somethingThatIsNotAJobIdNeverReachesScancel() {
        shell.ok("scancel", "");
        for (String bad : List.of("--user=root", "-u", "123;rm", "abc", "12.batch", "123_[1-3]", "")) {
            assertThatThrownBy(() -> slurm.cancel(List.of("101", bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("nothing was cancelled");
        }
        assertThatThrownBy(() -> slurm.cancel(java.util.Arrays.asList("101", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThat(shell.calls()).isEmpty();
    }

    @Test
    void theUserIsAskedOnceWhenNotConfigured() {
        FakeShell fresh = new FakeShell().ok("id", "alice\n").ok("squeue", "").ok("sacct", "");
        SlurmScheduler s = SlurmScheduler.builder().shell(fresh).build();

        s.status(List.of("1", "2"));
        s.status(List.of("3", "4"));

        assertThat(fresh.count("id")).isEqualTo(1);
        assertThat(fresh.calls("squeue")).allSatisfy(c -> assertThat(c).contains("--user=alice"));
    }
}
