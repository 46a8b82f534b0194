package org.drover.internal;

import java.util.List;
import java.util.stream.Collectors;

/** Stopping a process together with everything it started. */
public final class Processes {
    private Processes() {}

    /**
     * Signals the process and all its descendants: TERM ({@code forcibly == false}) or KILL.
     * Children are listed before the parent is signalled, so none is orphaned to init unseen.
     */
    public static void killTree(ProcessHandle root, boolean forcibly) {
        List<ProcessHandle> all = root.descendants().collect(Collectors.toList());
        for (ProcessHandle h : all) {
            if (forcibly) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
        if (forcibly) {
            root.destroyForcibly();
        } else {
            root.destroy();
        }
    }
}
