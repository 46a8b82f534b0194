package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step that keeps failing the same way (a store that cannot be saved) backs off instead of spinning. */
class RunManagerStepFailureTest {
    @TempDir
    Path tmp;

    /** A store whose saves fail while {@code broken}, as a store on a full or read-only disk does. */
    static final class BrokenStore implements RunStore {
        final AtomicBoolean broken = new AtomicBoolean();
        final AtomicInteger failedSaves = new AtomicInteger();
        private final RunStore inner = RunStore.inMemory();

        @Override
        public Optional<RunRecord> load() {
            return inner.load();
        }

        @Override
        public void save(RunRecord record) {
            if (broken.get()) {
                failedSaves.incrementAndGet();
                throw new UncheckedIOException("cannot save /runs/study.json: Permission denied",
                        new AccessDeniedException("/runs/study.json"));
            }
            inner.save(record);
        }
    }

    @Test
    void aSubmissionWhoseIntentCannotBeSavedWaitsAndGoesOnceTheStoreWorks() {
        BrokenStore store = new BrokenStore();
        InMemoryScheduler s = new InMemoryScheduler(2, 1);
        Bundle b = Bundle.named("intent").add(Job.named("a").command("true")).add(Job.named("b").command("true"));
        // One job in the queue at a time: b goes once a has ended, by then the store is broken.
        try (RunManager run = RunManager.of(b).on(s).store(store).runsRoot(tmp).pollInterval(Duration.ofMillis(10))
                .maxSimultaneousJobs(1).build()) {
            run.step();
            assertThat(s.submitCount("a")).isEqualTo(1);
            store.broken.set(true);
            for (int i = 0; i < 4; i++) {
                org.assertj.core.api.Assertions.assertThatThrownBy(run::step).hasMessageContaining("Permission denied");
            }
            assertThat(run.report().rows().get(0).state()).isEqualTo(TaskState.COMPLETED);
            assertThat(s.submitCount("b")).as("nothing submitted without its intent saved").isZero();
            assertThat(run.record().tasks().get(1).attempts()).as("the attempt was taken back").isEmpty();
            store.broken.set(false);
            RunReport end = run.awaitCompletion(Duration.ofSeconds(10));
            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(run.record().tasks().get(1).attempts()).hasSize(1);
            assertThat(s.submitCount("b")).isEqualTo(1);
        }
    }

    @Test
    void theSameFailureAgainBacksOffAndTheRunCompletesOnceItIsGone() {
        BrokenStore store = new BrokenStore();
        InMemoryScheduler s = new InMemoryScheduler(1, 1);
        Bundle b = Bundle.named("study").add(Job.named("a").command("true")).add(Job.named("b").command("true"));
        try (RunManager run = RunManager.of(b).on(s).store(store).runsRoot(tmp).pollInterval(Duration.ofMillis(10))
                .build()) {
            run.step();   // started: the store holds the run
            store.broken.set(true);
            run.start();
            // Without backoff a step every 10 ms: ~150 failed saves. With it: 10, 20, 40 ... 1,280 ms apart.
            await().pollDelay(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                    assertThat(store.failedSaves.get()).as("failed saves in 1.5 s").isBetween(2, 12));
            store.broken.set(false);
            RunReport end = run.awaitCompletion(Duration.ofSeconds(10));
            assertThat(end.isSuccess()).as(end.toString()).isTrue();
        }
    }
}
