package org.drover.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.drover.Job;
import org.drover.Resources;
import org.drover.Walltime;

/**
 * What differs between two definitions of a job, in words a user can act on:
 * {@code command changed from [python, train.py, --lr, 0.1] to [python, train.py, --lr, 0.01]}.
 * Environment values are never shown (they may be secrets), only which variables changed.
 *
 * <pre>{@code
 * DefinitionChanges.between(before, after);   // ["cpus changed from 1 to 2", "env OMP_NUM_THREADS changed"]
 * }</pre>
 */
final class DefinitionChanges {
    /** How much of a long value (a script line, a path) a message shows. */
    private static final int SHOWN = 120;

    private final List<String> changes = new ArrayList<>();

    private DefinitionChanges() {}

    /** Each difference, in the order of the job's fields; empty if the definitions are the same. */
    static List<String> between(Job before, Job after) {
        DefinitionChanges d = new DefinitionChanges();
        d.whatRuns(before, after);
        d.resources(before.resources(), after.resources());
        d.env(before.env(), after.env());
        d.field("working directory", before.workingDir(), after.workingDir());
        d.field("stdout", before.stdout(), after.stdout());
        d.field("stderr", before.stderr(), after.stderr());
        d.field("directives", before.directives(), after.directives());
        d.field("dependencies", sorted(before.dependencies()), sorted(after.dependencies()));   // order means nothing
        d.field("requeue", before.requeue(), after.requeue());
        d.field("sweep", before.sweep(), after.sweep());
        d.field("sweep index", before.sweepIndex(), after.sweepIndex());
        d.field("sweep values", before.params(), after.params());
        return d.changes;
    }

    private void whatRuns(Job before, Job after) {
        Optional<String> s0 = before.script();
        Optional<String> s1 = after.script();
        if (s0.isEmpty() && s1.isEmpty()) {
            field("command", before.command(), after.command());
        } else if (s0.isPresent() && s1.isPresent()) {
            if (!s0.get().equals(s1.get())) {
                changes.add("script changed: " + firstDifference(s0.get(), s1.get()));
            }
        } else if (s1.isPresent()) {
            changes.add("command " + before.command() + " replaced by a script");
        } else {
            changes.add("script replaced by command " + after.command());
        }
    }

    /** The first line where two scripts differ, as it was and as it is. */
    private static String firstDifference(String before, String after) {
        String[] a = before.split("\n");
        String[] b = after.split("\n");
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (!a[i].equals(b[i])) {
                return "line " + (i + 1) + " was '" + shorten(a[i]) + "', is '" + shorten(b[i]) + "'";
            }
        }
        if (a.length == b.length) {
            return "only empty lines at its end";
        }
        int more = Math.max(a.length, b.length);
        return (n + 1 == more ? "line " + more : "lines " + (n + 1) + " to " + more)
                + (a.length < b.length ? " added" : " removed");
    }

    private void resources(Resources a, Resources b) {
        field("cpus", a.cpus(), b.cpus());
        field("memory", a.memory(), b.memory());
        field("gpus", a.gpus(), b.gpus());
        field("nodes", a.nodes(), b.nodes());
        field("tasks", a.tasks(), b.tasks());
        field("walltime", a.walltime().map(Walltime::formatWithDays), b.walltime().map(Walltime::formatWithDays));
        field("partition", a.partition(), b.partition());
        field("account", a.account(), b.account());
        field("qos", a.qos(), b.qos());
        field("exclusive", a.exclusive(), b.exclusive());
        field("constraint", a.constraint(), b.constraint());
    }

    private void env(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        for (String n : names) {
            if (!a.containsKey(n)) {
                changes.add("env " + n + " added");
            } else if (!b.containsKey(n)) {
                changes.add("env " + n + " removed");
            } else if (!a.get(n).equals(b.get(n))) {
                changes.add("env " + n + " changed");   // not its values: they may be secrets
            }
        }
    }

    private static List<String> sorted(List<?> values) {
        List<String> texts = new ArrayList<>();
        for (Object v : values) {
            texts.add(String.valueOf(v));
        }
        texts.sort(null);
        return texts;
    }

    private void field(String what, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            changes.add(what + " changed from " + shown(a) + " to " + shown(b));
        }
    }

    private static String shown(Object value) {
        if (value instanceof Optional) {
            return ((Optional<?>) value).map(DefinitionChanges::shown).orElse("none");
        }
        return shorten(String.valueOf(value));
    }

    private static String shorten(String s) {
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN - 3) + "...";
    }
}
