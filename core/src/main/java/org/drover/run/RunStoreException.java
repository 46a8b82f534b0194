package org.drover.run;

import java.nio.file.Path;
import java.util.Optional;
import org.drover.RecordFormatException;

/**
 * A run store could not be read: truncated, corrupt, or written by something else. Nothing is
 * dropped silently: the message names the file and, when there is one, the previous version,
 * which {@link #previousVersion()} returns so it can be inspected or put back in place.
 */
public class RunStoreException extends RecordFormatException {
    private static final long serialVersionUID = 1L;
    private final transient Path previous;

    /**
     * A run store that cannot be used.
     *
     * @param message why, naming the file
     * @param previous the previous version kept beside it, or null
     * @param cause the underlying error, or null
     */
    public RunStoreException(String message, Path previous, Throwable cause) {
        super(message, cause);
        this.previous = previous;
    }

    /**
     * The previous version of the store, if one was kept.
     *
     * @return the previous version of the store, if one was kept
     */
    public Optional<Path> previousVersion() {
        return Optional.ofNullable(previous);
    }
}
