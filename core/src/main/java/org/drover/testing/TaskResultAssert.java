package org.drover.testing;

import java.util.Objects;
import org.assertj.core.api.AbstractAssert;
import org.drover.run.TaskResult;
import org.drover.run.TaskState;

/**
 * Assertions on one task's {@link TaskResult}; get them from
 * {@link DroverAssertions#assertThat(TaskResult)} or {@link RunReportAssert#task(String)}. A failure
 * describes the task (state, attempts, exit code, reason) and shows the last lines of its stderr,
 * or of the output the assertion was about.
 *
 * <pre>{@code
 * assertThat(report.task("train_3")).completed().hasExitCode(0).stdoutContains("score");
 * assertThat(run.task("prep")).failed().hasAttempts(3).stderrContains("No space left on device");
 * }</pre>
 */
public final class TaskResultAssert extends AbstractAssert<TaskResultAssert, TaskResult> {
    TaskResultAssert(TaskResult actual) {
        super(actual, TaskResultAssert.class);
    }

    /**
     * The task completed.
     *
     * @return this
     * @throws AssertionError if not, with its reason and stderr
     */
    public TaskResultAssert completed() {
        return hasState(TaskState.COMPLETED);
    }

    /**
     * The task failed for good.
     *
     * @return this
     * @throws AssertionError if not
     */
    public TaskResultAssert failed() {
        return hasState(TaskState.FAILED);
    }

    /**
     * The task is in this state.
     *
     * @param state the expected state
     * @return this
     * @throws AssertionError if not, with its reason and stderr
     */
    public TaskResultAssert hasState(TaskState state) {
        isNotNull();
        Objects.requireNonNull(state, "state");
        if (actual.state() != state) {
            throw fail("to be " + state + ", but it is " + actual.state(), true);
        }
        return this;
    }

    /**
     * The latest attempt exited with this code.
     *
     * @param code the expected exit code
     * @return this
     * @throws AssertionError if not, or if the exit code is not known
     */
    public TaskResultAssert hasExitCode(int code) {
        isNotNull();
        if (actual.exitCode().isEmpty() || actual.exitCode().getAsInt() != code) {
            throw fail("to have exited " + code + ", but its exit code is "
                    + (actual.exitCode().isEmpty() ? "not known" : actual.exitCode().getAsInt()), true);
        }
        return this;
    }

    /**
     * This many attempts were made.
     *
     * @param attempts the expected number
     * @return this
     * @throws AssertionError if not
     */
    public TaskResultAssert hasAttempts(int attempts) {
        isNotNull();
        if (actual.attempts().size() != attempts) {
            StringBuilder states = new StringBuilder();
            actual.attempts().forEach(a -> states.append(states.length() == 0 ? "" : ", ").append(a.state()));
            throw fail("to have made " + attempts + " attempts, but it made " + actual.attempts().size()
                    + (states.length() == 0 ? "" : " (" + states + ")"), true);
        }
        return this;
    }

    /**
     * The task's reason contains this text.
     *
     * @param text the expected part
     * @return this
     * @throws AssertionError if not
     */
    public TaskResultAssert reasonContains(CharSequence text) {
        isNotNull();
        if (!actual.reason().contains(text)) {
            throw fail("to have a reason containing \"" + text + "\"", true);
        }
        return this;
    }

    /**
     * The latest attempt's stdout contains each of these texts.
     *
     * @param texts the expected parts
     * @return this
     * @throws AssertionError if one is missing, with the end of the stdout and of the stderr
     */
    public TaskResultAssert stdoutContains(CharSequence... texts) {
        return outputContains(false, texts);
    }

    /**
     * The latest attempt's stderr contains each of these texts.
     *
     * @param texts the expected parts
     * @return this
     * @throws AssertionError if one is missing, with the end of the stderr
     */
    public TaskResultAssert stderrContains(CharSequence... texts) {
        return outputContains(true, texts);
    }

    private TaskResultAssert outputContains(boolean stderr, CharSequence... texts) {
        isNotNull();
        String what = stderr ? "stderr" : "stdout";
        String output = stderr ? actual.stderr() : actual.stdout();
        for (CharSequence text : texts) {
            if (!output.contains(text)) {
                StringBuilder sb = new StringBuilder("expected the ").append(what).append(" of task ").append(actual.name())
                        .append(" of run '").append(actual.bundle()).append("' to contain \"").append(text)
                        .append("\", but it does not\n  ").append(FailureText.line(actual));
                FailureText.appendTail(sb, actual, stderr, "    ", true);
                if (!stderr) {
                    FailureText.appendTail(sb, actual, true, "    ", false);
                }
                throw failure("%s", sb.toString());
            }
        }
        return this;
    }

    private AssertionError fail(String expectation, boolean withStderr) {
        StringBuilder sb = new StringBuilder("expected task ").append(actual.name()).append(" of run '")
                .append(actual.bundle()).append("' ").append(expectation).append("\n  ").append(FailureText.line(actual));
        if (withStderr) {
            FailureText.appendTail(sb, actual, true, "    ", true);
        }
        return failure("%s", sb.toString());
    }
}
