package org.drover.run;

/**
 * Hears what a {@code RunManager} does, on its polling thread: keep the methods quick.
 *
 * <pre>{@code
 * RunManager.of(bundle).listener(new RunListener() {
 *     public void retried(TaskEvent e) { System.out.println(e.task() + " crashed (" + e.jobState() + "), retrying"); }
 * })
 * }</pre>
 *
 * <p>To see the run advance, attach a {@link ProgressBar}: {@code .listener(ProgressBar.create())}.
 */
public interface RunListener {
    /**
     * An attempt was submitted.
     *
     * @param event the task, its attempt, job id, states and reason
     */
    default void submitted(TaskEvent event) {}

    /**
     * An attempt's scheduler state changed.
     *
     * @param event the task, its attempt, job id, states and reason
     */
    default void stateChanged(TaskEvent event) {}

    /**
     * An attempt ended unsuccessfully and the task will be tried again.
     *
     * @param event the task, its attempt, job id, states and reason
     */
    default void retried(TaskEvent event) {}

    /**
     * A task ended for good (completed, skipped, failed or cancelled).
     *
     * @param event the task, its attempt, job id, states and reason
     */
    default void finished(TaskEvent event) {}

    /**
     * A step of the manager (one poll, see {@link RunManager#step()}) ended; called after every step
     * and once more with the final report when the run ends ({@link RunReport#isFinished()}). The
     * report's counts are made already; its rows only if asked for. {@link ProgressBar} is a
     * listener of this kind.
     *
     * @param report where the run stands
     */
    default void progressed(RunReport report) {}
}
