package org.drover.pbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.drover.DependencyType;
import org.drover.Job;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.Shell;
import org.junit.jupiter.api.Test;

/**
 * The PbsScheduler's decisions on real PBS outputs (fixtures/pbs: OpenPBS 23.06.06; fixtures/torque:
 * Debian's slurm-wlm-torque), through a shell that answers each command with a recorded output.
 * Its behaviour on the real Torque-style commands is {@link PbsSchedulerTorqueIT}'s.
 */
class PbsSchedulerTest {
    /** Answers commands by their first words with queued results; records every command. */
    static final class ScriptedShell implements Shell {
        final List<List<String>> commands = new ArrayList<>();
        final Map<String, byte[]> files = new HashMap<>();
        private final Map<String, Deque<CommandResult>> answers = new HashMap<>();

        ScriptedShell answer(String prefix, String stdout, String stderr, Integer exitCode) {
            answers.computeIfAbsent(prefix, k -> new ArrayDeque<>())
                    .add(new CommandResult(List.of(prefix), exitCode, stdout, stderr, Duration.ZERO));
            return this;
        }

        @Override
        public CommandResult run(List<String> command, Duration timeout) {
            commands.add(command);
            String joined = String.join(" ", command);
            String best = null;
            for (String prefix : answers.keySet()) {
                if (joined.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                    best = prefix;
                }
            }
            Deque<CommandResult> q = best == null ? null : answers.get(best);
            if (q == null || q.isEmpty()) {
                throw new AssertionError("no answer for " + joined);
            }
            return q.size() > 1 ? q.poll() : q.peek();
        }

        @Override
        public void writeFile(Path file, byte[] content) {
            files.put(file.toString(), content);
        }

        @Override
        public Optional<byte[]> readFile(Path file) {
            return Optional.ofNullable(files.get(file.toString()));
        }

        @Override
        public void createDirectories(Path dir) {}

        @Override
        public String describe() {
            return "scripted";
        }

        String file(String path) {
            return new String(files.get(path), StandardCharsets.UTF_8);
        }
    }

    static String fixture(String path) {
        try (java.io.InputStream in = PbsSchedulerTest.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Submission submission(Job job, String token, Submission.IdDependency... deps) {
        return new Submission(job, "b", Path.of("/runs/b/" + job.name() + "/1"), 1, List.of(deps), token);
    }

    private static List<Submission> members(int... indices) {
        List<Job> sweep = org.drover.Sweep.of(Job.named("train").command("echo", "{i}"))
                .param("i", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9).jobs();
        List<Submission> list = new ArrayList<>();
        for (int i : indices) {
            list.add(submission(sweep.get(i), Submission.memberToken("drvarray0000000000", i)));
        }
        return list;
    }

    private static PbsScheduler scheduler(ScriptedShell shell, PbsFlavour flavour) {
        PbsScheduler.Builder b = PbsScheduler.builder().shell(shell).submitRetries(3, Duration.ZERO, Duration.ZERO);
        return (flavour == null ? b : b.flavour(flavour)).build();
    }

    @Test
    void theFlavourIsDetectedFromQstatVersion() {
        ScriptedShell pro = new ScriptedShell().answer("qstat --version", fixture("pbs/qstat--version.txt"), "", 0);
        assertThat(scheduler(pro, null).flavour()).isEqualTo(PbsFlavour.PRO);
        ScriptedShell wrapper = new ScriptedShell().answer("qstat --version", fixture("torque/qstat--version.txt"),
                fixture("torque/qstat--version.stderr.txt"), 2);
        PbsScheduler torque = scheduler(wrapper, null);
        assertThat(torque.flavour()).isEqualTo(PbsFlavour.TORQUE);
        torque.flavour();
        assertThat(wrapper.commands).hasSize(1);   // asked once
        ScriptedShell other = new ScriptedShell().answer("qstat --version", "", "bash: qstat: command not found", 127);
        assertThatThrownBy(() -> scheduler(other, null).flavour()).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("cannot tell which PBS runs on scripted")
                .hasMessageContaining("exited 127 and printed 'bash: qstat: command not found'")
                .hasMessageContaining("PbsScheduler.builder().flavour(");
    }

    @Test
    void aJobGoesUnderItsNameAndTokenWithTheWrapperWritingItsOutput() {
        ScriptedShell shell = new ScriptedShell().answer("qsub", fixture("pbs/qsub_simple.txt"), "", 0);
        Submission s = submission(Job.named("prep").command("python3", "prep.py").cpus(2).memory("1G"),
                "drv0123456789abcdef", new Submission.IdDependency("23[].pbshost", DependencyType.AFTER_OK));
        String id = scheduler(shell, PbsFlavour.PRO).submit(s);
        assertThat(id).isEqualTo("5.pbshost");
        assertThat(shell.commands.get(0)).containsExactly("qsub", "-o", "/runs/b/prep/1/pbs.out", "-e",
                "/runs/b/prep/1/pbs.err", "/runs/b/prep/1/script.sh");
        String script = shell.file("/runs/b/prep/1/script.sh");
        assertThat(script).contains("#PBS -N prep-drv0123456789abcdef\n", "#PBS -o /runs/b/prep/1/pbs.out\n",
                "#PBS -l select=1:ncpus=2:mpiprocs=1:mem=1gb\n", "#PBS -W depend=afterok:23[].pbshost\n",
                "exec >'/runs/b/prep/1/stdout' 2>'/runs/b/prep/1/stderr' || exit 1\n");
        // Every directive comes before the first command, or PBS would not read it.
        List<String> lines = script.lines().collect(java.util.stream.Collectors.toList());
        int firstCommand = 1;
        while (lines.get(firstCommand).startsWith("#")) {
            firstCommand++;
        }
        assertThat(lines.subList(firstCommand, lines.size())).noneMatch(l -> l.startsWith("#PBS"));
    }

    @Test
    void torqueDependsOnAWholeArrayWithTheArrayKeywordAndRefusesOneTask() {
        ScriptedShell shell = new ScriptedShell().answer("qsub", "7.torque\n", "", 0);
        PbsScheduler torque = scheduler(shell, PbsFlavour.TORQUE);
        torque.submit(submission(Job.named("report").command("true"), "drv1",
                new Submission.IdDependency("23[].torque", DependencyType.AFTER_OK),
                new Submission.IdDependency("24.torque", DependencyType.AFTER_ANY)));
        assertThat(shell.file("/runs/b/report/1/script.sh"))
                .contains("#PBS -W depend=afterokarray:23[].torque,afterany:24.torque\n");
        assertThatThrownBy(() -> torque.submit(submission(Job.named("one").command("true"), "drv2",
                new Submission.IdDependency("23[4].torque", DependencyType.AFTER_OK))))
                .isInstanceOf(SchedulerException.class).matches(e -> !((SchedulerException) e).isTransient())
                .hasMessageContaining("job 'one' depends on 23[4].torque, one task of an array");
        assertThat(shell.commands).hasSize(1);   // the refused one never reached qsub
    }

    @Test
    void anArrayGoesAsOneQsubWithTheFlavoursIndexVariable() {
        ScriptedShell shell = new ScriptedShell().answer("qsub", fixture("pbs/qsub-J_array.txt"), "", 0);
        Scheduler.SubmittedArray a = scheduler(shell, PbsFlavour.PRO).submitArray(members(0, 1, 2, 3), 2);
        assertThat(a.arrayId()).isEqualTo("4[].pbshost");
        assertThat(a.taskIds()).containsExactly("4[0].pbshost", "4[1].pbshost", "4[2].pbshost", "4[3].pbshost");
        assertThat(shell.commands).hasSize(1);
        String script = shell.file("/runs/b/train.array-1.sh");
        assertThat(script).contains("#PBS -N train-drvarray0000000000\n", "#PBS -J 0-3%2\n",
                "case \"${PBS_ARRAY_INDEX:-}\" in", "exec >'/runs/b/train_2/1/stdout' 2>'/runs/b/train_2/1/stderr' || exit 1");

        ScriptedShell wrapper = new ScriptedShell().answer("qsub", "3276\n", "", 0);
        Scheduler.SubmittedArray t = scheduler(wrapper, PbsFlavour.TORQUE).submitArray(members(0, 2, 3, 5), 0);
        assertThat(t.arrayId()).isEqualTo("3276");
        assertThat(t.taskIds()).containsExactly("3276[0]", "3276[2]", "3276[3]", "3276[5]");
        assertThat(wrapper.file("/runs/b/train.array-1.sh")).contains("#PBS -t 0,2-3,5\n",
                "PBS_ARRAYID=${PBS_ARRAYID:-${SLURM_ARRAY_TASK_ID:-}}\n", "case \"${PBS_ARRAYID:-}\" in");
    }

    @Test
    void proGoesAsOneArrayPerRangeOfIndices() {
        ScriptedShell shell = new ScriptedShell().answer("qsub", "10[].pbshost\n", "", 0)
                .answer("qsub", "11.pbshost\n", "", 0).answer("qsub", "12[].pbshost\n", "", 0);
        Scheduler.SubmittedArray a = scheduler(shell, PbsFlavour.PRO).submitArray(members(0, 1, 4, 7, 8, 9), 3);
        assertThat(a.arrayId()).isNull();
        assertThat(a.taskIds()).containsExactly("10[0].pbshost", "10[1].pbshost", "11.pbshost", "12[7].pbshost",
                "12[8].pbshost", "12[9].pbshost");
        assertThat(shell.file("/runs/b/train.array-1.sh")).contains("#PBS -N train-drvarray0000000000.0\n",
                "#PBS -J 0-1%3\n");
        assertThat(shell.file("/runs/b/train_4/1/script.sh")).contains("#PBS -N train_4-drvarray0000000000-4\n");
        assertThat(shell.file("/runs/b/train.array-1-from-7.sh")).contains("#PBS -N train-drvarray0000000000.7\n",
                "#PBS -J 7-9%3\n");
    }

    @Test
    void aQsubWhoseAnswerWasLostIsFoundByItsTokenAndNotSubmittedAgain() {
        String listing = fixture("torque/qstat-f_all-with-array.txt")
                .replace("Job_Name = dep-test", "Job_Name = prep-drv00000000000000bb");
        ScriptedShell shell = new ScriptedShell().answer("qsub", "", "", null)   // killed: the outcome is unknown
                .answer("qstat -f", listing, "", 0);
        String id = scheduler(shell, PbsFlavour.TORQUE).submit(submission(Job.named("prep").command("true"),
                "drv00000000000000bb"));
        assertThat(id).isEqualTo("3274");
        assertThat(shell.commands).extracting(c -> c.get(0)).containsExactly("qsub", "qstat");
    }

    @Test
    void aWrappersArrayIsFoundByItsLowestIdAndItsMembersByIndex() {
        PbsScheduler torque = scheduler(new ScriptedShell().answer("qstat -f",
                fixture("torque/qstat-f_all-with-array.txt"), "", 0), PbsFlavour.TORQUE);
        // 3276, 3277 and 3278 all carry the array's name: 3276 is the array's own id.
        assertThat(torque.findByTokens(List.of("drv00000000000000aa", "drv00000000000000aa-2",
                "drv0123456789abcdef", "drv00000000000000ff"))).containsExactly(
                Map.entry("drv00000000000000aa", "3276"), Map.entry("drv00000000000000aa-2", "3276[2]"),
                Map.entry("drv0123456789abcdef", "3270"));
        // The ranges of a split PBS Pro array: a member belongs to the range with the highest first index below it.
        String two = "Job Id: 10[].pbshost\n    Job_Name = train-drvA.0\n\nJob Id: 12[].pbshost\n    Job_Name = train-drvA.7\n";
        PbsScheduler pro = scheduler(new ScriptedShell().answer("qstat -x -f", two, "", 0), PbsFlavour.PRO);
        assertThat(pro.findByTokens(List.of("drvA-1", "drvA-8"))).containsExactly(
                Map.entry("drvA-1", "10[1].pbshost"), Map.entry("drvA-8", "12[8].pbshost"));
    }

    @Test
    void aFailingQstatMeansTheTokensCannotBeTold() {
        PbsScheduler pro = scheduler(new ScriptedShell().answer("qstat -x -f", "",
                "Connection refused\nqstat: cannot connect to server pbshost (errno=15010)", 1), PbsFlavour.PRO);
        assertThatThrownBy(() -> pro.findByTokens(List.of("drv1"))).isInstanceOf(SchedulerException.class)
                .matches(e -> ((SchedulerException) e).isTransient()).hasMessageContaining("qstat failed");
    }

    @Test
    void statusIsOneQstatAndAWrappersArrayTaskFollowsItsArray() {
        ScriptedShell shell = new ScriptedShell().answer("qstat -f", fixture("torque/qstat-f_array-and-task.txt"), "", 0);
        Map<String, JobStatus> s = scheduler(shell, PbsFlavour.TORQUE).status(List.of("3276[1]", "3276", "99"));
        assertThat(shell.commands).hasSize(1);
        assertThat(shell.commands.get(0)).containsExactly("qstat", "-f", "3276[1]", "3276", "99", "3276[]");
        assertThat(s.get("3276[1]").state()).isEqualTo(JobState.PENDING);
        assertThat(s.get("3276[1]").reason()).contains("its array 3276 is in the queue");
        assertThat(s.get("3276").state()).isEqualTo(JobState.PENDING);
        assertThat(s.get("99").state()).isEqualTo(JobState.NOT_FOUND);

        // Ended: the task is NOT_FOUND, so that its exitcode record decides.
        ScriptedShell ended = new ScriptedShell().answer("qstat -f", fixture("torque/qstat-f_completed-ok.txt")
                .replace("2931", "3276"), "", 0);
        assertThat(scheduler(ended, PbsFlavour.TORQUE).status(List.of("3276[1]")).get("3276[1]").state())
                .isEqualTo(JobState.NOT_FOUND);
    }

    @Test
    void whereTheQueueCannotTellHowAJobEndedItsRecordsDo() {
        // The wrapper's qstat shows 2931 (exit 0), 2932 (exit 3) and 2933 (deleted) all as C with no exit status.
        ScriptedShell shell = new ScriptedShell().answer("qsub", "2931\n", "", 0).answer("qsub", "2932\n", "", 0)
                .answer("qsub", "2933\n", "", 0).answer("qsub", "2950\n", "", 0)
                .answer("qstat -f", fixture("torque/qstat-f_several.txt").replace("job_state = R", "job_state = C")
                        + fixture("torque/qstat-f_completed-ok.txt").replace("2931", "2950"), "", 0);
        PbsScheduler torque = scheduler(shell, PbsFlavour.TORQUE);
        List<String> names = List.of("ok", "three", "deleted", "gone");
        for (String n : names) {
            torque.submit(submission(Job.named(n).command("true"), "drv" + n));
        }
        shell.files.put("/runs/b/ok/1/exitcode", "0\n".getBytes(StandardCharsets.UTF_8));
        shell.files.put("/runs/b/three/1/exitcode", "3\n".getBytes(StandardCharsets.UTF_8));
        shell.files.put("/runs/b/three/1/started", "1 vm 2".getBytes(StandardCharsets.UTF_8));
        shell.files.put("/runs/b/gone/1/started", "1 vm 2".getBytes(StandardCharsets.UTF_8));
        Map<String, JobStatus> s = torque.status(List.of("2931", "2932", "2933", "2950", "2999"));
        assertThat(s.get("2931").state()).isEqualTo(JobState.COMPLETED);
        assertThat(s.get("2932").state()).isEqualTo(JobState.FAILED);
        assertThat(s.get("2932").exitCode()).isEqualTo(3);
        assertThat(s.get("2932").reason()).startsWith("exit code 3 (from its exitcode record");
        assertThat(s.get("2933").state()).isEqualTo(JobState.CANCELLED);   // C, never started
        assertThat(s.get("2950").state()).isEqualTo(JobState.FAILED);      // C, started, no exit code
        assertThat(s.get("2950").reason()).contains("killed before it could");
        assertThat(s.get("2999").state()).isEqualTo(JobState.NOT_FOUND);   // not ours: the manager decides

        // A task of an array qstat does not show: RUNNING once started, then as its exitcode says.
        ScriptedShell arrays = new ScriptedShell().answer("qsub", "3276\n", "", 0)
                .answer("qstat -f", fixture("torque/qstat-f_array-and-task.txt"), "", 0);
        PbsScheduler t2 = scheduler(arrays, PbsFlavour.TORQUE);
        t2.submitArray(members(0, 1), 0);
        arrays.files.put("/runs/b/train_0/1/started", "1 vm 2".getBytes(StandardCharsets.UTF_8));
        arrays.files.put("/runs/b/train_1/1/started", "1 vm 2".getBytes(StandardCharsets.UTF_8));
        arrays.files.put("/runs/b/train_1/1/exitcode", "0".getBytes(StandardCharsets.UTF_8));
        Map<String, JobStatus> m = t2.status(List.of("3276[0]", "3276[1]"));
        assertThat(m.get("3276[0]").state()).isEqualTo(JobState.RUNNING);
        assertThat(m.get("3276[1]").state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void proAsksWithHistoryAndAFailedQstatIsUnknownNeverAFailure() {
        ScriptedShell shell = new ScriptedShell().answer("qstat -x -f", fixture("pbs/qstat-x-f_multiple-ids.txt"), "", 0);
        Map<String, JobStatus> s = scheduler(shell, PbsFlavour.PRO).status(List.of("5.pbshost", "7.pbshost", "8.pbshost"));
        assertThat(s.values()).extracting(JobStatus::state)
                .containsExactly(JobState.COMPLETED, JobState.FAILED, JobState.TIMEOUT);
        assertThat(s.get("7.pbshost").exitCode()).isEqualTo(3);
        ScriptedShell down = new ScriptedShell().answer("qstat -x -f", "", "qstat: cannot connect to server", 15010 % 256);
        assertThat(scheduler(down, PbsFlavour.PRO).status(List.of("5.pbshost", "not an id")).values())
                .extracting(JobStatus::state).containsExactly(JobState.UNKNOWN, JobState.UNKNOWN);
    }

    @Test
    void cancelIsOneQdelAndAnIdThatIsNoIdCancelsNothing() {
        ScriptedShell shell = new ScriptedShell().answer("qdel", "", fixture("pbs/qdel_multiple-ids-mixed-errors.stderr.txt"),
                168);
        PbsScheduler pro = scheduler(shell, PbsFlavour.PRO);
        pro.cancel(List.of("5.pbshost", "9999.pbshost", "20.pbshost"));   // errors for finished ids are not thrown
        assertThat(shell.commands).containsExactly(List.of("qdel", "5.pbshost", "9999.pbshost", "20.pbshost"));
        assertThatThrownBy(() -> pro.cancel(List.of("5.pbshost", "5; rm -rf /")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'5; rm -rf /'")
                .hasMessageContaining("nothing was cancelled");
        assertThat(shell.commands).hasSize(1);
    }

    @Test
    void aRefusedQsubIsNotRetriedAndSaysWhy() {
        ScriptedShell shell = new ScriptedShell().answer("qsub", fixture("torque/qsub_unknown-queue.txt"), "", 1);
        assertThatThrownBy(() -> scheduler(shell, PbsFlavour.TORQUE).submit(submission(
                Job.named("q").command("true").partition("nosuchq"), "drv3")))
                .isInstanceOf(SchedulerException.class).matches(e -> !((SchedulerException) e).isTransient())
                .hasMessageContaining("qsub of job 'q' failed").hasMessageContaining("Invalid partition name specified");
        assertThat(shell.commands).hasSize(1);
    }

    @Test
    void openPbsRefusalsAreNotRetried() {
        for (String[] refusal : new String[][] {{"pbs/qsub_invalid-resource.stderr.txt", "187", "Unknown resource: foo"},
                {"pbs/qsub_bad-walltime.stderr.txt", "166", "Illegal attribute or resource value"},
                {"pbs/qsub_unknown-queue.stderr.txt", "170", "Unknown queue"}}) {
            ScriptedShell shell = new ScriptedShell().answer("qsub", "", fixture(refusal[0]), Integer.valueOf(refusal[1]));
            assertThatThrownBy(() -> scheduler(shell, PbsFlavour.PRO).submit(submission(Job.named("r").command("true"),
                    "drv6"))).as(refusal[0]).isInstanceOf(SchedulerException.class)
                    .matches(e -> !((SchedulerException) e).isTransient()).hasMessageContaining(refusal[2]);
            assertThat(shell.commands).as(refusal[0]).hasSize(1);
        }
    }

    @Test
    void pathsAndSkippedDirectivesAreChecked() {
        ScriptedShell shell = new ScriptedShell();
        Submission spaced = new Submission(Job.named("p").command("true"), "b", Path.of("/my runs/b/p/1"), 1,
                List.of(), "drv4");
        assertThatThrownBy(() -> scheduler(shell, PbsFlavour.PRO).submit(spaced)).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("path '/my runs/b/p/1/pbs.out' of job 'p' cannot be given to qsub");
        assertThat(shell.commands).isEmpty();
        assertThatThrownBy(() -> PbsScheduler.builder().skipDirective("-N"))
                .hasMessageContaining("skipDirective '-N' cannot be honoured: the job name carries the submission token");
        assertThatThrownBy(() -> PbsScheduler.builder().skipDirective("place"))
                .hasMessageContaining("skipDirective 'place' is not an option like -A or a resource like -l place");
        ScriptedShell s2 = new ScriptedShell().answer("qsub", "1.s\n", "", 0);
        PbsScheduler.builder().shell(s2).flavour(PbsFlavour.PRO).skipDirective("-A").skipDirective("-l place").build()
                .submit(submission(Job.named("x").command("true").account("proj").exclusive(), "drv5"));
        assertThat(s2.file("/runs/b/x/1/script.sh")).doesNotContain("-A proj", "place=excl").contains("#PBS -l select=1");
    }
}
