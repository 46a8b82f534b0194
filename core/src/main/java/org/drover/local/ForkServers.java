package org.drover.local;

import java.io.IOException;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fork server a LocalScheduler starts its jobs through: started with the first job, replaced
 * when it dies, none at all without python3 (or when turned off), and closed with the scheduler.
 */
final class ForkServers {
    private static final Logger LOG = LoggerFactory.getLogger(LocalScheduler.class);
    private final boolean enabled;
    private final ForkServer.Listener listener;
    private final Object lock = new Object();
    /** The fork server that starts jobs now; null before the first job and after it died. Guarded by lock. */
    private ForkServer current;
    private boolean closed;

    ForkServers(boolean wanted, ForkServer.Listener listener) {
        this.enabled = wanted && ForkServer.available();
        this.listener = listener;
    }

    /** Whether jobs are started through a fork server at all. */
    boolean enabled() {
        return enabled;
    }

    /** The running fork server, started now if there is none; null if none can start (or closed). */
    ForkServer get() {
        if (!enabled) {
            return null;
        }
        synchronized (lock) {
            if (current != null && current.isAlive()) {
                return current;
            }
            if (closed) {
                return null;
            }
            try {
                current = ForkServer.start(listener);
                return current;
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot start a fork server, starting jobs with ProcessBuilder: " + e);
                current = null;
                return null;
            }
        }
    }

    /** Forgets a fork server that died, so that the next job starts a new one. */
    void forget(ForkServer fs) {
        synchronized (lock) {
            if (current == fs) {
                current = null;
            }
        }
    }

    /** The pid of the current fork server, if one runs; for tests. */
    OptionalLong pid() {
        synchronized (lock) {
            return current != null && current.isAlive() ? OptionalLong.of(current.pid()) : OptionalLong.empty();
        }
    }

    /** Closes the current fork server (it exits once its killed jobs have); no new one starts. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
