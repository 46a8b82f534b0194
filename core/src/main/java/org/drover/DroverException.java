package org.drover;

/**
 * Base of every exception Drover throws on purpose.
 *
 * <p>Bad user input is reported with {@link IllegalArgumentException} naming the field and the
 * value; everything else (invalid bundles, unreadable records, scheduler failures) derives from
 * this class so that callers can catch Drover's failures in one place:
 *
 * <pre>{@code
 * try {
 *     bundle.plan();
 * } catch (DroverException e) {
 *     System.err.println(e.getMessage());   // e.g. "bundle 'study' has a dependency cycle: a -> b -> a"
 * }
 * }</pre>
 */
public class DroverException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error with its message.
     *
     * @param message what went wrong, naming the job, field or file
     */
    public DroverException(String message) {
        super(message);
    }

    /**
     * An error with its message and cause.
     *
     * @param message what went wrong, naming the job, field or file
     * @param cause the underlying cause
     */
    public DroverException(String message, Throwable cause) {
        super(message, cause);
    }
}
