package org.drover.run;

import org.drover.scheduler.JobState;

/**
 * What a {@link RunListener} is told.
 *
 * @param task the task (job) name
 * @param attempt the attempt number (0 if none was made)
 * @param jobId the scheduler id of the attempt, or null
 * @param taskState where the task stands now
 * @param jobState the attempt's scheduler state, or null
 * @param reason why ("" if nothing to say)
 */
public record TaskEvent(String task, int attempt, String jobId, TaskState taskState, JobState jobState, String reason) {
    /**
     * The task, its state, and its attempt's.
     *
     * @return e.g. {@code TaskEvent[train_3 RETRY_WAIT, attempt 1, job 17 NODE_FAIL: NODE_FAIL, retrying in 10s]}
     */
    @Override
    public String toString() {
        return "TaskEvent[" + task + " " + taskState + ", attempt " + attempt + (jobId == null ? "" : ", job " + jobId)
                + (jobState == null ? "" : " " + jobState) + (reason == null || reason.isEmpty() ? "" : ": " + reason) + "]";
    }
}
