package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressSentenceTest {
    private static int[] counts(Object... stateThenCount) {
        int[] byState = new int[TaskState.values().length];
        for (int i = 0; i < stateThenCount.length; i += 2) {
            byState[((TaskState) stateThenCount[i]).ordinal()] = (Integer) stateThenCount[i + 1];
        }
        return byState;
    }

    @Test
    void readsAsASentenceWithOnlyTheStatesThatHaveTasks() {
        assertThat(ProgressSentence.of("study", counts(TaskState.COMPLETED, 12, TaskState.RUNNING, 3,
                TaskState.FAILED, 1, TaskState.WAITING, 24)))
                .isEqualTo("study: 12 of 40 done, 3 running, 1 failed, 24 waiting");
    }

    @Test
    void oneTaskAndNoTasks() {
        assertThat(ProgressSentence.of("one", counts(TaskState.PENDING, 1))).isEqualTo("one: 0 of 1 done, 1 queued");
        assertThat(ProgressSentence.of("one", counts(TaskState.COMPLETED, 1))).isEqualTo("one: 1 of 1 done");
        assertThat(ProgressSentence.of("none", counts())).isEqualTo("none: 0 of 0 done");
    }

    @Test
    void everyStateHasItsWordAndSkippedTasksCountAsDone() {
        assertThat(ProgressSentence.of("all", counts(TaskState.WAITING, 1, TaskState.PENDING, 2, TaskState.RUNNING, 3,
                TaskState.RETRY_WAIT, 4, TaskState.COMPLETED, 5, TaskState.SKIPPED, 6, TaskState.FAILED, 7,
                TaskState.CANCELLED, 8)))
                .isEqualTo("all: 11 of 36 done (6 skipped), 3 running, 2 queued, 4 to retry, 7 failed, 8 cancelled, 1 waiting");
    }

    @Test
    void largeCountsAreGrouped() {
        assertThat(ProgressSentence.of("big", counts(TaskState.COMPLETED, 12_000, TaskState.WAITING, 88_000)))
                .isEqualTo("big: 12,000 of 100,000 done, 88,000 waiting");
    }
}
