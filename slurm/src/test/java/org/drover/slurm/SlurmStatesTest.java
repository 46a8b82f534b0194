package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.slurm.internal.SlurmRow;
import org.drover.slurm.internal.SlurmStates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SLURM's whole job state table onto Drover's JobState. */
class SlurmStatesTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    /** Every state squeue %T / sacct State can print (slurm 22.05 man pages), and what Drover makes of it. */
    static final Map<String, JobState> TABLE = new LinkedHashMap<>();

    static {
        TABLE.put("PENDING", JobState.PENDING);
        TABLE.put("CONFIGURING", JobState.RUNNING);
        TABLE.put("RUNNING", JobState.RUNNING);
        TABLE.put("COMPLETING", JobState.RUNNING);
        TABLE.put("COMPLETED", JobState.COMPLETED);
        TABLE.put("FAILED", JobState.FAILED);
        TABLE.put("CANCELLED", JobState.CANCELLED);
        TABLE.put("CANCELLED by 123", JobState.CANCELLED);
        TABLE.put("TIMEOUT", JobState.TIMEOUT);
        TABLE.put("OUT_OF_MEMORY", JobState.OUT_OF_MEMORY);
        TABLE.put("NODE_FAIL", JobState.NODE_FAIL);
        TABLE.put("PREEMPTED", JobState.PREEMPTED);
        TABLE.put("BOOT_FAIL", JobState.BOOT_FAIL);
        TABLE.put("DEADLINE", JobState.TIMEOUT);
        TABLE.put("REQUEUED", JobState.PENDING);
        TABLE.put("REQUEUE_HOLD", JobState.HELD);
        TABLE.put("REQUEUE_FED", JobState.PENDING);
        TABLE.put("RESIZING", JobState.RUNNING);
        TABLE.put("SUSPENDED", JobState.SUSPENDED);
        TABLE.put("REVOKED", JobState.CANCELLED);
        TABLE.put("SPECIAL_EXIT", JobState.HELD);
        TABLE.put("STOPPED", JobState.SUSPENDED);
        TABLE.put("SIGNALING", JobState.RUNNING);
        TABLE.put("STAGE_OUT", JobState.RUNNING);
        TABLE.put("RESV_DEL_HOLD", JobState.HELD);
        TABLE.put("UPDATE_DB", JobState.RUNNING);
    }

    @Test
    void theWholeStateTable() {
        Map<String, JobState> actual = new LinkedHashMap<>();
        TABLE.keySet().forEach(word -> actual.put(word, SlurmStates.toJobState(word, "None")));
        assertThat(actual).containsExactlyEntriesOf(TABLE);
    }

    @Test
    void everyDroverStateButUnknownNotFoundAndLostIsReachable() {
        // UNKNOWN and NOT_FOUND come from how queries went, not from a state word; LOST is the manager's.
        EnumSet<JobState> reached = EnumSet.noneOf(JobState.class);
        reached.addAll(TABLE.values());
        assertThat(EnumSet.complementOf(reached))
                .containsExactlyInAnyOrder(JobState.UNKNOWN, JobState.NOT_FOUND, JobState.LOST);
    }

    @Test
    void terminalStatesAreTerminalAndOnlyCompletedIsSuccess() {
        for (String word : new String[] {"COMPLETED", "FAILED", "CANCELLED", "CANCELLED by 0", "TIMEOUT",
                "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED"}) {
            JobState s = SlurmStates.toJobState(word, "None");
            assertThat(s.isTerminal()).as(word).isTrue();
            assertThat(s.isSuccess()).as(word).isEqualTo(word.equals("COMPLETED"));
        }
        for (String word : new String[] {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED",
                "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT",
                "RESV_DEL_HOLD", "SPECIAL_EXIT"}) {
            assertThat(SlurmStates.toJobState(word, "None").isTerminal()).as(word).isFalse();
        }
    }

    @ParameterizedTest
    @CsvSource({
            "PENDING, JobHeldUser, HELD",
            "PENDING, JobHeldAdmin, HELD",
            "REQUEUED, JobHeldUser, HELD",
            "REQUEUE_FED, JobHeldAdmin, HELD",
            "PENDING, Priority, PENDING",
            "PENDING, Resources, PENDING",
            "PENDING, Dependency, PENDING",
            "PENDING, DependencyNeverSatisfied, PENDING",
            "PENDING, None, PENDING",
            "PENDING, '', PENDING",
            // a hold reason does not make a running or ended job held
            "RUNNING, JobHeldUser, RUNNING",
            "CANCELLED, JobHeldUser, CANCELLED",
            "CANCELLED by 0, JobHeldAdmin, CANCELLED",
    })
    void holdReasons(String word, String reason, JobState expected) {
        assertThat(SlurmStates.toJobState(word, reason)).isEqualTo(expected);
    }

    @Test
    void aNullReasonIsNoHold() {
        assertThat(SlurmStates.toJobState("PENDING", null)).isEqualTo(JobState.PENDING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "BOGUS", "COMPLETE", "COMPLETEDX", "SUCCEEDED", "DONE", "CD", "R", "PD", "F",
            "OK", "0", "+", "JOBID", "STATE", "2026-11-25T08:05:25", "COMPLETED?", "?COMPLETED"})
    void anUnknownWordIsUnknownNeverCompleted(String word) {
        JobState s = SlurmStates.toJobState(word, "None");
        assertThat(s).isEqualTo(JobState.UNKNOWN);
        assertThat(s.isTerminal()).isFalse();   // so the caller asks again instead of concluding
    }

    @ParameterizedTest
    @CsvSource({
            "CANCELLED+, CANCELLED",          // sacct's marker for a word cut to the column width
            "OUT_OF_ME+, OUT_OF_MEMORY",
            "OUT_OF_ME, OUT_OF_MEMORY",
            "completed, COMPLETED",           // case does not matter
            "' RUNNING ', RUNNING",
            "CANCELLED by 1000, CANCELLED",
    })
    void variantsOfKnownWords(String word, JobState expected) {
        assertThat(SlurmStates.toJobState(word, "None")).isEqualTo(expected);
    }

    // ---- toStatus

    @Test
    void exitCodeAndSignalOfAnEndedJob() {
        JobStatus s = SlurmStates.toStatus(new SlurmRow("15", "FAILED", "None", "3:0", "2026-11-25T07:57:16",
                "2026-11-25T07:57:17"), UTC);
        assertThat(s.exitCode()).isEqualTo(3);
        assertThat(s.reason()).isEmpty();
        assertThat(s.started()).isEqualTo(Instant.parse("2026-11-25T07:57:16Z"));
        assertThat(s.ended()).isEqualTo(Instant.parse("2026-11-25T07:57:17Z"));
        assertThat(s.nativeState()).isEqualTo("FAILED");

        JobStatus killed = SlurmStates.toStatus(new SlurmRow("38", "FAILED", "JobLaunchFailure", "0:9",
                "2026-11-25T08:01:13", "2026-11-25T08:01:13"), UTC);
        assertThat(killed.state()).isEqualTo(JobState.FAILED);
        assertThat(killed.exitCode()).isEqualTo(137);   // 128 + 9, never a false 0
        assertThat(killed.reason()).isEqualTo("JobLaunchFailure, signal 9");
    }

    @Test
    void aLiveJobHasNoExitCodeEvenIfOneIsPrinted() {
        JobStatus s = SlurmStates.toStatus(new SlurmRow("17", "RUNNING", "None", "0:0", "2026-11-25T07:57:19",
                "Unknown"), UTC);
        assertThat(s.exitCode()).isNull();
        assertThat(s.ended()).isNull();
        assertThat(s.started()).isEqualTo(Instant.parse("2026-11-25T07:57:19Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x:0", "3", ":", "", "3:", ":9", "-:-"})
    void anUnreadableExitCodeIsNone(String exitCode) {
        JobStatus s = SlurmStates.toStatus(new SlurmRow("15", "FAILED", "None", exitCode, "None", "None"), UTC);
        assertThat(s.state()).isEqualTo(JobState.FAILED);
        assertThat(s.exitCode()).isNull();
    }

    @Test
    void pendingAndHeldJobsHaveNoStartEvenWithAnEstimate() {
        assertThat(SlurmStates.toStatus(new SlurmRow("19", "PENDING", "Resources", "", "2027-11-25T07:57:19",
                "NONE"), UTC).started()).isNull();
        assertThat(SlurmStates.toStatus(new SlurmRow("21", "PENDING", "JobHeldUser", "", "2027-11-25T07:57:19",
                "NONE"), UTC).started()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Unknown", "None", "NONE", "N/A", "", "2026-13-45T99:00:00", "2026-11-25T08:0",
            "2026-11-25 08:05:25", "1764057925"})
    void unusableTimesAreNull(String text) {
        JobStatus s = SlurmStates.toStatus(new SlurmRow("1", "COMPLETED", "None", "0:0", text, text), UTC);
        assertThat(s.state()).isEqualTo(JobState.COMPLETED);
        assertThat(s.started()).isNull();
        assertThat(s.ended()).isNull();
    }

    @Test
    void timesAreReadInTheClusterZone() {
        SlurmRow row = new SlurmRow("1", "COMPLETED", "None", "0:0", "2026-11-25T08:00:00", "2026-11-25T09:00:00");
        assertThat(SlurmStates.toStatus(row, ZoneId.of("Europe/Berlin")).started())
                .isEqualTo(Instant.parse("2026-11-25T07:00:00Z"));
    }

    @Test
    void reasonsOfCancelledAndDeadlineJobs() {
        assertThat(SlurmStates.toStatus(new SlurmRow("16", "CANCELLED by 0", "None", "0:0", "None",
                "2026-11-25T07:57:19"), UTC).reason()).isEqualTo("cancelled by uid 0");
        assertThat(SlurmStates.toStatus(new SlurmRow("21", "CANCELLED by 1000", "JobHeldUser", "0:0", "None",
                "2026-11-25T07:57:44"), UTC).reason()).isEqualTo("JobHeldUser, cancelled by uid 1000");
        JobStatus deadline = SlurmStates.toStatus(new SlurmRow("5", "DEADLINE", "None", "0:0", "None",
                "2026-11-25T07:57:44"), UTC);
        assertThat(deadline.state()).isEqualTo(JobState.TIMEOUT);
        assertThat(deadline.reason()).isEqualTo("deadline reached");
    }

    @Test
    void anUnknownWordGivesAnUnknownStatusWithoutTimesOrExitCode() {
        JobStatus s = SlurmStates.toStatus(new SlurmRow("1", "WEIRD_NEW_STATE", "None", "0:0",
                "2026-11-25T08:00:00", "2026-11-25T09:00:00"), UTC);
        assertThat(s.state()).isEqualTo(JobState.UNKNOWN);
        assertThat(s.exitCode()).isNull();
        assertThat(s.ended()).isNull();
        assertThat(s.nativeState()).isEqualTo("WEIRD_NEW_STATE");
    }
}
