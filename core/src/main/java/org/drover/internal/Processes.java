package org.drover.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Stopping a process together with everything it started. */
public final class Processes {
    private Processes() {}

    /**
     * Signals the process and all its descendants: TERM ({@code forcibly == false}) or KILL.
     *
     * @return every process signalled. Keep it: a child whose parent dies on TERM is re-parented
     *     and no longer a descendant of the root, so the follow-up KILL must go to this list.
     */
    public static List<ProcessHandle> killTree(ProcessHandle root, boolean forcibly) {
        List<ProcessHandle> all = new ArrayList<>(root.descendants().collect(Collectors.toList()));
        all.add(root);
        signal(all, forcibly);
        return all;
    }

    /** KILLs every process of an earlier snapshot that is still alive, with its current descendants. */
    public static void killAll(List<ProcessHandle> snapshot) {
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle h : snapshot) {
            if (h.isAlive()) {
                all.add(h);
                h.descendants().forEach(all::add);
            }
        }
        signal(all, true);
    }

    private static void signal(List<ProcessHandle> handles, boolean forcibly) {
        for (ProcessHandle h : handles) {
            if (forcibly) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
    }
}
