package org.drover.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.drover.internal.AtomicFiles;
import org.drover.internal.IoErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record files of local jobs ({@code started}, {@code exitcode}, a line in {@code stderr}),
 * written on one thread so that a job's {@code started} always comes before its {@code exitcode},
 * off the lock and off the path that frees a job's slots.
 */
final class JobRecords {
    private static final Logger LOG = LoggerFactory.getLogger(LocalScheduler.class);
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "drover-local-records");
        t.setDaemon(true);
        return t;
    });

    /** Runs a record write on the records thread, or here once the scheduler is closed. */
    void later(Runnable write) {
        try {
            thread.execute(write);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            write.run();
        }
    }

    /**
     * Writes a small record file of a local job's run directory: atomic, not synced (a local job
     * lives and dies with this JVM). A failure is logged, never thrown: the record follows the
     * job's state, it must never stop a state change.
     */
    static boolean write(Path dir, String name, String content) {
        try {
            AtomicFiles.writeUnsynced(dir.resolve(name), (content + "\n").getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            LOG.warn("cannot write " + dir.resolve(name) + ": " + IoErrors.describe(e));
            return false;
        } catch (RuntimeException e) {
            LOG.warn("cannot write " + dir.resolve(name) + ": " + e);
            return false;
        }
    }

    static void append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("cannot write " + file + ": " + IoErrors.describe(e));
        } catch (RuntimeException e) {
            LOG.warn("cannot write " + file + ": " + e);
        }
    }

    /** No more writes on the thread; later ones run on the caller's. */
    void shutdown() {
        thread.shutdown();
    }
}
