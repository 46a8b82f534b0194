package org.drover.pbs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.junit.jupiter.api.Test;

/** qstat -f (text) and qsub outputs of real OpenPBS 23.06.06 (fixtures/pbs/README.md), and what they mean. */
class PbsParsingTest {
    static String fixture(String name) {
        try (InputStream in = PbsParsingTest.class.getResourceAsStream("/fixtures/pbs/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JobStatus only(String fixture) {
        List<PbsJob> jobs = QstatFullParser.parse(fixture(fixture));
        assertThat(jobs).hasSize(1);
        return PbsStates.status(jobs.get(0));
    }

    @Test
    void wrappedValuesAreJoinedAsPrintedEvenInsidePaths() {
        PbsJob j = QstatFullParser.parse(fixture("qstat-x-f_finished-exit3.txt")).get(0);
        assertThat(j.id()).isEqualTo("7.pbshost");
        assertThat(j.get("Job_Name")).contains("exit3_job");
        assertThat(j.get("depend")).contains("beforeok:9.pbshost@pbshost,beforeany:10.pbshost@pbshost,"
                + "beforenotok:11.pbshost@pbshost");
        assertThat(j.get("Variable_List").orElseThrow())
                .contains("PBS_O_PATH=/opt/pbs/bin:/usr/local/bin:/usr/bin:/bin,PBS_O_MAIL=/var/mail/alice")
                .contains("PBS_O_INTERACTIVE_ENCRYPT_METHOD=,PBS_O_WORKDIR=/home/alice/study/pbs")
                .doesNotContain("\t").doesNotContain("\n");
        assertThat(j.get("Resource_List.select")).contains("1:ncpus=1");
        assertThat(j.exitStatus()).contains(3);
        assertThat(j.substate()).contains(93);
    }

    @Test
    void severalJobsInOneAnswerEachWithItsOwnState() {
        List<PbsJob> jobs = QstatFullParser.parse(fixture("qstat-x-f_multiple-ids.txt"));
        Map<String, JobState> states = jobs.stream().collect(Collectors.toMap(PbsJob::id, j -> PbsStates.status(j).state()));
        assertThat(jobs).extracting(PbsJob::id).containsExactly("5.pbshost", "7.pbshost", "8.pbshost", "9.pbshost");
        assertThat(states).containsEntry("5.pbshost", JobState.COMPLETED).containsEntry("7.pbshost", JobState.FAILED)
                .containsEntry("8.pbshost", JobState.TIMEOUT).containsEntry("9.pbshost", JobState.CANCELLED);
    }

    @Test
    void finishedJobsTellTheirEnd() {
        JobStatus ok = only("qstat-x-f_finished-ok.txt");
        assertThat(ok.state()).isEqualTo(JobState.COMPLETED);
        assertThat(ok.exitCode()).isZero();

        JobStatus exit3 = only("qstat-x-f_finished-exit3.txt");
        assertThat(exit3.state()).isEqualTo(JobState.FAILED);
        assertThat(exit3.exitCode()).isEqualTo(3);
        assertThat(exit3.reason()).startsWith("exit code 3: Job run at Wed Nov 25 at 06:19").endsWith("and failed");

        JobStatus wall = only("qstat-x-f_walltime-killed.txt");
        assertThat(wall.state()).isEqualTo(JobState.TIMEOUT);
        assertThat(wall.reason()).endsWith("and exceeded resource walltime");   // joined across the wrap

        JobStatus deleted = only("qstat-x-f_deleted-while-running.txt");   // Exit_status 271 = 256 + SIGTERM
        assertThat(deleted.state()).isEqualTo(JobState.CANCELLED);
        assertThat(deleted.exitCode()).isEqualTo(143);
        assertThat(deleted.reason()).endsWith("and terminated by alice@pbshost");

        JobStatus neverRan = only("qstat-x-f_dependent-afterok-of-failed.txt");   // no Exit_status, no comment
        assertThat(neverRan.state()).isEqualTo(JobState.CANCELLED);
        assertThat(neverRan.exitCode()).isNull();
        assertThat(neverRan.reason()).startsWith("ended without running");

        JobStatus array = only("qstat-x-f_array-finished.txt");
        assertThat(array.id()).isEqualTo("4[].pbshost");
        assertThat(array.state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void liveJobs() {
        JobStatus running = only("qstat-f_running.txt");
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
        assertThat(running.reason()).startsWith("Job run at");
        JobStatus queued = only("qstat-f_queued.txt");
        assertThat(queued.state()).isEqualTo(JobState.PENDING);
        assertThat(queued.reason()).isEqualTo("Not Running: Not enough free nodes available");
        assertThat(only("qstat-f_held.txt").state()).isEqualTo(JobState.HELD);
        // PBS's own (system) hold of a job waiting for its dependencies: it waits, nobody held it.
        assertThat(only("qstat-f_dependency-held.txt").state()).isEqualTo(JobState.PENDING);
        assertThat(only("qstat-f_dependency-held.txt").reason()).isEqualTo("waiting for its dependencies "
                + "(afterok:7.pbshost@pbshost)");
        assertThat(only("qstat-f_array-begun.txt").state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void everyStateLetterHasARowAndAnUnknownOneSaysSo() {
        Map<String, JobState> expected = Map.ofEntries(Map.entry("Q", JobState.PENDING), Map.entry("W", JobState.PENDING),
                Map.entry("T", JobState.PENDING), Map.entry("H", JobState.HELD), Map.entry("S", JobState.SUSPENDED),
                Map.entry("U", JobState.SUSPENDED), Map.entry("R", JobState.RUNNING), Map.entry("E", JobState.RUNNING),
                Map.entry("B", JobState.RUNNING), Map.entry("M", JobState.NOT_FOUND), Map.entry("F", JobState.CANCELLED),
                Map.entry("X", JobState.CANCELLED), Map.entry("C", JobState.NOT_FOUND));
        expected.forEach((letter, state) -> assertThat(PbsStates.status(new PbsJob("1.h", Map.of("job_state", letter)))
                .state()).as("job_state %s", letter).isEqualTo(state));
        JobStatus z = PbsStates.status(new PbsJob("1.h", Map.of("job_state", "Z")));
        assertThat(z.state()).isEqualTo(JobState.UNKNOWN);
        assertThat(z.reason()).contains("'Z'");
    }

    @Test
    void exitStatusesOfFinishedJobs() {
        assertThat(end("0", "")).isEqualTo(JobState.COMPLETED);
        assertThat(end("0", "Job Array Began at Wed Nov 25 at 06:25 and failed")).isEqualTo(JobState.FAILED);
        assertThat(end("-29", "")).isEqualTo(JobState.TIMEOUT);
        assertThat(end("-27", "")).isEqualTo(JobState.OUT_OF_MEMORY);
        assertThat(end("-1", "")).isEqualTo(JobState.FAILED);
        assertThat(end("143", "Subjob finished and terminated")).isEqualTo(JobState.CANCELLED);
        assertThat(end("265", "")).isEqualTo(JobState.FAILED);   // killed by SIGKILL, not by qdel
        JobStatus torque = PbsStates.status(new PbsJob("12.host", Map.of("job_state", "C", "exit_status", "2")));
        assertThat(torque.state()).isEqualTo(JobState.FAILED);
        assertThat(torque.exitCode()).isEqualTo(2);
        assertThat(PbsStates.status(new PbsJob("1.h", Map.of("job_state", "F", "Exit_status", "265"))).exitCode())
                .isEqualTo(137);
    }

    private static JobState end(String exit, String comment) {
        return PbsStates.status(new PbsJob("1.h", Map.of("job_state", "F", "Exit_status", exit, "comment", comment)))
                .state();
    }

    @Test
    void qsubPrintsTheFullIdWithItsServer() {
        assertThat(QsubOutput.jobId(fixture("qsub_simple.txt"))).isEqualTo("5.pbshost");
        assertThat(QsubOutput.jobId(fixture("qsub-J_array.txt"))).isEqualTo("4[].pbshost");
        assertThat(QsubOutput.jobId("12\n")).isEqualTo("12");   // Torque may print the bare number
        assertThatThrownBy(() -> QsubOutput.jobId("qsub: Unknown queue\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("qsub: Unknown queue");
    }
}
