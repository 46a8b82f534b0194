package org.drover.internal;

import java.util.Optional;
import org.drover.run.RunRecord;
import org.drover.run.RunStore;

/** A {@link RunStore} in memory. */
public final class InMemoryRunStore implements RunStore {
    private volatile RunRecord record;

    @Override
    public Optional<RunRecord> load() {
        return Optional.ofNullable(record);
    }

    @Override
    public void save(RunRecord r) {
        this.record = r;
    }

    @Override
    public String toString() {
        return "RunStore.inMemory()";
    }
}
