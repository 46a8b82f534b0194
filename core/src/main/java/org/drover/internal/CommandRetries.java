package org.drover.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.drover.scheduler.SchedulerException;

/**
 * How often a batch scheduler's submit or cancel command is tried on transient errors, and the
 * doubling, jittered wait between tries: shared by the SLURM and PBS schedulers' builders.
 *
 * <pre>{@code
 * CommandRetries r = new CommandRetries(5, Duration.ofSeconds(1), Duration.ofSeconds(30));
 * r.pause(2);   // waits 1-2 s
 * }</pre>
 *
 * @param attempts calls in all, the first included (1 or more)
 * @param first the wait before the second call (0 or more)
 * @param max the longest wait between calls (at least {@code first})
 */
public record CommandRetries(int attempts, Duration first, Duration max) {
    /** Checks the values, naming the one that is wrong. */
    public CommandRetries {
        if (attempts < 1) {
            throw new IllegalArgumentException("submit attempts must be at least 1, got " + attempts);
        }
        if (first == null || max == null || first.isNegative() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff must be 0 or more and at most maxBackoff, got "
                    + first + " and " + max);
        }
    }

    /**
     * Waits before try {@code attempt + 1}: {@code first} doubled per try, at most {@code max},
     * jittered down to half of it.
     *
     * @param attempt the try that just failed (1 for the first)
     * @throws SchedulerException (not transient) if interrupted; the interrupt is kept
     */
    public void pause(int attempt) {
        long base = Math.min(max.toMillis(), first.toMillis() << Math.min(attempt - 1, 20));
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        try {
            TimeUnit.MILLISECONDS.sleep(jittered);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("interrupted while waiting to retry", false, e);
        }
    }

    /**
     * Checks a command timeout.
     *
     * @param timeout the timeout
     * @return the timeout, if positive
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static Duration checkTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive, got " + timeout);
        }
        return timeout;
    }
}
