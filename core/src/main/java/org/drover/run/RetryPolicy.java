package org.drover.run;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.drover.Job;
import org.drover.internal.DefaultRetryPolicy;
import org.drover.scheduler.JobState;

/**
 * When the {@code RunManager} resubmits a task whose attempt ended unsuccessfully, after what
 * delay, and with which resources. Immutable; built fluently.
 *
 * <p>By default only crashes that are not the job's fault are retried: {@link JobState#NODE_FAIL},
 * {@link JobState#PREEMPTED}, {@link JobState#LOST}, {@link JobState#BOOT_FAIL}. Failures of the
 * job itself ({@link JobState#FAILED}, {@link JobState#TIMEOUT}, {@link JobState#OUT_OF_MEMORY})
 * are retried only when asked. Attempts are counted from the task's history.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.builder()
 *         .withMaxAttempts(3)
 *         .withBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5))
 *         .retryOn(JobState.TIMEOUT, JobState.OUT_OF_MEMORY)
 *         .withWalltimeGrowth(2.0)     // each retry after TIMEOUT gets twice the walltime
 *         .withMemoryGrowth(1.5)       // each retry after OUT_OF_MEMORY gets 1.5x the memory
 *         .build();
 * RetryPolicy.builder().withMaxAttempts(0);   // IllegalArgumentException: maxAttempts must be at least 1, got 0
 * }</pre>
 */
public interface RetryPolicy {
    /**
     * The default: 3 attempts, 10 s to 5 min backoff, crashes only.
     *
     * @return the default: 3 attempts, 10 s to 5 min backoff, crashes only
     */
    static RetryPolicy defaults() {
        return builder().build();
    }

    /**
     * No retry at all.
     *
     * @return a policy of one attempt
     */
    static RetryPolicy never() {
        return builder().withMaxAttempts(1).build();
    }

    /**
     * A builder that starts from the defaults of {@link #defaults()}.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Attempts in all, the first included.
     *
     * @return the number of attempts, 1 or more
     */
    int maxAttempts();

    /**
     * The end states that are retried.
     *
     * @return the end states that are retried
     */
    Set<JobState> retryOn();

    /**
     * Whether a task whose attempt number {@code attempt} ended in {@code end} gets another attempt.
     *
     * @param end the end state
     * @param attempt the attempt number (1 for the first)
     * @return whether a task whose attempt number {@code attempt} ended in {@code end} gets another attempt
     */
    boolean shouldRetry(JobState end, int attempt);

    /**
     * How long to wait before attempt {@code nextAttempt} (2 for the first retry).
     *
     * @param nextAttempt the number of the attempt to come
     * @return how long to wait before attempt {@code nextAttempt} (2 for the first retry)
     */
    Duration delayBefore(int nextAttempt);

    /**
     * The job to submit as the next attempt, after an attempt ended in {@code end} (resource growth).
     *
     * @param job the job
     * @param end the end state
     * @param nextAttempt the number of the attempt to come
     * @return the job to submit as the next attempt, after an attempt ended in {@code end} (resource growth)
     */
    Job adjust(Job job, JobState end, int nextAttempt);

    /** Builds a {@link RetryPolicy}; every method checks its argument at once. */
    final class Builder {
        int maxAttempts = 3;
        Duration delay = Duration.ofSeconds(10);
        Duration maxDelay = Duration.ofMinutes(5);
        double jitter = 0.25;
        final EnumSet<JobState> retryOn =
                EnumSet.of(JobState.NODE_FAIL, JobState.PREEMPTED, JobState.LOST, JobState.BOOT_FAIL);
        double walltimeGrowth = 1.0;
        double memoryGrowth = 1.0;

        Builder() {}

        /**
         * @throws IllegalArgumentException if below 1
         * @param attempts the attempts
         * @return this builder
         */
        public Builder withMaxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Exponential backoff: {@code delay} before the first retry, doubling up to {@code maxDelay}.
         *
         * @throws IllegalArgumentException if negative or {@code maxDelay < delay}
         * @param delay the delay
         * @param maxDelay the longest delay
         * @return this builder
         */
        public Builder withBackoff(Duration delay, Duration maxDelay) {
            if (delay == null || maxDelay == null || delay.isNegative() || maxDelay.compareTo(delay) < 0) {
                throw new IllegalArgumentException("backoff must satisfy 0 <= delay <= maxDelay, got " + delay
                        + " and " + maxDelay);
            }
            this.delay = delay;
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * Each delay varies by up to this fraction (0 to 1, default 0.25), so retries do not arrive together.
         *
         * @param fraction the fraction
         * @return this builder
         */
        public Builder withJitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, got " + fraction);
            }
            this.jitter = fraction;
            return this;
        }

        /**
         * Also retries these end states (e.g. FAILED, TIMEOUT, OUT_OF_MEMORY, CANCELLED).
         *
         * @throws IllegalArgumentException for a state that is not an unsuccessful end
         * @param states job end states
         * @return this builder
         */
        public Builder retryOn(JobState... states) {
            for (JobState s : states) {
                if (!s.isTerminal() || s.isSuccess()) {
                    throw new IllegalArgumentException("retryOn takes unsuccessful end states, got " + s);
                }
                retryOn.add(s);
            }
            return this;
        }

        /**
         * Never retries these end states, even the defaults.
         *
         * @param states job end states
         * @return this builder
         */
        public Builder abortOn(JobState... states) {
            for (JobState s : states) {
                retryOn.remove(s);
            }
            return this;
        }

        /**
         * After a TIMEOUT, the next attempt's walltime is multiplied by this factor (>= 1).
         *
         * @param factor the factor (more than 1)
         * @return this builder
         */
        public Builder withWalltimeGrowth(double factor) {
            if (!(factor >= 1)) {
                throw new IllegalArgumentException("walltime growth must be at least 1, got " + factor);
            }
            this.walltimeGrowth = factor;
            return this;
        }

        /**
         * After an OUT_OF_MEMORY, the next attempt's memory is multiplied by this factor (>= 1).
         *
         * @param factor the factor (more than 1)
         * @return this builder
         */
        public Builder withMemoryGrowth(double factor) {
            if (!(factor >= 1)) {
                throw new IllegalArgumentException("memory growth must be at least 1, got " + factor);
            }
            this.memoryGrowth = factor;
            return this;
        }

        /**
         * The policy.
         *
         * @return an immutable, thread-safe policy
         */
        public RetryPolicy build() {
            return new DefaultRetryPolicy(maxAttempts, delay, maxDelay, jitter, EnumSet.copyOf(retryOn),
                    walltimeGrowth, memoryGrowth);
        }
    }
}
