package org.drover.pbs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.drover.pbs.internal.PbsParsingTest.fixture;

import java.util.List;
import java.util.Map;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.junit.jupiter.api.Test;

/** A batched qstat answer gives a status for every id asked, from real OpenPBS outputs. */
class QstatAnswerTest {
    @Test
    void everyIdAskedGetsAStatusFromOneAnswer() {
        // The real answer for 5, 7, 8 and 9, plus the real stderr of an unknown id (rc 153 when one is unknown).
        Map<String, JobStatus> s = QstatAnswer.statuses(List.of("5.pbshost", "7.pbshost", "8.pbshost", "9.pbshost",
                "9999.pbshost"), fixture("qstat-x-f_multiple-ids.txt"), fixture("qstat-f_unknown-id.stderr.txt"), 153);
        assertThat(s.keySet()).containsExactly("5.pbshost", "7.pbshost", "8.pbshost", "9.pbshost", "9999.pbshost");
        assertThat(s.get("5.pbshost").state()).isEqualTo(JobState.COMPLETED);
        assertThat(s.get("7.pbshost").exitCode()).isEqualTo(3);
        assertThat(s.get("8.pbshost").state()).isEqualTo(JobState.TIMEOUT);
        assertThat(s.get("9.pbshost").state()).isEqualTo(JobState.CANCELLED);
        assertThat(s.get("9999.pbshost").state()).isEqualTo(JobState.NOT_FOUND);
        assertThat(s.get("9999.pbshost").reason()).isEqualTo("unknown to the PBS server");
    }

    @Test
    void aFinishedJobWithoutHistoryIsNotFoundAndAnIdMayBeAskedWithoutItsServer() {
        Map<String, JobStatus> s = QstatAnswer.statuses(List.of("18.pbshost"), "",
                fixture("qstat-f_finished-without-x.stderr.txt"), 35);
        assertThat(s.get("18.pbshost").state()).isEqualTo(JobState.NOT_FOUND);
        assertThat(QstatAnswer.statuses(List.of("7"), fixture("qstat-x-f_finished-exit3.txt"), "", 0).get("7").exitCode())
                .isEqualTo(3);
    }

    @Test
    void silentAnswersAndFailedCallsAreToldApart() {
        // A Torque-style wrapper: rc 153 and no message for an unknown id.
        assertThat(QstatAnswer.statuses(List.of("12"), "", "", 153).get("12").state()).isEqualTo(JobState.NOT_FOUND);
        // The server does not answer: nothing is known, and nothing may fail a job.
        JobStatus down = QstatAnswer.statuses(List.of("12.pbshost"), "",
                "Connection refused\nqstat: cannot connect to server pbshost (errno=111)\n", 2).get("12.pbshost");
        assertThat(down.state()).isEqualTo(JobState.UNKNOWN);
        assertThat(down.reason()).contains("cannot connect to server pbshost");
        assertThat(QstatAnswer.statuses(List.of("12.pbshost"), "", "", null).get("12.pbshost").state())
                .isEqualTo(JobState.UNKNOWN);
    }
}
