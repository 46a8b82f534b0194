package org.drover.run;

import java.time.Instant;
import org.drover.scheduler.JobState;

/**
 * One entry of an attempt's state history.
 *
 * @param at when Drover saw the change
 * @param state the new state
 * @param reason why, if the scheduler said ("" if not)
 */
public record StateChange(Instant at, JobState state, String reason) {
    /**
     * Checks the time and state; a null reason becomes empty.
     *
     * @param at when Drover saw the change
     * @param state the new state
     * @param reason why, if the scheduler said ("" if not)
     */
    public StateChange {
        reason = reason == null ? "" : reason;
    }

    /**
     * When, the state, and why.
     *
     * @return e.g. {@code StateChange[2026-12-05T10:00:00Z NODE_FAIL: node c3 down]}
     */
    @Override
    public String toString() {
        return "StateChange[" + at + " " + state + (reason.isEmpty() ? "" : ": " + reason) + "]";
    }
}
