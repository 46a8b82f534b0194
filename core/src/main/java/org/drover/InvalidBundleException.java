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
    private final List<String> cycle;

    public InvalidBundleException(String message) {
        this(message, List.of());
    }

    public InvalidBundleException(String message, List<String> cycle) {
        super(message);
        this.cycle = List.copyOf(cycle);
    }

    /** The jobs of one cycle, each depending on the next, the first repeated at the end; empty if none. */
    public List<String> cycle() {
        return cycle;
    }
}
