package org.drover;

/**
 * A JSON record (a job, a bundle, a run store) could not be read: malformed JSON, an unknown
 * field, or an invalid value. The message names the file and the JSON path, e.g.
 * {@code runs/study_20261125-101500-123.json: at jobs[3].resources.cpus: cpus must be at least 1, got 0}.
 */
public class RecordFormatException extends DroverException {
    private static final long serialVersionUID = 1L;

    /**
     * A record that cannot be read.
     *
     * @param message the source, the JSON path and why
     * @param cause the parser's error
     */
    public RecordFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
