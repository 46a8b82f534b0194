package org.drover;

import java.time.Instant;

/**
 * One entry of an attempt's state history.
 *
 * @param at when Drover saw the change
 * @param state the new state
 * @param reason why, if the scheduler said ("" if not)
 */
public record StateChange(Instant at, JobState state, String reason) {
    public StateChange {
        reason = reason == null ? "" : reason;
    }
}
