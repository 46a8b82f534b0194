package org.drover.slurm.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.drover.Job;
import org.drover.Memory;
import org.drover.Resources;
import org.drover.Submission;
import org.drover.Walltime;

/**
 * Renders the {@code #SBATCH} lines of a job. Values are validated by the job model (no spaces,
 * quotes or newlines reach a directive), so no quoting is needed inside the lines; paths are
 * written raw because sbatch reads the rest of a directive line as the value. sbatch expands
 * {@code %j}, {@code %x}, {@code %a} ... in {@code --output} and {@code --error} (not in
 * {@code --chdir}), so the literal parts of those paths go through {@link #filenamePattern}.
 */
public final class SbatchDirectives {
    private SbatchDirectives() {}

    /**
     * The directives of one job or array.
     *
     * @param s the submission (for an array: its first task)
     * @param jobName the name SLURM shows
     * @param stdout the --output filename pattern ({@link #filenamePattern}; may hold %a for arrays)
     * @param stderr the --error filename pattern
     * @param array the --array value, or null
     * @param skip option names a site rejects (e.g. {@code --qos}); those lines are left out
     * @param exportEnvironment whether the job inherits the submitting environment (--export=ALL or NONE)
     */
    public static List<String> render(Submission s, String jobName, String stdout, String stderr, String array,
                                      Set<String> skip, boolean exportEnvironment) {
        Job job = s.job();
        Resources r = job.resources();
        List<String> d = new ArrayList<>();
        d.add("--job-name=" + jobName);
        d.add("--output=" + stdout);
        d.add("--error=" + stderr);
        if (array != null) {
            d.add("--array=" + array);
        }
        r.walltime().ifPresent(w -> d.add("--time=" + Walltime.formatWithDays(w)));
        d.add("--nodes=" + r.nodes());
        d.add("--ntasks=" + r.tasks());
        d.add("--cpus-per-task=" + r.cpus());
        r.memory().ifPresent(m -> d.add("--mem=" + memory(m)));
        if (r.gpus() > 0) {
            d.add("--gres=gpu:" + r.gpus());
        }
        r.partition().ifPresent(p -> d.add("--partition=" + p));
        r.account().ifPresent(a -> d.add("--account=" + a));
        r.qos().ifPresent(q -> d.add("--qos=" + q));
        if (r.exclusive()) {
            d.add("--exclusive");
        }
        r.constraint().ifPresent(c -> d.add("--constraint=" + c));
        // The job starts in its working directory, or its attempt directory; the wrapper cds too,
        // so a working directory that cannot be written in a directive line still works.
        String chdir = job.workingDir().filter(SbatchDirectives::isDirectiveSafe).orElse(s.attemptDir().toString());
        d.add("--chdir=" + chdir);
        d.add("--export=" + (exportEnvironment ? "ALL" : "NONE"));
        d.add(job.requeue() ? "--requeue" : "--no-requeue");
        if (!s.dependencies().isEmpty()) {
            d.add("--dependency=" + dependency(s.dependencies()));
            d.add("--kill-on-invalid-dep=yes");
        }
        d.add("--comment=" + s.token());
        d.addAll(job.directives());
        return d.stream().filter(line -> !skip.contains(optionName(line)))
                .map(line -> "#SBATCH " + line).collect(Collectors.toList());
    }

    /** {@code afterok:1:2,afterany:3}, types grouped in first-seen order. */
    static String dependency(List<Submission.IdDependency> deps) {
        java.util.Map<String, List<String>> byType = new java.util.LinkedHashMap<>();
        for (Submission.IdDependency dep : deps) {
            byType.computeIfAbsent(dep.type().keyword(), k -> new ArrayList<>()).add(dep.jobId());
        }
        return byType.entrySet().stream().map(e -> e.getKey() + ":" + String.join(":", e.getValue()))
                .collect(Collectors.joining(","));
    }

    /** SLURM's own units: whole G when exact, else M rounded up. */
    static String memory(Memory m) {
        long gib = 1L << 30;
        return m.bytes() % gib == 0 ? (m.bytes() / gib) + "G" : m.toCeil('M') + "M";
    }

    /**
     * Whether a path can stand unquoted in a directive line (sbatch splits it at blanks and quotes).
     * A {@code %} is fine: {@link #filenamePattern} escapes it where sbatch would expand it.
     */
    public static boolean isDirectiveSafe(String path) {
        return path.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'' || c == '\\'
                || c == '#' || c < 0x20);
    }

    /**
     * A literal path as an sbatch filename pattern: every {@code %} doubled, so that sbatch writes
     * {@code /runs/50%jx/stdout} there instead of expanding {@code %j} to the job id.
     */
    public static String filenamePattern(String literal) {
        return literal.replace("%", "%%");
    }

    /**
     * The path sbatch makes of a filename pattern of {@link #filenamePattern} and {@link #arrayPath}
     * for one array task: {@code %%} gives {@code %}, {@code %a} the task index.
     *
     * @throws IllegalArgumentException if the pattern holds any other placeholder
     */
    public static String expandArrayPattern(String pattern, int taskIndex) {
        StringBuilder b = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            char next = i + 1 < pattern.length() ? pattern.charAt(i + 1) : 0;
            if (next == '%') {
                b.append('%');
            } else if (next == 'a') {
                b.append(taskIndex);
            } else {
                throw new IllegalArgumentException("unexpected placeholder at " + i + " in '" + pattern + "'");
            }
            i++;
        }
        return b.toString();
    }

    /** {@code --mem} of {@code --mem=4G}, {@code -p} of {@code -p debug}. */
    public static String optionName(String line) {
        String l = line.trim();
        int end = 0;
        while (end < l.length() && l.charAt(end) != '=' && l.charAt(end) != ' ') {
            end++;
        }
        return l.substring(0, end);
    }

    /**
     * The filename pattern of a file in each task's attempt directory for an array:
     * {@code <run>/<sweep>_%a/<attempt>/<file>}, with the literal parts escaped ({@link #filenamePattern})
     * and {@code %a} left for sbatch to expand to the task index.
     *
     * @param file a path relative to the attempt directory
     */
    public static String arrayPath(Path runDir, String sweep, int attempt, String file) {
        String head = runDir.resolve(sweep + "_").toString();
        String tail = runDir.getFileSystem().getPath(Integer.toString(attempt)).resolve(file).toString();
        return filenamePattern(head) + "%a" + runDir.getFileSystem().getSeparator() + filenamePattern(tail);
    }
}
