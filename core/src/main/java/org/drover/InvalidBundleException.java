package org.drover;

import java.util.List;

/**
 * A bundle cannot be planned: a dependency names no job, or the dependencies form a cycle. The
 * message names the jobs; {@link #cycle()} gives the cycle in order when there is one.
 *
 * <pre>{@code
 * bundle 'study' has a dependency cycle: a -> b -> c -> a (each job depends on the next)
 * job 'report' depends on 'trian', which is no job or sweep of bundle 'study'
 * }</pre>
 */
public class InvalidBundleException extends DroverException {
    private static final long serialVersionUID = 1L;
    /** The jobs of one dependency cycle, or empty. */
    private final List<String> cycle;

    /**
     * A bundle that cannot be planned.
     *
     * @param message why, naming the jobs
     */
    public InvalidBundleException(String message) {
        this(message, List.of());
    }

    /**
     * A bundle whose dependencies form a cycle.
     *
     * @param message why, with the cycle written out
     * @param cycle the jobs of one cycle, the first repeated at the end
     */
    public InvalidBundleException(String message, List<String> cycle) {
        super(message);
        this.cycle = List.copyOf(cycle);
    }

    /**
     * The jobs of one cycle, each depending on the next, the first repeated at the end; empty if none.
     *
     * @return the jobs of one cycle, each depending on the next, the first repeated at the end; empty if none
     */
    public List<String> cycle() {
        return cycle;
    }
}
