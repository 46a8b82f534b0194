package org.drover.run;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.drover.scheduler.RunDirectory;

/**
 * Refuses a run record that cannot be the manager's own, before anything is done with it: a store
 * edited by hand, or one whose runs root moved. Each error names the task and the field. Paths are
 * resolved as {@link RunDirectory#resolveStored} does, against the manager's runs root; a store
 * written with absolute paths still loads.
 */
final class RunRecordCheck {
    private RunRecordCheck() {}

    /**
     * Checks the record and gives its run directory.
     *
     * @param r the record loaded
     * @param bundle the bundle's name
     * @param runsRoot the manager's runs root, against which the stored run directory is resolved
     * @param store the store, for messages
     * @return the run directory the record names, which exists
     * @throws RunStoreException naming the task and field that are wrong
     */
    static RunDirectory check(RunRecord r, String bundle, Path runsRoot, RunStore store, org.drover.shell.Shell shell) {
        String where = "the run store of bundle '" + bundle + "' (" + store + ")";
        if (r.runDirectory() == null || r.runDirectory().isBlank()) {
            throw refused(where + " has no runDirectory");
        }
        RunDirectory dir = RunDirectory.at(RunDirectory.resolveStored(runsRoot, r.runDirectory()), bundle);
        if (!dir.exists(shell)) {
            throw refused(where + " has runDirectory '" + r.runDirectory() + "', which is " + dir.path()
                    + " (relative paths are relative to the runs root " + runsRoot.toAbsolutePath().normalize()
                    + "): no such directory. If the runs root moved, give the manager its new place with "
                    + "runsRoot(...); otherwise put the run directory back, or start a new store");
        }
        Map<String, Integer> seen = new HashMap<>(r.tasks().size() * 2);
        for (int i = 0; i < r.tasks().size(); i++) {
            TaskRecord t = r.tasks().get(i);
            Integer before = seen.putIfAbsent(t.name(), i);
            if (before != null) {
                throw refused(where + " has task '" + t.name() + "' twice (tasks[" + before + "] and tasks[" + i + "])");
            }
            checkAttempts(where, t, dir);
        }
        return dir;
    }

    private static void checkAttempts(String where, TaskRecord t, RunDirectory dir) {
        List<AttemptRecord> attempts = t.attempts();
        for (int k = 0; k < attempts.size(); k++) {
            AttemptRecord a = attempts.get(k);
            String attempt = where + " has task '" + t.name() + "' attempt " + a.number();
            if (a.number() != k + 1) {
                throw refused(where + " has task '" + t.name() + "' with attempt number " + a.number() + " at attempts["
                        + k + "]; attempts are numbered 1, 2, ... in order");
            }
            Path attemptDir = dir.resolveStored(a.attemptDir());
            if (!attemptDir.startsWith(dir.path()) || attemptDir.equals(dir.path())) {
                throw refused(attempt + " with attemptDir '" + a.attemptDir() + "', which is " + attemptDir
                        + ", outside the run directory " + dir.path());
            }
            checkOutput(attempt, "stdout", a.stdoutIsDefault() ? null : a.stdout(), dir);
            checkOutput(attempt, "stderr", a.stderrIsDefault() ? null : a.stderr(), dir);
        }
    }

    /** A relative output path is written only for a file inside the runs root: one that leaves it was edited. */
    private static void checkOutput(String attempt, String field, String stored, RunDirectory dir) {
        if (stored == null || Path.of(stored).isAbsolute()) {
            return;   // the default, or a file the job placed anywhere
        }
        if (!dir.resolveStored(stored).startsWith(dir.runsRoot())) {
            throw refused(attempt + " with " + field + " '" + stored + "', which leaves the runs root "
                    + dir.runsRoot() + " (a relative path in the store is relative to it)");
        }
    }

    private static RunStoreException refused(String message) {
        return new RunStoreException(message, null, null);
    }
}
