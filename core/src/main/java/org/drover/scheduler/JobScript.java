package org.drover.scheduler;

import java.util.List;
import java.util.Map;
import org.drover.Job;
import org.drover.Names;
import org.drover.local.LocalScheduler;
import org.drover.shell.ShellQuote;

/**
 * Renders the bash script that runs a job, for scheduler implementations.
 *
 * <p>{@link #wrapped} gives the full wrapper every batch scheduler submits: header lines (the
 * scheduler's directives), then code that records {@code started} ("epoch-seconds host pid"),
 * runs the job in the background, forwards TERM and USR2 to it (a TERM before the job started ends
 * the wrapper with 143 without running it), and from an EXIT trap writes the
 * exit code to {@code exitcode} atomically (temporary file and rename). {@link #plain} gives a
 * bare script (environment, directory, command) for executors that record start and exit
 * themselves, like the {@link LocalScheduler}.
 *
 * <p>Every user value is quoted with {@link ShellQuote}: command words, environment values and
 * paths reach the program unchanged; a script body is passed to {@code bash -c} as one quoted word.
 *
 * <pre>{@code
 * String script = JobScript.wrapped(List.of("#SBATCH --job-name=prep"), submission);
 * String array = JobScript.wrappedArray(header, tasks, "SLURM_ARRAY_TASK_ID");
 * }</pre>
 */
public final class JobScript {
    private JobScript() {}

    /**
     * The wrapper script for one attempt.
     *
     * @param header the scheduler's directive lines ({@code #SBATCH ...}), written first
     * @param s the attempt to run
     * @return the wrapper script for one attempt
     */
    public static String wrapped(List<String> header, Submission s) {
        return wrapped(header, s, false);
    }

    /**
     * The wrapper script for one attempt, which itself sends the job's output to the attempt's
     * {@link Submission#stdoutPath()} and {@link Submission#stderrPath()} when {@code ownOutput}
     * is true: for a scheduler whose own output files cannot name each array task's path, or that
     * copies them into place only when the job ends (PBS spools them), so that the output is
     * readable while the job runs. The scheduler's own output files then hold only what the
     * wrapper itself prints.
     *
     * @param header the scheduler's directive lines ({@code #PBS ...}), written first
     * @param s the attempt to run
     * @param ownOutput whether the wrapper writes the job's stdout and stderr files itself
     * @return the wrapper script for one attempt
     */
    public static String wrapped(List<String> header, Submission s, boolean ownOutput) {
        StringBuilder sb = start(header);
        describe(sb, s);
        sb.append("__drover_dir=").append(ShellQuote.quote(s.attemptDir().toString())).append('\n');
        jobFunction(sb, s, "", ownOutput);
        wrapperBody(sb);
        return sb.toString();
    }

    /**
     * One wrapper script for the tasks of an array; the task whose {@link Job#sweepIndex()} equals
     * the value of {@code taskIdVariable} runs.
     *
     * @param header the scheduler's directive lines ({@code #SBATCH ...}), written first
     * @param tasks the array's tasks, one submission each
     * @param taskIdVariable the task id variable
     * @return one wrapper script for the tasks of an array; the task whose {@link Job#sweepIndex()} equals the value of {@code taskIdVariable} runs
     */
    public static String wrappedArray(List<String> header, List<Submission> tasks, String taskIdVariable) {
        return wrappedArray(header, tasks, taskIdVariable, false);
    }

    /**
     * {@link #wrappedArray(List, List, String)}, where the wrapper itself writes each task's stdout
     * and stderr files when {@code ownOutput} is true (see {@link #wrapped(List, Submission, boolean)}).
     *
     * @param header the scheduler's directive lines ({@code #PBS ...}), written first
     * @param tasks the array's tasks, one submission each
     * @param taskIdVariable the task id variable
     * @param ownOutput whether the wrapper writes each task's stdout and stderr files itself
     * @return one wrapper script for the tasks of an array
     */
    public static String wrappedArray(List<String> header, List<Submission> tasks, String taskIdVariable,
                                      boolean ownOutput) {
        if (!taskIdVariable.matches("[A-Z_][A-Z0-9_]*")) {
            throw new IllegalArgumentException("task id variable '" + taskIdVariable + "' is not a variable name");
        }
        StringBuilder sb = start(header);
        Submission first = tasks.get(0);
        sb.append("# Drover: bundle ").append(first.bundle()).append(", array of ").append(tasks.size())
                .append(" tasks of sweep ").append(first.job().sweep().orElse(first.job().name()))
                .append(", attempt ").append(first.attempt()).append('\n');
        sb.append("case \"${").append(taskIdVariable).append(":-}\" in\n");
        for (Submission s : tasks) {
            sb.append(s.job().sweepIndex()).append(")\n");
            sb.append("  __drover_dir=").append(ShellQuote.quote(s.attemptDir().toString())).append('\n');
            jobFunction(sb, s, "  ", ownOutput);
            sb.append("  ;;\n");
        }
        sb.append("*)\n  echo \"drover: no task for ").append(taskIdVariable).append("=${")
                .append(taskIdVariable).append(":-}\" >&2\n  exit 1\n  ;;\nesac\n");
        wrapperBody(sb);
        return sb.toString();
    }

    /**
     * A bare script: environment, working directory, then {@code exec} of the command (or
     * {@code bash -c} of the script body). The executor records start and exit code itself.
     *
     * @param s the attempt to run
     * @return a bare script: environment, working directory, then {@code exec} of the command (or {@code bash -c} of the script body)
     */
    public static String plain(Submission s) {
        Job job = s.job();
        StringBuilder sb = new StringBuilder(job.script().isPresent() ? "#!/bin/bash\n" : "#!/bin/sh\n");
        describe(sb, s);
        body(sb, job, "");
        return sb.toString();
    }

    private static StringBuilder start(List<String> header) {
        StringBuilder sb = new StringBuilder(512).append("#!/bin/bash\n");
        for (String line : header) {
            Names.requireLine("script header line", line);
            sb.append(line).append('\n');
        }
        return sb;
    }

    private static void describe(StringBuilder sb, Submission s) {
        sb.append("# Drover: bundle ").append(s.bundle()).append(", job ").append(s.job().name())
                .append(", attempt ").append(s.attempt()).append(", token ").append(s.token()).append('\n');
    }

    private static void jobFunction(StringBuilder sb, Submission s, String indent, boolean ownOutput) {
        sb.append(indent).append("__drover_job() {\n");
        if (ownOutput) {
            // One file for both (a job that joins them) is opened once, so that neither overwrites the other.
            String err = s.stderrPath().equals(s.stdoutPath()) ? "&1" : ShellQuote.quote(s.stderrPath().toString());
            sb.append(indent).append("  exec >").append(ShellQuote.quote(s.stdoutPath().toString()))
                    .append(" 2>").append(err).append(" || exit 1\n");
        }
        if (s.job().workingDir().isEmpty()) {
            // Each task starts in its own attempt directory (an array shares one --chdir).
            String dir = ShellQuote.quote(s.attemptDir().toString());
            sb.append(indent).append("  cd ").append(dir).append(" || exit 1\n");
        }
        body(sb, s.job(), indent + "  ");
        sb.append(indent).append("}\n");
    }

    private static void body(StringBuilder sb, Job job, String indent) {
        for (Map.Entry<String, String> e : job.env().entrySet()) {
            sb.append(indent).append("export ").append(e.getKey()).append('=')
                    .append(ShellQuote.quote(e.getValue())).append('\n');
        }
        if (job.workingDir().isPresent()) {
            String dir = ShellQuote.quote(job.workingDir().get());
            sb.append(indent).append("cd ").append(dir).append(" || { echo \"drover: cannot cd to \"")
                    .append(dir).append(" >&2; exit 1; }\n");
        }
        sb.append(indent).append("exec ");
        if (job.script().isPresent()) {
            sb.append("/bin/bash -c ").append(ShellQuote.quote(job.script().get())).append(' ')
                    .append(ShellQuote.quote("drover:" + job.name()));
        } else {
            sb.append(ShellQuote.join(job.command()));
        }
        sb.append('\n');
    }

    /**
     * The traps come first, before {@code started} is written, TERM's before EXIT's: a TERM at any
     * moment after the TERM trap ends the wrapper with an {@code exitcode} file. A TERM before the
     * job runs is remembered, not acted on at once (an exit in the middle of {@code __drover_put}
     * would leave its temporary file): the wrapper then exits 143 without starting the job, or, if
     * the TERM came between that check and {@code $!}, forwards it to the child just started. A
     * forwarded TERM that reaches the child before it has reset the trap it inherited sets the
     * child's flag, which the child reads before it runs the job (without this, the job ran to its
     * end with the TERM lost: seen once in WrappedScriptTest's 20 rounds of TERM-at-once).
     */
    private static void wrapperBody(StringBuilder sb) {
        sb.append("__drover_put() {\n"
                + "  printf '%s\\n' \"$2\" > \"$__drover_dir/.$1.$$\" && mv -f \"$__drover_dir/.$1.$$\" \"$__drover_dir/$1\"\n"
                + "}\n"
                + "__drover_rc=255\n"
                + "__drover_child=\n"
                + "__drover_term=\n"
                + "__drover_forward() {\n"
                + "  if [ -n \"$__drover_child\" ]; then kill -s \"$1\" \"$__drover_child\" 2>/dev/null\n"
                + "  elif [ \"$1\" = TERM ]; then __drover_term=1; fi\n"
                + "}\n"
                + "trap '__drover_forward TERM' TERM\n"
                + "trap '__drover_forward USR2' USR2\n"
                + "trap '__drover_put exitcode \"$__drover_rc\"' EXIT\n"
                + "printf -v __drover_now '%(%s)T' -1\n"
                + "__drover_put started \"$__drover_now ${HOSTNAME:-$(hostname)} $$\"\n"
                + "if [ -n \"$__drover_term\" ]; then __drover_rc=143; exit 143; fi\n"
                // A TERM that reaches the child before it has reset the inherited trap only sets
                // the child's own flag: the child checks it before it runs the job.
                + "{ if [ -n \"$__drover_term\" ]; then exit 143; fi; __drover_job; } &\n"
                + "__drover_child=$!\n"
                + "if [ -n \"$__drover_term\" ]; then kill -s TERM \"$__drover_child\" 2>/dev/null; fi\n"
                + "while :; do\n"
                + "  wait \"$__drover_child\"\n"
                + "  __drover_rc=$?\n"
                + "  kill -0 \"$__drover_child\" 2>/dev/null || break\n"
                + "done\n"
                + "exit \"$__drover_rc\"\n");
    }
}
