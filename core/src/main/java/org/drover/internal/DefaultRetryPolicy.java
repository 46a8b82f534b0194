package org.drover.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.drover.Job;
import org.drover.Memory;
import org.drover.run.RetryPolicy;
import org.drover.scheduler.JobState;

/** The immutable {@link RetryPolicy} the builder makes. */
public final class DefaultRetryPolicy implements RetryPolicy {
    private final int maxAttempts;
    private final Duration delay;
    private final Duration maxDelay;
    private final double jitter;
    private final Set<JobState> retryOn;
    private final double walltimeGrowth;
    private final double memoryGrowth;

    public DefaultRetryPolicy(int maxAttempts, Duration delay, Duration maxDelay, double jitter,
                              EnumSet<JobState> retryOn, double walltimeGrowth, double memoryGrowth) {
        this.maxAttempts = maxAttempts;
        this.delay = delay;
        this.maxDelay = maxDelay;
        this.jitter = jitter;
        this.retryOn = Collections.unmodifiableSet(retryOn);
        this.walltimeGrowth = walltimeGrowth;
        this.memoryGrowth = memoryGrowth;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public Set<JobState> retryOn() {
        return retryOn;
    }

    @Override
    public boolean shouldRetry(JobState end, int attempt) {
        return attempt < maxAttempts && retryOn.contains(end);
    }

    @Override
    public Duration delayBefore(int nextAttempt) {
        long base = delay.toMillis();
        for (int i = 2; i < nextAttempt && base < maxDelay.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, maxDelay.toMillis());
        if (jitter > 0 && base > 0) {
            double f = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            base = Math.min(maxDelay.toMillis(), Math.round(base * f));
        }
        return Duration.ofMillis(base);
    }

    @Override
    public Job adjust(Job job, JobState end, int nextAttempt) {
        Job j = job;
        int growths = nextAttempt - 1;
        if (end == JobState.TIMEOUT && walltimeGrowth > 1 && job.resources().walltime().isPresent()) {
            long s = job.resources().walltime().get().getSeconds();
            j = j.walltime(Duration.ofSeconds((long) Math.ceil(s * Math.pow(walltimeGrowth, growths))));
        }
        if (end == JobState.OUT_OF_MEMORY && memoryGrowth > 1 && job.resources().memory().isPresent()) {
            long b = job.resources().memory().get().bytes();
            j = j.memory(Memory.ofBytes((long) Math.ceil(b * Math.pow(memoryGrowth, growths))));
        }
        return j;
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + delay + ".." + maxDelay + ", retryOn=" + retryOn
                + (walltimeGrowth > 1 ? ", walltime x" + walltimeGrowth : "")
                + (memoryGrowth > 1 ? ", memory x" + memoryGrowth : "") + "]";
    }
}
