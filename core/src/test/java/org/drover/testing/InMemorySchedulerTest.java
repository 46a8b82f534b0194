package org.drover.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.drover.Job;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Submission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemorySchedulerTest {
    @TempDir
    Path tmp;

    /** Five jobs, one lost, one cancelled; then one status call with the given ids. */
    private Map<String, JobStatus> answer(boolean hashMap, List<String> ids) {
        InMemoryScheduler s = new InMemoryScheduler(2, 2).hashMapAnswers(hashMap);
        for (int i = 0; i < 5; i++) {
            s.submit(new Submission(Job.named("t" + i).command("true"), "b", tmp.resolve("t" + i), 1, List.of(),
                    "drv000000000000000" + i));
        }
        s.lose("2");
        s.cancel(List.of("4"));
        return s.status(ids);
    }

    @Test
    void theArrayBackedAnswerIsTheSameMapAsAHashMap() {
        List<String> ids = List.of("1", "2", "3", "4", "5", "6", "007", "x", "");
        Map<String, JobStatus> array = answer(false, ids);
        Map<String, JobStatus> hash = answer(true, ids);
        assertThat(hash).isInstanceOf(java.util.HashMap.class);
        assertThat(array).isEqualTo(hash).hasSameHashCodeAs(hash).hasSize(ids.size());
        assertThat(array.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(array.values()).containsExactlyInAnyOrderElementsOf(hash.values());
        assertThat(array.get("1").state()).isEqualTo(JobState.RUNNING);
        assertThat(array.get("2").state()).isEqualTo(JobState.NOT_FOUND);   // lost
        assertThat(array.get("3").state()).isEqualTo(JobState.RUNNING);     // 2 slots: 1 and 3 (2 is lost)
        assertThat(array.get("5").state()).isEqualTo(JobState.PENDING);
        assertThat(array.get("4").state()).isEqualTo(JobState.CANCELLED);
        assertThat(array.get("007").state()).isEqualTo(JobState.NOT_FOUND);
        assertThat(array.get("x").state()).isEqualTo(JobState.NOT_FOUND);
        assertThat(array.get("9")).isNull();
        assertThat(array.containsKey("5")).isTrue();
        assertThat(array.containsKey("9")).isFalse();
    }

    @Test
    void aJobRunsForItsTicksAndEveryAnswerIsANewStatus() {
        InMemoryScheduler s = new InMemoryScheduler(1, 3);
        s.submit(new Submission(Job.named("a").command("true"), "b", tmp.resolve("a"), 1, List.of(), "drv0000000000000001"));
        JobStatus first = s.status(List.of("1")).get("1");
        JobStatus second = s.status(List.of("1")).get("1");
        assertThat(first.state()).isEqualTo(JobState.RUNNING);
        assertThat(second).isEqualTo(first).isNotSameAs(first);
        s.status(List.of("1"));
        JobStatus ended = s.status(List.of("1")).get("1");
        assertThat(ended.state()).isEqualTo(JobState.COMPLETED);
        assertThat(ended.exitCode()).isZero();
    }
}
