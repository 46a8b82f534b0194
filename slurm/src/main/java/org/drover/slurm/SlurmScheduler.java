package org.drover.slurm;

import com.google.common.util.concurrent.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.drover.Names;
import org.drover.internal.CommandRetries;
import org.drover.internal.Plural;
import org.drover.scheduler.JobScript;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.drover.slurm.internal.SbatchDirectives;
import org.drover.slurm.internal.SlurmIds;
import org.drover.slurm.internal.SlurmOutputParser;
import org.drover.slurm.internal.SlurmRow;
import org.drover.slurm.internal.SlurmStates;
import org.drover.slurm.internal.TransientErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs on SLURM through a {@link Shell} (this machine, or later a login node over SSH).
 *
 * <ul>
 *   <li>Scripts: {@code #SBATCH} directives from the job's resources, then Drover's wrapper
 *       ({@link JobScript#wrapped}); written and synced before {@code sbatch --parsable}.</li>
 *   <li>Dependencies: {@code --dependency=afterok:1:2} with {@code --kill-on-invalid-dep=yes}, so
 *       a dependent of a failed job ends instead of pending forever; {@code --no-requeue} unless
 *       the job asks otherwise.</li>
 *   <li>Arrays: a sweep goes as one {@code sbatch --array=0-N%limit}; each task picks its own
 *       parameters by {@code SLURM_ARRAY_TASK_ID}; statuses are per task ({@code 123_4}).</li>
 *   <li>Status: one {@code squeue} call for every tracked job (by user and job ids, all states,
 *       arrays expanded), and at most one {@code sacct} call for the jobs squeue no longer shows;
 *       without accounting, one {@code scontrol show job}. A failed query gives UNKNOWN.</li>
 *   <li>Transient failures ("Socket timed out", "Unable to contact slurm controller") are retried
 *       with exponential backoff and jitter; before a submit is retried, the queue is searched for
 *       the attempt's token (in the job comment), so a retry never duplicates a job.</li>
 *   <li>Cancel: one {@code scancel} for many ids, retried on transient errors; only valid job ids
 *       reach it.</li>
 * </ul>
 *
 * <pre>{@code
 * try (SlurmScheduler slurm = SlurmScheduler.builder().skipDirective("--qos").build()) {
 *     SubmittedBundle run = Submitter.submit(bundle, slurm, Path.of("/shared/runs"));
 *     run.awaitCompletion(Duration.ofHours(2));
 * }
 * }</pre>
 */
public final class SlurmScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(SlurmScheduler.class);
    /** Above this many jobs, squeue is asked for all of the user's jobs instead of listing ids (argument length). */
    static final int MAX_IDS_PER_QUERY = 5_000;

    private final Shell shell;
    private final Set<String> skip;
    private final boolean exportEnvironment;
    private final Duration commandTimeout;
    private final CommandRetries retries;
    private final RateLimiter submitRate;
    private final ZoneId zone;
    private final int submitParallelism;
    private final String configuredUser;
    private volatile String user;

    private SlurmScheduler(Builder b) {
        this.shell = b.shell;
        this.skip = Set.copyOf(b.skip);
        this.exportEnvironment = b.exportEnvironment;
        this.commandTimeout = b.commandTimeout;
        this.retries = b.retries;
        this.submitRate = RateLimiter.create(b.submitsPerSecond);
        this.zone = b.zone;
        this.submitParallelism = b.submitParallelism;
        this.configuredUser = b.user;
        this.user = b.user;
    }

    /**
     * A SlurmScheduler on this machine with the defaults.
     *
     * @return a SlurmScheduler on this machine with the defaults
     */
    public static SlurmScheduler create() {
        return builder().build();
    }

    /**
     * A builder: set the shell, skipped directives, timeouts, retries and rate, then {@link Builder#build()}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "slurm";
    }

    /** Yes: {@code --dependency} with {@code --kill-on-invalid-dep=yes}. */
    @Override
    public boolean supportsDependencies() {
        return true;
    }

    /** Yes: the job wrapper writes {@code started} and {@code exitcode} into the attempt directory. */
    @Override
    public boolean recordsExitCodes() {
        return true;
    }

    /** Yes: {@link #submitArray} keeps the array's running limit itself. */
    @Override
    public boolean supportsArrays() {
        return true;
    }

    @Override
    public Shell shell() {
        return shell;
    }

    /** sbatch calls wait on slurmctld: a few at once hide that wait (default 4). */
    @Override
    public int submitParallelism() {
        return submitParallelism;
    }

    // ---- rendering ----

    @Override
    public String render(Submission s) {
        String stdout = s.stdoutPath().toString();
        String stderr = s.stderrPath().toString();
        checkPath(s.job().name(), "stdout", stdout);
        checkPath(s.job().name(), "stderr", stderr);
        return JobScript.wrapped(SbatchDirectives.render(s, s.job().name(), SbatchDirectives.filenamePattern(stdout),
                SbatchDirectives.filenamePattern(stderr), null, skip, exportEnvironment), s);
    }

    /**
     * The script of an array of tasks (a sweep's jobs, indices 0..n-1, same resources and dependencies).
     * An array has one {@code --output} and one {@code --error} pattern for all its tasks: members'
     * own stdout/stderr paths are honoured when they are the same relative path (each in its own
     * attempt directory) or the same absolute path; otherwise the array is refused.
     *
     * @throws SchedulerException (not transient) if a task's output path cannot be expressed
     * @param tasks the array's tasks, one submission each, in index order
     * @param maxRunning the most tasks running at once (0: no limit)
     * @return the script of an array of tasks (a sweep's jobs, indices 0..n-1, same resources and dependencies)
     */
    public String renderArray(List<Submission> tasks, int maxRunning) {
        Submission first = tasks.get(0);
        Path runDir = first.attemptDir().getParent().getParent();
        String sweep = first.job().sweep().orElseThrow(() ->
                new IllegalArgumentException("job '" + first.job().name() + "' is not a sweep member"));
        String stdout = arrayOutput(tasks, runDir, sweep, "stdout", "--output",
                s -> s.job().stdout(), Submission::stdoutPath, RunDirectory.STDOUT);
        String stderr = arrayOutput(tasks, runDir, sweep, "stderr", "--error",
                s -> s.job().stderr(), Submission::stderrPath, RunDirectory.STDERR);
        String range = indexRanges(tasks) + (maxRunning > 0 ? "%" + maxRunning : "");
        List<String> header = SbatchDirectives.render(first, sweep, stdout, stderr, range, Submission.arrayToken(tasks),
                skip, exportEnvironment);
        return JobScript.wrappedArray(header, tasks, "SLURM_ARRAY_TASK_ID");
    }

    /**
     * The one filename pattern of an array for stdout or stderr, checked to send every task's
     * output exactly where its own submission says ({@link Submission#stdoutPath}).
     */
    private static String arrayOutput(List<Submission> tasks, Path runDir, String sweep, String field, String option,
                                      java.util.function.Function<Submission, java.util.Optional<String>> own,
                                      java.util.function.Function<Submission, Path> resolved, String defaultFile) {
        Submission first = tasks.get(0);
        String path = own.apply(first).orElse(defaultFile);
        String pattern = Path.of(path).isAbsolute() ? SbatchDirectives.filenamePattern(path)
                : SbatchDirectives.arrayPath(runDir, sweep, first.attempt(), path);
        for (int i = 0; i < tasks.size(); i++) {
            Submission t = tasks.get(i);
            String wanted = resolved.apply(t).toString();
            checkPath(t.job().name(), field, wanted);
            String given = SbatchDirectives.expandArrayPattern(pattern, t.job().sweepIndex());
            if (!given.equals(wanted)) {
                throw new SchedulerException("sweep '" + sweep + "' cannot be submitted as one array: job '"
                        + t.job().name() + "' has " + field + " '" + own.apply(t).orElse("(default)")
                        + "', which is " + wanted + ", but the array's one " + option + " pattern would write it to "
                        + given + "; give every member of the sweep the same " + field
                        + " (a path relative to its attempt directory), or submit the sweep without asArray", false);
            }
        }
        return pattern;
    }

    private static void checkPath(String job, String field, String path) {
        if (!SbatchDirectives.isDirectiveSafe(path)) {
            throw new SchedulerException(field + " path '" + path + "' of job '" + job + "' cannot be given to sbatch: "
                    + "it holds a blank, quote, backslash or #; choose a runs root without them", false);
        }
    }

    // ---- submission ----

    @Override
    public String submit(Submission s) {
        shell.writeFile(s.scriptPath(), render(s).getBytes(StandardCharsets.UTF_8));
        return sbatch(s.scriptPath(), s.token(), s.job().name());
    }

    @Override
    public SubmittedArray submitArray(List<Submission> tasks, int maxRunning) {
        if (tasks.size() == 1) {
            return new SubmittedArray(null, List.of(submit(tasks.get(0))));
        }
        Submission first = tasks.get(0);
        for (int i = 0; i < tasks.size(); i++) {
            Submission t = tasks.get(i);
            if (t.job().sweepIndex() < 0 || i > 0 && t.job().sweepIndex() <= tasks.get(i - 1).job().sweepIndex()
                    || t.attempt() != first.attempt()) {
                throw new IllegalArgumentException("array tasks must be members of one sweep with rising sweep indices "
                        + "and one attempt number; task " + i + " is '" + t.job().name() + "' (index "
                        + t.job().sweepIndex() + ", attempt " + t.attempt() + ")");
            }
        }
        Path runDir = first.attemptDir().getParent().getParent();
        String sweep = first.job().sweep().orElseThrow();
        // One script per array submission: the whole sweep, or the members ready together (named by the first).
        Path script = runDir.resolve(sweep + ".array-" + first.attempt()
                + (first.job().sweepIndex() == 0 ? "" : "-from-" + first.job().sweepIndex()) + ".sh");
        shell.writeFile(script, renderArray(tasks, maxRunning).getBytes(StandardCharsets.UTF_8));
        String arrayId = sbatch(script, Submission.arrayToken(tasks), sweep);
        List<String> ids = new ArrayList<>(tasks.size());
        for (Submission t : tasks) {
            ids.add(arrayId + "_" + t.job().sweepIndex());   // SLURM's task id is the index given in --array
        }
        return new SubmittedArray(arrayId, ids);
    }

    /** The --array value for these members' sweep indices: {@code 0-19}, or {@code 2,5,7-9}. */
    static String indexRanges(List<Submission> tasks) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < tasks.size()) {
            int from = tasks.get(i).job().sweepIndex();
            int to = from;
            while (i + 1 < tasks.size() && tasks.get(i + 1).job().sweepIndex() == to + 1) {
                to++;
                i++;
            }
            sb.append(sb.length() == 0 ? "" : ",").append(from).append(from == to ? "" : "-" + to);
            i++;
        }
        return sb.toString();
    }

    /** sbatch with retries on transient errors; a retry first looks for the token in the queue. */
    private String sbatch(Path script, String token, String what) {
        SchedulerException last = null;
        for (int attempt = 1; attempt <= retries.attempts(); attempt++) {
            if (attempt > 1) {
                String existing;
                try {
                    existing = findByToken(token).orElse(null);
                } catch (SchedulerException cannotTell) {
                    // Submitting again could make a second job: wait, and leave it to the caller in the end.
                    last = new SchedulerException("sbatch of job '" + what + "' failed (" + last.getMessage()
                            + ") and whether it went through is unknown: " + cannotTell.getMessage(), true);
                    if (attempt < retries.attempts()) {
                        pause(attempt);
                    }
                    continue;
                }
                if (existing != null) {
                    LOG.atInfo().log(() -> "sbatch of " + what + " had gone through as job " + existing + "; not resubmitted");
                    return existing;
                }
            }
            submitRate.acquire();
            CommandResult r = shell.run(List.of("sbatch", "--parsable", script.toString()), commandTimeout);
            if (r.ok()) {
                String id = parseSbatch(r.stdout());
                if (id != null) {
                    return id;
                }
                last = new SchedulerException("sbatch of job '" + what + "' printed no job id: '" + r.stdout().strip()
                        + "'", true);
            } else {
                boolean transientFailure = r.exitCode() == null || TransientErrors.isTransient(r.message());
                last = new SchedulerException("sbatch of job '" + what + "' failed: " + r.message(), transientFailure);
                if (!transientFailure) {
                    throw last;
                }
            }
            if (attempt < retries.attempts()) {
                pause(attempt);
            }
        }
        throw last;
    }

    /** The id in {@code sbatch --parsable} output: {@code 123} or {@code 123;cluster}. */
    static String parseSbatch(String stdout) {
        for (String line : stdout.split("\n")) {
            String l = line.trim();
            int semi = l.indexOf(';');
            String id = semi >= 0 ? l.substring(0, semi) : l;
            if (!id.isEmpty() && id.chars().allMatch(Character::isDigit)) {
                return id;
            }
        }
        return null;
    }

    /**
     * The job carrying this token in its comment: asked of squeue, then, for jobs that ended more
     * than MinJobAge ago, of sacct over the last {@value #TOKEN_LOOKBACK_DAYS} days. sacct knows
     * comments only where the site sets {@code AccountingStoreFlags=job_comment}; elsewhere a job
     * older than MinJobAge cannot be found.
     *
     * @throws SchedulerException (transient) if squeue or sacct fails, as the answer is then unknown
     */
    @Override
    public java.util.Optional<String> findByToken(String token) {
        return java.util.Optional.ofNullable(findByTokens(List.of(token)).get(token));
    }

    /**
     * {@link #findByToken} for many tokens: one squeue listing the user's jobs with their comments,
     * and one sacct only if some tokens are not in the queue.
     *
     * @throws SchedulerException (transient) if squeue or sacct fails, as the answer is then unknown
     */
    @Override
    public Map<String, String> findByTokens(Collection<String> tokens) {
        for (String token : tokens) {
            Names.requireSchedulerWord("token", token);
        }
        Map<String, String> found = new LinkedHashMap<>();
        if (tokens.isEmpty()) {
            return found;
        }
        Set<String> wanted = new LinkedHashSet<>(tokens);
        CommandResult r = shell.run(List.of("squeue", "--noheader", "--states=all", "--user=" + user(),
                "--format=%i|%k"), commandTimeout);
        if (!r.ok()) {
            throw new SchedulerException("cannot look up " + describe(wanted) + ": squeue failed: " + r.message(), true);
        }
        idsWithComments(r.stdout(), wanted, found);
        if (found.size() == wanted.size()) {
            return found;
        }
        CommandResult a = shell.run(List.of("sacct", "--noheader", "--parsable2", "--allocations", "--user=" + user(),
                "--starttime=now-" + TOKEN_LOOKBACK_DAYS + "days", "--format=JobID,Comment"), commandTimeout);
        if (!a.ok()) {
            if (TransientErrors.isAccountingDisabled(a.message())) {
                return found;   // squeue is all there is
            }
            throw new SchedulerException("cannot look up " + describe(wanted) + ": sacct failed: " + a.message(), true);
        }
        idsWithComments(a.stdout(), wanted, found);
        return found;
    }

    private static String describe(Set<String> tokens) {
        return tokens.size() == 1 ? "submission " + tokens.iterator().next() : tokens.size() + " submissions";
    }

    /** How far back sacct is searched for a submission token. */
    static final int TOKEN_LOOKBACK_DAYS = 7;

    /** The base id of the line {@code id|comment} whose comment is the token. */
    static java.util.Optional<String> idWithComment(String output, String token) {
        Map<String, String> found = new LinkedHashMap<>();
        idsWithComments(output, Set.of(token), found);
        return java.util.Optional.ofNullable(found.get(token));
    }

    /**
     * Adds to {@code found} the base id of each line {@code id|comment} whose comment is one of the
     * tokens not found yet (the first line wins: squeue lists an array's tasks under one token),
     * and, for a member token {@code <array token>-<index>} ({@link Submission#memberToken}) whose
     * array token is the comment, that member's id {@code <base>_<index>}.
     */
    static void idsWithComments(String output, Set<String> tokens, Map<String, String> found) {
        Map<String, List<String>> members = new LinkedHashMap<>();   // array token -> member tokens wanted
        for (String token : tokens) {
            int dash = token.lastIndexOf('-');
            if (dash > 0 && dash < token.length() - 1 && token.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                members.computeIfAbsent(token.substring(0, dash), k -> new ArrayList<>()).add(token);
            }
        }
        for (String line : output.split("\n")) {
            int bar = line.indexOf('|');
            if (bar <= 0) {
                continue;
            }
            String comment = line.substring(bar + 1).trim();
            String id = line.substring(0, bar).trim();
            // A pending array prints as one line "123_[1-3]": its tasks' ids are ids too.
            if (!(SlurmIds.isId(id) || SlurmIds.isRange(id))) {
                continue;
            }
            if (tokens.contains(comment) && !found.containsKey(comment)) {
                found.put(comment, SlurmIds.base(id));
            }
            for (String member : members.getOrDefault(comment, List.of())) {
                found.putIfAbsent(member, SlurmIds.base(id) + "_" + member.substring(member.lastIndexOf('-') + 1));
            }
        }
    }

    private void pause(int attempt) {
        retries.pause(attempt);
    }

    // ---- status ----

    @Override
    public Map<String, JobStatus> status(Collection<String> ids) {
        Map<String, JobStatus> result = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        Set<String> bases = new LinkedHashSet<>();
        for (String id : ids) {
            if (SlurmIds.isId(id)) {
                bases.add(SlurmIds.base(id));
            } else {
                result.put(id, JobStatus.unknown(id, "not a SLURM job id"));
            }
        }
        if (bases.isEmpty()) {
            return result;
        }
        try {
            user();
        } catch (SchedulerException e) {   // a status query never throws: nothing is known this time
            for (String id : ids) {
                result.putIfAbsent(id, JobStatus.unknown(id, e.getMessage()));
            }
            return result;
        }
        Map<String, JobStatus> found = new HashMap<>();
        String squeueProblem = query(squeueCommand(bases), SlurmOutputParser::parseSqueue, found, true);
        if (squeueProblem != null) {
            for (String id : ids) {
                result.putIfAbsent(id, JobStatus.unknown(id, squeueProblem));
            }
            return result;
        }
        // squeue has no exit codes: ended jobs are asked of sacct too, in the same single call.
        Set<String> accountingBases = new LinkedHashSet<>();
        for (String id : ids) {
            JobStatus s = result.containsKey(id) ? null : answer(id, found);
            if (!result.containsKey(id) && (s == null || s.state().isTerminal() && s.exitCode() == null)) {
                accountingBases.add(SlurmIds.base(id));
            }
        }
        String accountingProblem = null;
        if (!accountingBases.isEmpty()) {
            accountingProblem = sacct(accountingBases, found);
        }
        for (String id : ids) {
            if (result.containsKey(id)) {
                continue;
            }
            JobStatus s = answer(id, found);
            result.put(id, s != null ? s
                    : accountingProblem == null ? JobStatus.notFound(id, "not in squeue or sacct (yet)")
                    : accountingProblem.endsWith(SCONTROL_NOT_FOUND) ? JobStatus.notFound(id, accountingProblem)
                    : JobStatus.unknown(id, accountingProblem));
        }
        return result;
    }

    private List<String> squeueCommand(Set<String> bases) {
        List<String> cmd = new ArrayList<>(List.of("squeue", "--noheader", "--states=all", "--array",
                "--user=" + user(), "--format=" + SlurmOutputParser.SQUEUE_FORMAT));
        if (bases.size() <= MAX_IDS_PER_QUERY) {
            cmd.add("--jobs=" + String.join(",", bases));
        }
        return cmd;
    }

    /** Runs one query (one retry on a transient error); fills {@code found}; returns a problem or null. */
    private String query(List<String> command, java.util.function.Function<String, List<SlurmRow>> parser,
                         Map<String, JobStatus> found, boolean invalidIdMeansNone) {
        CommandResult r = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                r = shell.run(command, commandTimeout);
            } catch (RuntimeException e) {   // e.g. cannot start the command: a status query never throws
                return command.get(0) + " could not run: " + e.getMessage();
            }
            if (r.ok() || invalidIdMeansNone && TransientErrors.isInvalidJobId(r.message())) {
                break;
            }
            if (attempt == 1 && (r.exitCode() == null || TransientErrors.isTransient(r.message()))) {
                pause(1);
            } else {
                break;
            }
        }
        if (!r.ok()) {
            if (invalidIdMeansNone && TransientErrors.isInvalidJobId(r.message())) {
                return null;   // none of the ids is in the queue any more
            }
            String problem = command.get(0) + " failed: " + r.message();
            LOG.debug(problem);
            return problem;
        }
        for (SlurmRow row : parser.apply(r.stdout())) {
            JobStatus s = SlurmStates.toStatus(row, zone);
            found.merge(row.id(), s, (a, b) -> a.state().isTerminal() ? a : b);
        }
        return null;
    }

    /** sacct for jobs squeue no longer shows; without accounting, scontrol. Returns a problem or null. */
    private String sacct(Set<String> bases, Map<String, JobStatus> found) {
        Map<String, JobStatus> fromAccounting = new HashMap<>();
        String problem = null;
        // One call up to MAX_IDS_PER_QUERY ids (a single argument must stay under the kernel's 128 KiB).
        List<String> all = new ArrayList<>(bases);
        for (int from = 0; from < all.size() && problem == null; from += MAX_IDS_PER_QUERY) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + MAX_IDS_PER_QUERY));
            problem = query(List.of("sacct", "--noheader", "--parsable2", "--allocations",
                    "--format=" + SlurmOutputParser.SACCT_FORMAT, "--jobs=" + String.join(",", chunk)),
                    SlurmOutputParser::parseSacct, fromAccounting, true);
        }
        // Accounting wins for ended jobs (it has the exit code); squeue wins while a job is live.
        fromAccounting.forEach((id, acct) -> found.merge(id, acct,
                (live, a) -> a.state().isTerminal() ? a : live));
        if (problem != null && TransientErrors.isAccountingDisabled(problem)) {
            return "not in squeue, and accounting is disabled: " + scontrolFallback(bases, found);
        }
        return problem;
    }

    /** What {@link #scontrolFallback} says when it answered but does not hold the job: not found, not unknown. */
    private static final String SCONTROL_NOT_FOUND = "scontrol does not know the job either";

    /** One {@code scontrol -o show job} (all jobs the controller still holds); the rest stays unknown. */
    private String scontrolFallback(Set<String> bases, Map<String, JobStatus> found) {
        CommandResult r;
        try {
            r = shell.run(List.of("scontrol", "--oneliner", "show", "job"), commandTimeout);
        } catch (RuntimeException e) {   // e.g. cannot start the command: a status query never throws
            return "scontrol could not run: " + e.getMessage();
        }
        if (!r.ok()) {
            return "scontrol failed: " + r.message();
        }
        for (String line : r.stdout().split("\n")) {
            Map<String, String> f = scontrolFields(line);
            for (String id : scontrolIds(f)) {
                if (!bases.contains(SlurmIds.base(id))) {
                    continue;
                }
                SlurmRow row = new SlurmRow(id, f.getOrDefault("JobState", ""), f.getOrDefault("Reason", ""),
                        f.getOrDefault("ExitCode", ""), f.getOrDefault("StartTime", ""), f.getOrDefault("EndTime", ""));
                found.putIfAbsent(id, SlurmStates.toStatus(row, zone));
            }
        }
        return SCONTROL_NOT_FOUND;
    }

    /**
     * The ids one {@code scontrol -o show job} record stands for. A started array task has its own
     * JobId (e.g. 30) but is {@code ArrayJobId_ArrayTaskId} (26_5); the array's pending rest is one
     * record with a range ({@code ArrayTaskId=6-9%2}); a het component has its own JobId (28) but is
     * {@code HetJobId+HetJobOffset} (27+1).
     */
    static List<String> scontrolIds(Map<String, String> f) {
        String jobId = f.get("JobId");
        if (jobId == null) {
            return List.of();
        }
        String arrayJob = f.get("ArrayJobId");
        String task = f.get("ArrayTaskId");
        String het = f.get("HetJobId");
        String offset = f.get("HetJobOffset");
        List<String> ids;
        if (arrayJob != null && task != null) {
            try {
                ids = SlurmIds.expand(arrayJob + "_[" + task + "]");
            } catch (IllegalArgumentException e) {
                ids = List.of();
            }
        } else if (het != null && offset != null) {
            ids = List.of(het + "+" + offset);
        } else {
            ids = List.of(jobId);
        }
        return ids.stream().filter(SlurmIds::isId).collect(java.util.stream.Collectors.toList());
    }

    static Map<String, String> scontrolFields(String line) {
        Map<String, String> f = new HashMap<>();
        for (String word : line.trim().split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                f.putIfAbsent(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return f;
    }

    /** The status of an id from the rows found; an array id stands for all of its tasks. */
    private static JobStatus answer(String id, Map<String, JobStatus> found) {
        JobStatus direct = found.get(id);
        if (direct != null || id.indexOf('_') >= 0 || id.indexOf('+') >= 0) {
            return direct;
        }
        List<JobStatus> tasks = new ArrayList<>();
        String prefix = id + "_";
        for (Map.Entry<String, JobStatus> e : found.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                tasks.add(e.getValue());
            }
        }
        if (tasks.isEmpty()) {
            return null;
        }
        JobState state = tasks.stream().anyMatch(t -> t.state() == JobState.RUNNING) ? JobState.RUNNING
                : tasks.stream().anyMatch(t -> !t.state().isTerminal()) ? JobState.PENDING
                : tasks.stream().map(JobStatus::state).filter(s -> !s.isSuccess()).findFirst().orElse(JobState.COMPLETED);
        return new JobStatus(id, state, null, Plural.of(tasks.size(), "array task"), null, null, "ARRAY");
    }

    // ---- cancel ----

    /**
     * One {@code scancel} per 1,000 ids. Ids SLURM does not know (any more) are ignored; a chunk
     * that fails on a transient error is tried again with the submit backoff
     * ({@link Builder#submitRetries}); a failure that remains is logged, not thrown.
     *
     * @throws IllegalArgumentException if an id is not a SLURM job id ({@code 123}, {@code 123_4},
     *         {@code 123+0}); then nothing is cancelled, and nothing that is not an id reaches scancel
     */
    @Override
    public void cancel(Collection<String> ids) {
        List<String> list = new ArrayList<>(ids);
        List<String> invalid = list.stream().filter(id -> id == null || !SlurmIds.isId(id))
                .collect(java.util.stream.Collectors.toList());
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("cannot cancel " + invalid.stream().limit(5)
                    .map(id -> id == null ? "null" : "'" + id + "'").collect(java.util.stream.Collectors.joining(", "))
                    + (invalid.size() > 5 ? " and " + (invalid.size() - 5) + " more" : "")
                    + ": not a SLURM job id (123, 123_4 or 123+0); nothing was cancelled");
        }
        for (int from = 0; from < list.size(); from += 1_000) {
            scancel(list.subList(from, Math.min(list.size(), from + 1_000)));
        }
    }

    /** One scancel of valid ids, tried again on transient errors. */
    private void scancel(List<String> chunk) {
        List<String> cmd = new ArrayList<>(List.of("scancel"));
        cmd.addAll(chunk);
        for (int attempt = 1; attempt <= retries.attempts(); attempt++) {
            CommandResult r = shell.run(cmd, commandTimeout);
            if (r.ok()) {
                return;
            }
            boolean transientFailure = r.exitCode() == null || TransientErrors.isTransient(r.message());
            if (!transientFailure || attempt == retries.attempts()) {
                int attempts = attempt;
                LOG.atWarn().log(() -> "scancel of " + Plural.of(chunk.size(), "job") + " failed (attempt " + attempts + "): "
                        + r.message());
                return;
            }
            try {
                pause(attempt);
            } catch (SchedulerException e) {   // interrupted: stop trying, keep the interrupt
                LOG.atWarn().log(() -> "scancel of " + Plural.of(chunk.size(), "job") + " not retried: " + e.getMessage()
                        + "; last failure: " + r.message());
                return;
            }
        }
    }

    /** The user whose jobs squeue lists: configured, or {@code id -un} through the shell once. */
    String user() {
        String u = user;
        if (u == null) {
            CommandResult r = shell.run(List.of("id", "-un"), commandTimeout);
            if (!r.ok() || r.stdout().isBlank()) {
                throw new SchedulerException("cannot tell the user name on " + shell.describe() + ": " + r.message(), true);
            }
            u = r.stdout().trim();
            user = u;
        }
        return u;
    }

    @Override
    public void close() {
        shell.close();
    }

    @Override
    public String toString() {
        return "SlurmScheduler[" + shell.describe() + (configuredUser == null ? "" : ", user " + configuredUser) + "]";
    }

    /**
     * Configures a SlurmScheduler. Defaults: this machine's shell, the current user, 60 s per
     * command, 5 submit attempts with backoff from 1 s to 30 s, at most 250 submissions per second
     * (one sbatch loop reaches about 200/s on a small cluster),
     * the JVM's time zone for SLURM's times, the submitting environment exported.
     */
    public static final class Builder {
        private Shell shell = LocalShell.create();
        private final Set<String> skip = new LinkedHashSet<>();
        private boolean exportEnvironment = true;
        private Duration commandTimeout = Duration.ofSeconds(60);
        private CommandRetries retries = new CommandRetries(5, Duration.ofSeconds(1), Duration.ofSeconds(30));
        private double submitsPerSecond = 250;
        private ZoneId zone = ZoneId.systemDefault();
        private int submitParallelism = 4;
        private String user;

        private Builder() {}

        /**
         * Where sbatch, squeue, sacct and scancel run (default: this machine).
         *
         * @param shell the shell the scheduler runs its commands through
         * @return this builder
         */
        public Builder shell(Shell shell) {
            this.shell = Objects.requireNonNull(shell, "shell");
            return this;
        }

        /**
         * A directive the site rejects, by option name (e.g. {@code --qos}, {@code --exclusive}): never
         * rendered, whether a line spells it long or short ({@code --partition} also drops
         * {@code -p debug}, and {@code -p} also drops {@code --partition=debug}).
         *
         * @throws IllegalArgumentException if the name is not an option name ({@code --qos}, {@code -q}),
         *         or names an option Drover relies on: {@code --job-name}, {@code --output},
         *         {@code --error}, {@code --array}, {@code --comment}, {@code --dependency},
         *         {@code --kill-on-invalid-dep}, {@code --parsable} (or their one-letter forms)
         * @param optionName the option as sbatch spells it, e.g. {@code --qos}
         * @return this builder
         */
        public Builder skipDirective(String optionName) {
            if (optionName == null || !optionName.matches("--[A-Za-z][A-Za-z0-9-]*|-[A-Za-z]")) {
                throw new IllegalArgumentException("skipDirective '" + optionName
                        + "' is not an option name like --qos or -q");
            }
            SbatchDirectives.whyRequired(optionName).ifPresent(why -> {
                String canonical = SbatchDirectives.canonicalOption(optionName);
                throw new IllegalArgumentException("skipDirective '" + optionName + "' cannot be honoured: "
                        + (canonical.equals(optionName) ? "" : optionName + " is " + canonical + ", and ")
                        + "Drover needs " + canonical + " (" + why + ")");
            });
            skip.add(optionName);
            return this;
        }

        /**
         * Whether jobs inherit the submitting environment ({@code --export=ALL}, default) or not ({@code NONE}).
         *
         * @param export true for {@code --export=ALL}, false for {@code --export=NONE}
         * @return this builder
         */
        public Builder exportEnvironment(boolean export) {
            this.exportEnvironment = export;
            return this;
        }

        /**
         * Longest wait for one scheduler command.
         *
         * @param timeout how long to wait at most
         * @return this builder
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = CommandRetries.checkTimeout(timeout);
            return this;
        }

        /**
         * Attempts of one sbatch (and of one scancel) on transient errors, and the backoff between
         * them (doubling, jittered).
         *
         * @param attempts sbatch or scancel calls in all, the first included (1 or more)
         * @param firstBackoff the wait before the second call
         * @param maxBackoffDelay the longest wait between calls
         * @return this builder
         */
        public Builder submitRetries(int attempts, Duration firstBackoff, Duration maxBackoffDelay) {
            this.retries = new CommandRetries(attempts, firstBackoff, maxBackoffDelay);
            return this;
        }

        /**
         * At most this many sbatch calls per second.
         *
         * @param rate sbatch calls per second (more than 0)
         * @return this builder
         */
        public Builder submitsPerSecond(double rate) {
            if (!(rate > 0)) {
                throw new IllegalArgumentException("submitsPerSecond must be positive, got " + rate);
            }
            this.submitsPerSecond = rate;
            return this;
        }

        /**
         * How many sbatch calls may run at once for independent jobs (default 4); 1 submits
         * strictly in the bundle's topological order.
         *
         * @param parallelism sbatch calls at once (1 or more)
         * @return this builder
         */
        public Builder submitParallelism(int parallelism) {
            if (parallelism < 1) {
                throw new IllegalArgumentException("submitParallelism must be at least 1, got " + parallelism);
            }
            this.submitParallelism = parallelism;
            return this;
        }

        /**
         * The cluster's time zone, in which squeue and sacct print times.
         *
         * @param zone the time zone
         * @return this builder
         */
        public Builder timeZone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * The user whose jobs are listed (default: the shell's user).
         *
         * @param user the user name
         * @return this builder
         */
        public Builder user(String user) {
            this.user = org.drover.Names.requireSchedulerWord("user", user);
            return this;
        }

        /**
         * The scheduler; it runs no command until the first call.
         *
         * @return the scheduler
         */
        public SlurmScheduler build() {
            return new SlurmScheduler(this);
        }
    }
}
