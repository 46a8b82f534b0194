package org.drover.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.drover.run.RunRecord;
import org.drover.run.RunStore;
import org.drover.run.RunStoreException;

/**
 * A {@link RunStore} in one JSON file. A save writes {@code <file>.tmp}, syncs it, hard-links the
 * current version to {@code <file>.prev}, and renames the temporary file over the current one,
 * so there is always a complete current version and, after the first save, a previous one.
 */
public final class JsonRunStore implements RunStore {
    static final ObjectMapper MAPPER = Json.strictReader()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private final Path file;
    private java.nio.channels.FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    public JsonRunStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    public Path file() {
        return file;
    }

    public Path previousFile() {
        return file.resolveSibling(file.getFileName() + ".prev");
    }

    /**
     * Takes the store's lock before the first save (reading needs none: saves are atomic renames);
     * a store another manager writes is an error, not a race.
     */
    private synchronized void lock() {
        if (lock != null) {
            return;
        }
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(file.getParent());
            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock l;
            try {
                l = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                ch.close();
                throw new RunStoreException("run store " + file + " is in use by another run manager (it holds "
                        + lockFile + "); close that manager first, or use another store", null, null);
            }
            lockChannel = ch;
            lock = l;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock run store " + file + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public synchronized void close() {
        if (lockChannel != null) {
            try {
                lockChannel.close();   // releases the lock
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release the lock of run store " + file + ": " + IoErrors.describe(e), e);
            } finally {
                lockChannel = null;
                lock = null;
            }
        }
    }

    @Override
    public Optional<RunRecord> load() {
        if (!Files.exists(file)) {
            if (Files.exists(previousFile())) {
                throw new RunStoreException("run store " + file + " is missing but its previous version "
                        + previousFile() + " exists; copy it to " + file + " to resume from it", previousFile(), null);
            }
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readValue(file.toFile(), RunRecord.class));
        } catch (JsonProcessingException e) {
            Path prev = Files.exists(previousFile()) ? previousFile() : null;
            String why = Json.formatError(file.toString(), e).getMessage();
            throw new RunStoreException("run store is unreadable: " + why
                    + (prev == null ? "; no previous version was kept"
                    : "; the previous version is " + prev + " (copy it over " + file + " to resume from it)"),
                    prev, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run store " + file + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public void save(RunRecord record) {
        lock();
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            // Streamed, not built as one byte array: a 100,000-task record is ~55 MB of JSON.
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
                 java.io.OutputStream out = new java.io.BufferedOutputStream(
                         java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                RunRecordWriter.write(record, out);   // leaves out open: it is flushed and synced below
                out.flush();
                ch.force(true);
            }
            if (Files.exists(file)) {
                Path prevTmp = file.resolveSibling(file.getFileName() + ".prev.tmp");
                Files.deleteIfExists(prevTmp);
                Files.createLink(prevTmp, file);
                Files.move(prevTmp, previousFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save run store " + file + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public String toString() {
        return "RunStore.json(" + file + ")";
    }
}
