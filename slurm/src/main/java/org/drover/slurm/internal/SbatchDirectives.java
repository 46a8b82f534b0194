package org.drover.slurm.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.drover.Job;
import org.drover.Memory;
import org.drover.Resources;
import org.drover.Walltime;
import org.drover.scheduler.Submission;

/**
 * Renders the {@code #SBATCH} lines of a job. Values are validated by the job model (no spaces,
 * quotes or newlines reach a directive), so no quoting is needed inside the lines; paths are
 * written raw because sbatch reads the rest of a directive line as the value. sbatch expands
 * {@code %j}, {@code %x}, {@code %a} ... in {@code --output} and {@code --error} (not in
 * {@code --chdir}), so the literal parts of those paths go through {@link #filenamePattern}.
 */
public final class SbatchDirectives {
    /** sbatch's one-letter options and their long names (sbatch(1), SLURM 22.05). */
    private static final Map<String, String> SHORT_OPTIONS = Map.ofEntries(
            Map.entry("-A", "--account"), Map.entry("-a", "--array"), Map.entry("-B", "--extra-node-info"),
            Map.entry("-b", "--begin"), Map.entry("-C", "--constraint"), Map.entry("-c", "--cpus-per-task"),
            Map.entry("-D", "--chdir"), Map.entry("-d", "--dependency"), Map.entry("-e", "--error"),
            Map.entry("-F", "--nodefile"), Map.entry("-G", "--gpus"), Map.entry("-H", "--hold"),
            Map.entry("-i", "--input"), Map.entry("-J", "--job-name"), Map.entry("-k", "--no-kill"),
            Map.entry("-L", "--licenses"), Map.entry("-M", "--clusters"), Map.entry("-m", "--distribution"),
            Map.entry("-N", "--nodes"), Map.entry("-n", "--ntasks"), Map.entry("-O", "--overcommit"),
            Map.entry("-o", "--output"), Map.entry("-p", "--partition"), Map.entry("-Q", "--quiet"),
            Map.entry("-q", "--qos"), Map.entry("-S", "--core-spec"), Map.entry("-s", "--oversubscribe"),
            Map.entry("-t", "--time"), Map.entry("-W", "--wait"), Map.entry("-w", "--nodelist"),
            Map.entry("-x", "--exclude"));

    /**
     * Options Drover itself relies on: the job's name, its output files, the array range, the
     * token that protects a retried submit from duplicating a job, and the dependency handling
     * that ends a dependent of a failed job instead of leaving it pending forever.
     */
    private static final Map<String, String> PROTECTED = Map.of(
            "--job-name", "it names the job",
            "--output", "it puts stdout in the attempt directory",
            "--error", "it puts stderr in the attempt directory",
            "--array", "it carries a sweep's task range",
            "--comment", "it carries the token that keeps a retried submit from duplicating a job",
            "--dependency", "it carries the job's dependencies",
            "--kill-on-invalid-dep", "it ends a dependent of a failed job instead of leaving it pending forever",
            "--parsable", "Drover reads the job id from sbatch --parsable");

    private SbatchDirectives() {}

    /**
     * The directives of one job or array.
     *
     * @param s the submission (for an array: its first task)
     * @param jobName the name SLURM shows
     * @param stdout the --output filename pattern ({@link #filenamePattern}; may hold %a for arrays)
     * @param stderr the --error filename pattern
     * @param array the --array value, or null
     * @param skip option names a site rejects (e.g. {@code --qos} or {@code -q}); those lines are
     *        left out, whichever spelling (long or one-letter) the line uses
     * @param exportEnvironment whether the job inherits the submitting environment (--export=ALL or NONE)
     */
    public static List<String> render(Submission s, String jobName, String stdout, String stderr, String array,
                                      Set<String> skip, boolean exportEnvironment) {
        return render(s, jobName, stdout, stderr, array, s.token(), skip, exportEnvironment);
    }

    /**
     * As {@link #render(Submission, String, String, String, String, Set, boolean)}, with the token
     * for the job's comment given (an array's, {@link Submission#arrayToken}).
     *
     * @param s the submission (for an array: its first task)
     * @param jobName the name SLURM shows
     * @param stdout the --output filename pattern
     * @param stderr the --error filename pattern
     * @param array the --array value, or null
     * @param token the token for --comment
     * @param skip option names a site rejects
     * @param exportEnvironment whether the job inherits the submitting environment
     * @return the directive lines
     */
    public static List<String> render(Submission s, String jobName, String stdout, String stderr, String array,
                                      String token, Set<String> skip, boolean exportEnvironment) {
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
            d.add("--dependency=" + s.dependencySpec());
            d.add("--kill-on-invalid-dep=yes");
        }
        d.add("--comment=" + token);
        d.addAll(job.directives());
        Set<String> skipped = skip.stream().map(SbatchDirectives::canonicalOption).collect(Collectors.toSet());
        return d.stream().filter(line -> !skipped.contains(canonicalOption(line)))
                .map(line -> "#SBATCH " + line).collect(Collectors.toList());
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

    /**
     * The long name of a directive's option: {@code --partition} for {@code --partition=debug},
     * {@code -p debug}, {@code -pdebug} or {@code -p}; an unknown one-letter option stays as
     * written ({@code -Z}), a long one is returned as is.
     */
    public static String canonicalOption(String line) {
        String name = optionName(line);
        if (name.length() >= 2 && name.charAt(0) == '-' && name.charAt(1) != '-') {
            String letter = name.substring(0, 2);
            return SHORT_OPTIONS.getOrDefault(letter, letter);
        }
        return name;
    }

    /**
     * Why Drover cannot leave this option out, if it cannot.
     *
     * @param optionName a long or one-letter option name
     */
    public static Optional<String> whyRequired(String optionName) {
        return Optional.ofNullable(PROTECTED.get(canonicalOption(optionName)));
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
