package org.drover.run;

import java.util.Locale;

/**
 * The one sentence that says where a run stands, for progress lines and report summaries:
 * {@code study: 12 of 40 done, 3 running, 1 failed, 24 waiting}. Done counts completed and skipped
 * tasks; the other parts appear only when not zero, in the order a run moves through them.
 */
final class ProgressSentence {
    private ProgressSentence() {}

    /**
     * The sentence.
     *
     * @param bundle the bundle's name
     * @param byState the number of tasks in each {@link TaskState}, by ordinal
     * @return e.g. {@code study: 12 of 40 done (2 skipped), 3 running, 1 failed, 24 waiting}
     */
    static String of(String bundle, int[] byState) {
        int total = 0;
        for (int n : byState) {
            total += n;
        }
        int skipped = byState[TaskState.SKIPPED.ordinal()];
        int done = byState[TaskState.COMPLETED.ordinal()] + skipped;
        StringBuilder sb = new StringBuilder(64).append(bundle).append(": ");
        sb.append(String.format(Locale.ROOT, "%,d of %,d done", done, total));
        if (skipped > 0) {
            sb.append(String.format(Locale.ROOT, " (%,d skipped)", skipped));
        }
        part(sb, byState[TaskState.RUNNING.ordinal()], "running");
        part(sb, byState[TaskState.PENDING.ordinal()], "queued");
        part(sb, byState[TaskState.RETRY_WAIT.ordinal()], "to retry");
        part(sb, byState[TaskState.FAILED.ordinal()], "failed");
        part(sb, byState[TaskState.CANCELLED.ordinal()], "cancelled");
        part(sb, byState[TaskState.WAITING.ordinal()], "waiting");
        return sb.toString();
    }

    private static void part(StringBuilder sb, int n, String what) {
        if (n > 0) {
            sb.append(String.format(Locale.ROOT, ", %,d %s", n, what));
        }
    }
}
