package org.drover.run;

import java.nio.file.Path;
import java.util.Optional;
import org.drover.internal.InMemoryRunStore;
import org.drover.internal.JsonRunStore;

/**
 * Where a {@code RunManager} keeps its {@link RunRecord}: every task, every attempt, every state
 * seen. Saved after every change, so a new RunManager on the same store re-attaches to the jobs
 * still queued and never submits a task twice.
 *
 * <pre>{@code
 * RunStore store = RunStore.json(Path.of("runs/study.json"));   // atomic writes, previous version kept
 * RunStore forTests = RunStore.inMemory();
 * }</pre>
 */
public interface RunStore extends AutoCloseable {
    /**
     * The last record saved, or empty for a new store.
     *
     * @throws RunStoreException if the store exists but cannot be read (it names the previous version)
     * @return the last record saved, or empty for a new store
     */
    Optional<RunRecord> load();

    /**
     * Saves a record completely or not at all.
     *
     * @param record the whole run, as the manager holds it
     */
    void save(RunRecord record);

    /** Releases the store (a file store's lock), so that another manager may use it. */
    @Override
    default void close() {}

    /**
     * A JSON file written atomically (temporary file, fsync, rename); the version before is kept as
     * {@code <file>.prev}. The first save locks {@code <file>.lock} until {@link #close()} (or the
     * process ends): a second manager on the same file, in this process or another, gets a
     * {@link RunStoreException} instead of overwriting the first one's record. Loading, to look at
     * a run, needs no lock.
     *
     * @param file the store's file; its directory is created on the first save
     * @return the store (the file is read and written only when the manager loads and saves)
     */
    static RunStore json(Path file) {
        return new JsonRunStore(file);
    }

    /**
     * A store in memory, for tests and notebooks; it does not survive the process.
     *
     * @return a store in memory, for tests and notebooks; it does not survive the process
     */
    static RunStore inMemory() {
        return new InMemoryRunStore();
    }
}
