package org.drover.pbs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.junit.jupiter.api.Test;

/** The real outputs of Debian's slurm-wlm-torque wrappers (fixtures/torque/README.md). */
class TorqueOutputsTest {
    static String torque(String name) {
        try (java.io.InputStream in = TorqueOutputsTest.class.getResourceAsStream("/fixtures/torque/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void tabIndentedAttributesAndBareIdsAreRead() {
        List<PbsJob> jobs = QstatFullParser.parse(torque("qstat-f_several.txt"));
        assertThat(jobs).extracting(PbsJob::id).containsExactly("2931", "2932", "2933");
        assertThat(jobs.get(0).get("Job_Name")).contains("tq_ok");
        assertThat(jobs.get(0).get("Resource_List.walltime")).contains("00:01:00");
        assertThat(jobs).extracting(PbsJob::stateLetter).containsExactly("C", "C", "R");
        assertThat(QsubOutput.jobId(torque("qsub_plain.txt"))).isEqualTo("2934");
    }

    @Test
    void aCompletedJobWithoutExitStatusIsLeftToTheExitcodeRecord() {
        // Exit 0, exit 3 and deleted while running all print "job_state = C" and no exit_status.
        for (String f : List.of("qstat-f_completed-ok.txt", "qstat-f_completed-exit3.txt",
                "qstat-f_deleted-while-running.txt")) {
            JobStatus s = PbsStates.status(QstatFullParser.parse(torque(f)).get(0));
            assertThat(s.state()).as(f).isEqualTo(JobState.NOT_FOUND);
            assertThat(s.exitCode()).as(f).isNull();
            assertThat(s.reason()).as(f).contains("exitcode record");
        }
        JobStatus running = PbsStates.status(QstatFullParser.parse(torque("qstat-f_running.txt")).get(0));
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void anUnknownIdIsASilentExitCode153() {
        assertThat(torque("qstat-f_unknown-id.txt")).isEmpty();
        Map<String, JobStatus> s = QstatAnswer.statuses(List.of("999999", "2933"),
                torque("qstat-f_running.txt"), "", 153);
        assertThat(s.get("999999").state()).isEqualTo(JobState.NOT_FOUND);
        assertThat(s.get("2933").state()).isEqualTo(JobState.RUNNING);
    }
}
