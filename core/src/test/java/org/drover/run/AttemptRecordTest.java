package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.drover.scheduler.JobState;
import org.junit.jupiter.api.Test;

class AttemptRecordTest {
    static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

    static AttemptRecord attempt(String stdout, String stderr) {
        return new AttemptRecord(1, "drv0123456789abcdef", "7", JobState.RUNNING, null, "", T, null, "/runs/s/a/1",
                List.of(new StateChange(T, JobState.PENDING, "")), stdout, stderr);
    }

    @Test
    void defaultOutputPathsAreKeptAsNullAndGivenAsThePathInTheAttemptDirectory() {
        AttemptRecord implicit = attempt(null, null);
        AttemptRecord explicit = attempt("/runs/s/a/1/stdout", "/runs/s/a/1/stderr");
        assertThat(implicit.stdout()).isEqualTo("/runs/s/a/1/stdout");
        assertThat(implicit.stderr()).isEqualTo("/runs/s/a/1/stderr");
        assertThat(explicit).isEqualTo(implicit).hasSameHashCodeAs(implicit);
        assertThat(explicit.stdoutIsDefault()).isTrue();
        assertThat(explicit.stderrIsDefault()).isTrue();
    }

    @Test
    void anOutputPathOfItsOwnIsKept() {
        AttemptRecord own = attempt("/data/out.txt", null);
        assertThat(own.stdout()).isEqualTo("/data/out.txt");
        assertThat(own.stdoutIsDefault()).isFalse();
        assertThat(own.stderrIsDefault()).isTrue();
        assertThat(own).isNotEqualTo(attempt(null, null));
    }

    @Test
    void aChangeAppendsToTheHistoryAndLeavesTheOriginalAlone() {
        AttemptRecord a = attempt(null, null);
        AttemptRecord running = a.changed(T.plusSeconds(1), JobState.RUNNING, "R");
        AttemptRecord ended = running.endedAs(T.plusSeconds(9), JobState.COMPLETED, null, 0);
        AttemptRecord more = ended.changed(T.plusSeconds(10), JobState.FAILED, "no result");
        assertThat(a.history()).hasSize(1);
        assertThat(running.history()).extracting(StateChange::state).containsExactly(JobState.PENDING, JobState.RUNNING);
        assertThat(ended.history()).extracting(StateChange::state)
                .containsExactly(JobState.PENDING, JobState.RUNNING, JobState.COMPLETED);
        assertThat(ended.exitCode()).isZero();
        assertThat(ended.ended()).isEqualTo(T.plusSeconds(9));
        assertThat(ended.reason()).isEmpty();
        assertThat(more.history()).hasSize(4);
        assertThat(more.state()).isEqualTo(JobState.FAILED);
        assertThat(more.reason()).isEqualTo("no result");
        assertThat(more.history().get(3)).isEqualTo(new StateChange(T.plusSeconds(10), JobState.FAILED, "no result"));
        assertThat(running.withJobId("8").jobId()).isEqualTo("8");
        assertThatThrownBy(() -> more.history().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theStartReadFromTheJobsRecordIsKeptThroughChangesAndAStoreWrittenBeforeItLoads() throws Exception {
        AttemptRecord a = attempt(null, null);
        assertThat(a.started()).isNull();
        AttemptRecord started = a.withStarted(T.plusSeconds(2));
        AttemptRecord ended = started.changed(T.plusSeconds(3), JobState.RUNNING, "").withJobId("8")
                .endedAs(T.plusSeconds(9), JobState.COMPLETED, "", 0);
        assertThat(ended.started()).isEqualTo(T.plusSeconds(2));

        java.nio.file.Path file = java.nio.file.Files.createTempFile("store", ".json");
        try {
            // An attempt as stores wrote it before the start was kept: no "started" field.
            java.nio.file.Files.writeString(file, "{\"bundle\":\"s\",\"scheduler\":\"local\",\"runDirectory\":\"s_1\","
                    + "\"saved\":\"2026-12-02T10:00:09Z\",\"tasks\":[{\"name\":\"a\",\"state\":\"COMPLETED\","
                    + "\"attempts\":[{\"number\":1,\"token\":\"drv0123456789abcdef\",\"jobId\":\"7\","
                    + "\"state\":\"COMPLETED\",\"exitCode\":0,\"submitted\":\"2026-12-02T10:00:00Z\","
                    + "\"ended\":\"2026-12-02T10:00:09Z\",\"attemptDir\":\"s_1/a/1\",\"history\":[]}]}]}");
            AttemptRecord old = RunStore.json(file).load().orElseThrow().tasks().get(0).lastAttempt();
            assertThat(old.started()).isNull();
            assertThat(old.ended()).isEqualTo(T.plusSeconds(9));
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}
