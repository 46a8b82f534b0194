package org.drover.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.drover.Bundle;
import org.drover.DependencyType;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulerTest {
    @TempDir
    Path tmp;

    private LocalScheduler local;

    @AfterEach
    void close() {
        if (local != null) {
            local.cancelAll();   // close() alone leaves jobs running, on purpose
            local.close();
        }
    }

    private Map<String, JobStatus> runToEnd(Bundle bundle) {
        SubmittedBundle run = Submitter.submit(bundle, local, tmp.resolve("runs"));
        return run.awaitCompletion(Duration.ofSeconds(60));
    }

    @Test
    void runsDependenciesInOrderWhateverOrderTheyWereAdded() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path log = tmp.resolve("order.log");
        Bundle b = Bundle.named("order")
                .add(Job.named("c").script("echo c >> " + log).dependsOn("b"))
                .add(Job.named("b").script("sleep 0.2; echo b >> " + log).dependsOn("a"))
                .add(Job.named("a").script("sleep 0.2; echo a >> " + log));
        Map<String, JobStatus> end = runToEnd(b);

        assertThat(end.values()).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(JobState.COMPLETED);
            assertThat(s.exitCode()).isZero();
        });
        assertThat(Files.readAllLines(log)).containsExactly("a", "b", "c");
        assertThat(end.get("a").ended()).isBeforeOrEqualTo(end.get("b").started());
    }

    @Test
    void writesTheRunDirectoryLayout() throws IOException {
        local = LocalScheduler.builder().cpus(1).build();
        SubmittedBundle run = Submitter.submit(Bundle.named("layout")
                .add(Job.named("hello").command("sh", "-c", "echo out; echo err >&2; exit 4")), local, tmp);
        await().atMost(Duration.ofSeconds(30)).until(() -> run.statuses().get("hello").state().isTerminal());

        Path dir = run.runDirectory().attemptDir("hello", 1);
        assertThat(run.runDirectory().path().getFileName().toString()).matches("layout_\\d{8}-\\d{6}-\\d{3}");
        assertThat(run.runDirectory().recordFile()).exists();
        assertThat(Bundle.load(run.runDirectory().recordFile()).jobs()).extracting(Job::name).containsExactly("hello");
        assertThat(Job.load(dir.resolve("job.json")).command()).containsExactly("sh", "-c", "echo out; echo err >&2; exit 4");
        assertThat(dir.resolve("script.sh")).exists();
        assertThat(dir.resolve("stdout")).hasContent("out");
        assertThat(dir.resolve("stderr")).hasContent("err");
        assertThat(Files.readString(dir.resolve("started")).trim()).matches("\\d+ \\S+ \\d+ \\d+");
        assertThat(RunDirectory.readExitCode(dir)).hasValue(4);
        JobStatus s = run.statuses().get("hello");
        assertThat(s.state()).isEqualTo(JobState.FAILED);
        assertThat(s.exitCode()).isEqualTo(4);
    }

    @Test
    void afterOkDependentsOfAFailedJobAreCancelledWithAReason() {
        local = LocalScheduler.builder().cpus(2).build();
        Bundle b = Bundle.named("fail")
                .add(Job.named("a").command("sh", "-c", "exit 3"))
                .add(Job.named("b").command("true").dependsOn("a"))
                .add(Job.named("c").command("true").dependsOn("b"))
                .add(Job.named("any").command("true").afterAny("a"))
                .add(Job.named("notok").command("true").afterNotOk("a"))
                .add(Job.named("ok-only-if-ok").command("true").afterNotOk("any"));
        Map<String, JobStatus> end = runToEnd(b);

        assertThat(end.get("a").state()).isEqualTo(JobState.FAILED);
        assertThat(end.get("a").exitCode()).isEqualTo(3);
        assertThat(end.get("b").state()).isEqualTo(JobState.CANCELLED);
        assertThat(end.get("b").reason()).isEqualTo(LocalScheduler.DEPENDENCY_NEVER_SATISFIED);
        assertThat(end.get("c").state()).isEqualTo(JobState.CANCELLED);
        assertThat(end.get("c").reason()).isEqualTo(LocalScheduler.DEPENDENCY_NEVER_SATISFIED);
        assertThat(end.get("any").state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.get("notok").state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.get("ok-only-if-ok").state()).isEqualTo(JobState.CANCELLED);
        assertThat(end.get("b").started()).isNull();
    }

    @Test
    void enforcesWalltimeAndKillsTheProcessTree() throws IOException {
        local = LocalScheduler.builder().cpus(1).killGrace(Duration.ofMillis(500)).build();
        Path pids = tmp.resolve("pids");
        // The child ignores TERM, so only the KILL after the grace period ends it.
        SubmittedBundle run = Submitter.submit(Bundle.named("timeout").add(Job.named("slow")
                .script("sh -c 'trap \"\" TERM; echo $$ >> " + pids + "; sleep 60' & echo $$ >> " + pids + "; wait")
                .walltime(Duration.ofSeconds(1))), local, tmp);

        await().atMost(Duration.ofSeconds(20)).until(() -> run.statuses().get("slow").state().isTerminal());
        JobStatus s = run.statuses().get("slow");
        assertThat(s.state()).isEqualTo(JobState.TIMEOUT);
        assertThat(s.reason()).contains("walltime");
        assertThat(Duration.between(s.started(), s.ended())).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
        assertProcessesGone(pids);
    }

    @Test
    void cancelStopsARunningJobAndAllItsChildren() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path pids = tmp.resolve("pids");
        SubmittedBundle run = Submitter.submit(Bundle.named("cancel")
                .add(Job.named("tree").script("sleep 300 & echo $! >> " + pids + "; sleep 300 & echo $! >> " + pids
                        + "; echo $$ >> " + pids + "; wait"))
                .add(Job.named("after").command("true").dependsOn("tree")), local, tmp);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 3);

        run.cancel();

        await().atMost(Duration.ofSeconds(20)).until(() -> run.statuses().values().stream().allMatch(x -> x.state().isTerminal()));
        assertThat(run.statuses().get("tree").state()).isEqualTo(JobState.CANCELLED);
        assertThat(run.statuses().get("after").state()).isEqualTo(JobState.CANCELLED);
        assertProcessesGone(pids);
    }

    private static void assertProcessesGone(Path pids) throws IOException {
        List<Long> list = Files.readAllLines(pids).stream().map(String::trim).map(Long::parseLong).collect(Collectors.toList());
        assertThat(list).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(list).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d alive", pid).isFalse()));
    }

    @Test
    void neverRunsMoreThanTheCpusAllow() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path slots = Files.createDirectories(tmp.resolve("slots"));
        Path seen = tmp.resolve("seen");
        String body = countsRunningTasks(slots, seen, "0.3");
        Bundle b = Bundle.named("slots");
        for (int i = 0; i < 6; i++) {
            b.add(Job.named("one_" + i).script(body));
        }
        b.add(Job.named("two").script(body).cpus(2));
        Map<String, JobStatus> end = runToEnd(b);

        assertThat(end.values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        List<Integer> counts = Files.readAllLines(seen).stream().map(String::trim).map(Integer::parseInt).collect(Collectors.toList());
        assertThat(counts).hasSize(14).allSatisfy(c -> assertThat(c).isBetween(1, 2)).contains(2);
        // The 2-cpu job ran alone: no other job overlapped it.
        JobStatus two = end.get("two");
        for (int i = 0; i < 6; i++) {
            JobStatus one = end.get("one_" + i);
            assertThat(one.ended().isAfter(two.started()) && one.started().isBefore(two.ended()))
                    .as("one_%d overlaps two", i).isFalse();
        }
    }

    @Test
    void neverOversubscribesMemory() {
        local = LocalScheduler.builder().cpus(2).memory("1G").build();
        Bundle b = Bundle.named("memory")
                .add(Job.named("m1").command("sleep", "0.3").memory("600M"))
                .add(Job.named("m2").command("sleep", "0.3").memory("600M"))
                .add(Job.named("small").command("sleep", "0.3").memory("300M"));
        Map<String, JobStatus> end = runToEnd(b);
        JobStatus m1 = end.get("m1");
        JobStatus m2 = end.get("m2");
        assertThat(m2.started()).isAfterOrEqualTo(m1.ended());
        // small fits beside m1 but waits behind m2 (first-come order), so it never starves m2.
        assertThat(end.get("small").started()).isAfterOrEqualTo(m2.started());
    }

    @Test
    void givesGpuJobsTheirOwnDevices() throws IOException {
        local = LocalScheduler.builder().cpus(2).gpus(2).build();
        Bundle b = Bundle.named("gpus")
                .add(Job.named("g1").script("echo $CUDA_VISIBLE_DEVICES; sleep 1").gpus(1))
                .add(Job.named("g2").script("echo $CUDA_VISIBLE_DEVICES; sleep 1").gpus(1))
                .add(Job.named("both").script("echo $CUDA_VISIBLE_DEVICES").gpus(2).afterAny("g1", "g2"))
                .add(Job.named("none").script("echo \"[${CUDA_VISIBLE_DEVICES-unset}]\""));
        SubmittedBundle run = Submitter.submit(b, local, tmp);
        run.awaitCompletion(Duration.ofSeconds(30));
        Path root = run.runDirectory().path();
        JobStatus s1 = run.statuses().get("g1");
        JobStatus s2 = run.statuses().get("g2");
        assertThat(s1.started()).as("g1 and g2 ran at the same time").isBefore(s2.ended());
        assertThat(s2.started()).isBefore(s1.ended());
        String g1 = Files.readString(root.resolve("g1/1/stdout")).trim();
        String g2 = Files.readString(root.resolve("g2/1/stdout")).trim();
        assertThat(List.of(g1, g2)).containsExactlyInAnyOrder("0", "1");
        assertThat(root.resolve("both/1/stdout")).hasContent("0,1");
        assertThat(root.resolve("none/1/stdout")).hasContent("[unset]");
    }

    @Test
    void hostileArgumentsAndEnvironmentReachTheProgramUnchanged() throws IOException {
        local = LocalScheduler.builder().cpus(1).build();
        Path pwned = tmp.resolve("pwned");
        List<String> hostile = List.of("'; touch " + pwned + " #", "$(touch " + pwned + ")", "`touch " + pwned + "`",
                "a\nb", "\"quoted\"", "it's", "back\\slash", "$HOME", "*", "~", "", "-n", "tab\there", "ünïcödé");
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(hostile);
        Job job = Job.named("hostile").command(argv).env("HOSTILE", hostile.get(0) + hostile.get(1))
                .workingDir(tmp.toString());
        Job env = Job.named("env").command("sh", "-c", "printf %s \"$HOSTILE\"").env("HOSTILE", "$(touch " + pwned + ")\n'`x`");
        SubmittedBundle run = Submitter.submit(Bundle.named("hostile").add(job).add(env), local, tmp);
        run.awaitCompletion(Duration.ofSeconds(30));

        assertThat(run.statuses().values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        String out = Files.readString(run.runDirectory().attemptDir("hostile", 1).resolve("stdout"), StandardCharsets.UTF_8);
        assertThat(Arrays.asList(out.split("\0", -1)).subList(0, hostile.size())).containsExactlyElementsOf(hostile);
        assertThat(run.runDirectory().attemptDir("env", 1).resolve("stdout")).hasContent("$(touch " + pwned + ")\n'`x`");
        assertThat(pwned).doesNotExist();
    }

    @Test
    void refusesWhatCanNeverRunAndUnknownDependencies() {
        local = LocalScheduler.builder().cpus(2).memory("1G").gpus(0).build();
        Bundle tooBig = Bundle.named("big").add(Job.named("huge").command("true").cpus(3));
        assertThatThrownBy(() -> Submitter.submit(tooBig, local, tmp))
                .isInstanceOf(SchedulerException.class).hasMessageContaining("huge").hasMessageContaining("cpus=3");
        Bundle gpu = Bundle.named("gpu").add(Job.named("g").command("true").gpus(1));
        assertThatThrownBy(() -> Submitter.submit(gpu, local, tmp)).hasMessageContaining("gpus=1");
        Submission orphan = new Submission(Job.named("o").command("true"), "x", tmp.resolve("o/1").toAbsolutePath(), 1,
                List.of(new Submission.IdDependency("999", DependencyType.AFTER_OK)), "tok");
        assertThatThrownBy(() -> local.submit(orphan)).isInstanceOf(SchedulerException.class).hasMessageContaining("999");
        assertThat(local.status(List.of("12345")).get("12345").state()).isEqualTo(JobState.NOT_FOUND);
    }

    @Test
    void aFailedSubmissionCancelsTheJobsAlreadySubmitted() {
        local = LocalScheduler.builder().cpus(1).build();
        Bundle b = Bundle.named("partial")
                .add(Job.named("first").command("sleep", "30"))
                .add(Job.named("second").command("true").cpus(8).dependsOn("first"));
        assertThatThrownBy(() -> Submitter.submit(b, local, tmp))
                .isInstanceOf(SchedulerException.class)
                .hasMessageContaining("second").hasMessageContaining("the 1 job already submitted was cancelled");
        // Cancelled: TERM ended its sleep (its id never reached the caller; its exitcode record says it).
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            try (java.util.stream.Stream<Path> runs = Files.list(tmp)) {
                return runs.map(r -> r.resolve("first/1/exitcode")).filter(Files::exists).anyMatch(f -> {
                    try {
                        return Files.readString(f).trim().equals("143");
                    } catch (IOException e) {
                        return false;
                    }
                });
            }
        });
    }

    @Test
    void submitsArraySweepsTaskByTaskAndDependentsWaitForAllOfThem() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path out = tmp.resolve("sweep.log");
        Bundle b = Bundle.named("sweep")
                .add(Sweep.of(Job.named("t").script("echo {x}-{y} >> " + out)).param("x", 1, 2).param("y", "a", "b").asArray(2))
                .add(Job.named("sum").script("wc -l < " + out + " > " + tmp.resolve("count")).dependsOn("t"));
        Map<String, JobStatus> end = runToEnd(b);
        assertThat(end).hasSize(5);
        assertThat(end.values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        assertThat(Files.readAllLines(out)).containsExactlyInAnyOrder("1-a", "1-b", "2-a", "2-b");
        assertThat(tmp.resolve("count")).hasContent("4");
    }

    @Test
    void createsTheMissingDirectoriesOfACustomStdoutPath() {
        local = LocalScheduler.builder().cpus(1).build();
        Path go = tmp.resolve("go");
        // first holds the only cpu, so bad is started later, by the scheduling pass that follows first's exit.
        Bundle b = Bundle.named("outdir")
                .add(Job.named("first").script("while [ ! -e " + go + " ]; do sleep 0.02; done"))
                .add(Job.named("bad").script("echo hi").stdout("no/such/dir/out"))
                .add(Job.named("after").command("true").dependsOn("bad"));
        SubmittedBundle run = Submitter.submit(b, local, tmp.resolve("runs"));
        touch(go);
        run.awaitCompletion(Duration.ofSeconds(30));

        assertThat(run.statuses().values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        assertThat(run.runDirectory().attemptDir("bad", 1).resolve("no/such/dir/out")).hasContent("hi");
    }

    @Test
    void aJobThatCannotStartEndsFailedWithAnExitCodeFileAndDecidesItsDependents() throws IOException {
        local = LocalScheduler.builder().cpus(1).build();
        Path go = tmp.resolve("go");
        Bundle b = Bundle.named("nostart")
                .add(Job.named("first").script("while [ ! -e " + go + " ]; do sleep 0.02; done"))
                .add(Job.named("bad").command("true").stdout("."))   // a directory: the redirect cannot open it
                .add(Job.named("after").command("true").dependsOn("bad"))
                .add(Job.named("afterAfter").command("true").dependsOn("after"))
                .add(Job.named("rescue").command("true").afterNotOk("bad"));
        SubmittedBundle run = Submitter.submit(b, local, tmp.resolve("runs"));
        touch(go);
        run.awaitCompletion(Duration.ofSeconds(30));

        Map<String, JobStatus> end = run.statuses();
        assertThat(end.get("first").state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.get("bad").state()).isEqualTo(JobState.FAILED);
        assertThat(end.get("bad").exitCode()).isEqualTo(LocalScheduler.CANNOT_START_EXIT_CODE);
        assertThat(end.get("bad").reason()).startsWith("cannot start");
        Path badDir = run.runDirectory().attemptDir("bad", 1);
        assertThat(RunDirectory.readExitCode(badDir)).hasValue(LocalScheduler.CANNOT_START_EXIT_CODE);
        assertThat(Files.readString(badDir.resolve("stderr"))).contains("cannot start");
        assertThat(end.get("after").state()).isEqualTo(JobState.CANCELLED);
        assertThat(end.get("after").reason()).isEqualTo(LocalScheduler.DEPENDENCY_NEVER_SATISFIED);
        assertThat(end.get("afterAfter").state()).isEqualTo(JobState.CANCELLED);
        assertThat(end.get("rescue").state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void aJobThatRemovesItsOwnAttemptDirectoryStillEndsAndFreesItsSlot() {
        local = LocalScheduler.builder().cpus(1).build();
        Bundle b = Bundle.named("selfdelete")
                .add(Job.named("vandal").script("rm -rf \"$DROVER_ATTEMPT_DIR\""))
                .add(Job.named("next").command("true"));
        Map<String, JobStatus> end = runToEnd(b);

        assertThat(end.get("vandal").state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.get("vandal").exitCode()).isZero();
        assertThat(end.get("next").state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void submitReturnsTheIdOfAStartedJobEvenWhenItsStartedFileCannotBeWritten() throws IOException {
        local = LocalScheduler.builder().cpus(1).build();
        Path dir = tmp.resolve("blocked/1").toAbsolutePath();
        // A non-empty directory where the started file goes: the rename over it fails.
        Files.createDirectories(dir.resolve(RunDirectory.STARTED).resolve("x"));
        Submission s = new Submission(Job.named("blocked").command("true"), "b", dir, 1, List.of(), "tok");

        String id = local.submit(s);

        await().atMost(Duration.ofSeconds(30)).until(() -> local.status(List.of(id)).get(id).state().isTerminal());
        assertThat(local.status(List.of(id)).get(id).state()).isEqualTo(JobState.COMPLETED);
        assertThat(RunDirectory.readExitCode(dir)).hasValue(0);
    }

    /** A script that appends, on entry and before leaving, how many such scripts are running. */
    private static String countsRunningTasks(Path slots, Path seen, String seconds) {
        return "mkdir " + slots + "/$DROVER_JOB_ID; ls " + slots + " | wc -l >> " + seen
                + "; sleep " + seconds + "; ls " + slots + " | wc -l >> " + seen + "; rmdir " + slots + "/$DROVER_JOB_ID";
    }

    @Test
    void anArrayWithALimitNeverRunsMoreTasksAtOnce() throws IOException {
        local = LocalScheduler.builder().cpus(4).build();
        Path slots = Files.createDirectories(tmp.resolve("slots"));
        Path seen = tmp.resolve("seen");
        String body = countsRunningTasks(slots, seen, "0.2");
        Bundle b = Bundle.named("throttled")
                .add(Sweep.of(Job.named("one").script(body)).param("i", 1, 2, 3, 4).asArray(1))
                .add(Sweep.of(Job.named("two").script("echo {i}")).param("i", 1, 2, 3, 4, 5, 6).asArray(2));
        SubmittedBundle run = Submitter.submit(b, local, tmp.resolve("runs"));
        // Each task has its own id and status.
        assertThat(run.ids()).hasSize(10);
        assertThat(Set.copyOf(run.ids().values())).hasSize(10);
        run.awaitCompletion(Duration.ofSeconds(60));

        assertThat(run.statuses().values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        List<Integer> counts = Files.readAllLines(seen).stream().map(String::trim).map(Integer::parseInt).collect(Collectors.toList());
        assertThat(counts).hasSize(8).containsOnly(1);
    }

    @Test
    void anArrayLimitCountsOnlyItsOwnTasks() throws IOException {
        local = LocalScheduler.builder().cpus(4).build();
        Path slots = Files.createDirectories(tmp.resolve("slots"));
        Path seen = tmp.resolve("seen");
        String body = countsRunningTasks(slots, seen, "0.3");
        Bundle b = Bundle.named("mixed")
                .add(Sweep.of(Job.named("arr").script(body)).param("i", 1, 2, 3, 4, 5, 6).asArray(2))
                .add(Job.named("free").script(body));
        SubmittedBundle run = Submitter.submit(b, local, tmp.resolve("runs"));
        run.awaitCompletion(Duration.ofSeconds(60));

        assertThat(run.statuses().values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        List<Integer> counts = Files.readAllLines(seen).stream().map(String::trim).map(Integer::parseInt).collect(Collectors.toList());
        // At most 2 array tasks and the free job: never more than 3, and the free job ran beside them.
        assertThat(counts).hasSize(14).allSatisfy(c -> assertThat(c).isBetween(1, 3)).contains(3);
    }

    private static void touch(Path file) {
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void hostileSweepValuesReachScriptsAndCommandsUnchangedAndNeverRun() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path pwned = tmp.resolve("pwned");
        List<String> hostile = List.of("$(touch " + pwned + ")", "`touch " + pwned + "`", "'; touch " + pwned + " #",
                "\"; touch " + pwned + "; \"", "\"$(touch " + pwned + ")\"", "'$(touch " + pwned + ")'",
                "a\nb\nEOF\ntouch " + pwned, "it's", "back\\slash\\", "*", "", "{v}", "${HOME}", "-n");
        // The value unquoted, in double quotes, in single quotes, in $'...', from the environment and in a here-document.
        String script = "printf '%s\\0' {v} \"[{v}]\" '[{v}]' $'[{v}]' \"$DROVER_PARAM_v\"\n"
                + "cat <<EOF\n<{v}>\nEOF\n";
        Bundle b = Bundle.named("hostile")
                .add(Sweep.of(Job.named("s").script(script)).param("v", hostile))
                .add(Sweep.of(Job.named("c").command("printf", "%s", "={v}=")).param("v", hostile));
        Map<String, JobStatus> end = runToEnd(b);

        assertThat(end.values()).allSatisfy(st -> assertThat(st.state()).isEqualTo(JobState.COMPLETED));
        Path runDir;
        try (var runs = Files.list(tmp.resolve("runs"))) {
            runDir = runs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        for (int k = 0; k < hostile.size(); k++) {
            String v = hostile.get(k);
            String out = Files.readString(runDir.resolve("s_" + k + "/1/stdout"), StandardCharsets.UTF_8);
            assertThat(out).as("script, value %d", k)
                    .isEqualTo(v + "\0[" + v + "]\0[" + v + "]\0[" + v + "]\0" + v + "\0<" + v + ">\n");
            assertThat(runDir.resolve("c_" + k + "/1/stdout")).as("command, value %d", k).hasContent("=" + v + "=");
        }
        assertThat(pwned).doesNotExist();
    }

    /** Argument-list jobs are exec'd without their script.sh; they must behave as the script would. */
    @Test
    void argumentListJobsBehaveAsTheirScriptWould() throws IOException {
        local = LocalScheduler.builder().cpus(2).build();
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path prog = bin.resolve("myprog");
        Files.writeString(prog, "#!/bin/sh\necho mine \"$GREETING\" \"$DROVER_JOB_NAME\"\n");
        prog.toFile().setExecutable(true);
        Files.createDirectories(tmp.resolve("runs/work"));
        Bundle b = Bundle.named("direct")
                .add(Job.named("path").command("myprog").env("PATH", bin + ":" + System.getenv("PATH")).env("GREETING", "hi"))
                .add(Job.named("missing").command("no-such-program-drover"))
                .add(Job.named("nodir").command("true").workingDir(tmp.resolve("no/such/dir").toString()))
                .add(Job.named("relative").command("pwd").workingDir("../../../work"))
                .add(Job.named("own").command("sh", "-c", "echo $DROVER_JOB_NAME"));
        // A job cannot replace Drover's own variables: the name is refused as the job is built.
        assertThatThrownBy(() -> Job.named("override").command("true").env("DROVER_JOB_NAME", "mine"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        SubmittedBundle run = Submitter.submit(b, local, tmp.resolve("runs"));
        run.awaitCompletion(Duration.ofSeconds(30));
        Map<String, JobStatus> end = run.statuses();
        RunDirectory dirs = run.runDirectory();

        assertThat(end.get("path").state()).isEqualTo(JobState.COMPLETED);
        assertThat(dirs.attemptDir("path", 1).resolve("stdout")).hasContent("mine hi path");
        assertThat(end.get("missing").state()).isEqualTo(JobState.FAILED);
        assertThat(end.get("missing").exitCode()).isEqualTo(127);
        assertThat(RunDirectory.readExitCode(dirs.attemptDir("missing", 1))).hasValue(127);
        assertThat(Files.readString(dirs.attemptDir("missing", 1).resolve("stderr"))).contains("no-such-program-drover");
        assertThat(end.get("nodir").state()).isEqualTo(JobState.FAILED);
        assertThat(end.get("nodir").exitCode()).isEqualTo(1);
        assertThat(Files.readString(dirs.attemptDir("nodir", 1).resolve("stderr"))).contains("cannot cd");
        assertThat(end.get("relative").state()).isEqualTo(JobState.COMPLETED);
        assertThat(Path.of(Files.readString(dirs.attemptDir("relative", 1).resolve("stdout")).trim()).toRealPath())
                .isEqualTo(tmp.resolve("runs/work").toRealPath());
        assertThat(dirs.attemptDir("own", 1).resolve("stdout")).hasContent("own");
        assertThat(dirs.attemptDir("relative", 1).resolve("script.sh")).exists();
        assertThat(Files.readString(dirs.attemptDir("relative", 1).resolve("started")).trim()).matches("\\d+ \\S+ \\d+ \\d+");
    }
}
