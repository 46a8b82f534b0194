package org.drover.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.drover.DroverException;
import org.drover.run.SubmittedBundle;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;

/** Prints one line of counts by state whenever they change, until every job has ended. */
final class Progress {
    private Progress() {}

    static Map<String, JobStatus> follow(SubmittedBundle run, Duration every, Duration timeout) {
        Instant start = Instant.now();
        String last = "";
        while (true) {
            Map<String, JobStatus> now = run.statuses();
            Map<JobState, Long> counts = now.values().stream()
                    .collect(Collectors.groupingBy(JobStatus::state, () -> new EnumMap<>(JobState.class), Collectors.counting()));
            String line = counts.entrySet().stream().map(e -> e.getKey().name().toLowerCase() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
            if (!line.equals(last)) {
                System.out.printf("[%5.1fs] %s%n", Duration.between(start, Instant.now()).toMillis() / 1000.0, line);
                last = line;
            }
            if (now.values().stream().allMatch(s -> s.state().isTerminal())) {
                return now;
            }
            if (Duration.between(start, Instant.now()).compareTo(timeout) > 0) {
                throw new DroverException("bundle did not finish within " + timeout);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(Math.min(every.toMillis(), 200));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DroverException("interrupted", e);
            }
        }
    }
}
