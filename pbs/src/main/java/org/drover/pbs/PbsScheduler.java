package org.drover.pbs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.drover.Names;
import org.drover.internal.CommandRetries;
import org.drover.internal.Plural;
import org.drover.pbs.internal.PbsDirectives;
import org.drover.pbs.internal.PbsJob;
import org.drover.pbs.internal.QstatAnswer;
import org.drover.pbs.internal.QstatFullParser;
import org.drover.pbs.internal.QsubOutput;
import org.drover.scheduler.JobScript;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs on PBS Pro/OpenPBS or Torque through a {@link Shell} (this machine, or a login node).
 *
 * <ul>
 *   <li>Scripts: {@code #PBS} directives for the job's resources in the {@link PbsFlavour}'s
 *       terms, then Drover's wrapper ({@link JobScript#wrapped(List, Submission, boolean)}), which
 *       writes the job's stdout and stderr into its attempt directory itself, so that they can be
 *       read while the job runs (PBS copies its own output files into place only at the end);
 *       PBS's own files ({@code pbs.out}, {@code pbs.err}) hold only what the wrapper prints.</li>
 *   <li>Submission: {@code qsub -o .. -e .. script}; the job's name ends with the attempt's
 *       token ({@code train_3-drv1a2b...}). A qsub that failed on a transient error is retried only
 *       after {@code qstat -f} showed no job with that token, so a retry never makes a second
 *       job.</li>
 *   <li>Dependencies: {@code -W depend=afterok:12.server:13.server} (Torque: {@code afterokarray}
 *       on a whole array). A dependency on one task of an array is refused (PBS cannot express
 *       it); a run manager then waits for that task itself.</li>
 *   <li>Arrays: PBS Pro {@code -J 0-9%2} with {@code PBS_ARRAY_INDEX}, Torque {@code -t 0,2-9%2}
 *       with {@code PBS_ARRAYID}; task ids {@code 12[3].server}. PBS Pro takes one range per
 *       array, so members that are not one range go as one array per range.</li>
 *   <li>Status: one {@code qstat -f} for every tracked job ({@code -x} on PBS Pro, to see finished
 *       jobs); an unknown id is NOT_FOUND (the attempt's {@code exitcode} record then decides), a
 *       failed call UNKNOWN; never an exception.</li>
 *   <li>Cancel: one {@code qdel} for many ids; ids already finished are ignored.</li>
 * </ul>
 *
 * <pre>{@code
 * try (PbsScheduler pbs = PbsScheduler.builder().flavour(PbsFlavour.PRO).build()) {
 *     SubmittedBundle run = Submitter.submit(bundle, pbs, Path.of("/shared/runs"));
 *     run.awaitCompletion(Duration.ofHours(2));
 * }
 * }</pre>
 */
public final class PbsScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(PbsScheduler.class);
    /** Ids per qstat or qdel call (one command line stays far below the kernel's argument limit). */
    static final int MAX_IDS_PER_CALL = 1_000;
    /** PBS's own output files in an attempt directory; the job's stdout and stderr are written by the wrapper. */
    static final String PBS_OUT = "pbs.out";
    static final String PBS_ERR = "pbs.err";
    private static final Pattern JOB_ID = Pattern.compile("\\d+(\\[\\d*\\])?(\\.[A-Za-z0-9._-]+)?");
    private static final Pattern MEMBER = Pattern.compile("(\\d+)\\[(\\d+)\\](.*)");
    /** Paths that reach qsub's command line and #PBS lines: nothing a shell or PBS would read as syntax. */
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./+,=@-]+");
    private static final Pattern TRANSIENT = Pattern.compile(
            "(?i)timed? ?out|connection refused|cannot connect|could not connect|unable to contact|try again"
                    + "|temporarily|socket|server is busy|pbs_iff");

    private final Shell shell;
    private final Set<String> skip;
    private final Duration commandTimeout;
    private final CommandRetries retries;
    private final int submitParallelism;
    private volatile PbsFlavour flavour;
    /** The attempt directory of each job submitted (or re-attached) here, for its records. */
    private final Map<String, Path> attemptDirs = new java.util.concurrent.ConcurrentHashMap<>();
    /** Ids this scheduler was asked to cancel: a record's non-zero exit code then means CANCELLED. */
    private final Set<String> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private PbsScheduler(Builder b) {
        this.shell = b.shell;
        this.skip = Set.copyOf(b.skip);
        this.commandTimeout = b.commandTimeout;
        this.retries = b.retries;
        this.submitParallelism = b.submitParallelism;
        this.flavour = b.flavour;
    }

    /**
     * A builder: set the shell, flavour, skipped directives, timeouts and retries, then {@link Builder#build()}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "pbs";
    }

    @Override
    public Shell shell() {
        return shell;
    }

    /** Yes: {@code -W depend=}; a dependency on one array task is refused (see the class comment). */
    @Override
    public boolean supportsDependencies() {
        return true;
    }

    /** Yes: the job wrapper writes {@code started} and {@code exitcode} into the attempt directory. */
    @Override
    public boolean recordsExitCodes() {
        return true;
    }

    /** Yes: {@code -J}/{@code -t} with the {@code %} running limit. */
    @Override
    public boolean supportsArrays() {
        return true;
    }

    /** qsub calls wait on the server: a few at once hide that wait (default 4). */
    @Override
    public int submitParallelism() {
        return submitParallelism;
    }

    /**
     * The flavour: the one configured, or else the one {@code qstat --version} shows (asked once):
     * {@code pbs_version = ...} is PBS Pro/OpenPBS; {@code Version: ...} is Torque, as is the
     * {@code Unknown option: version} of Torque-compatible wrappers over SLURM.
     *
     * @return the flavour
     * @throws SchedulerException if qstat cannot be run or its answer is neither (not transient
     *     when it answered something else: configure {@link Builder#flavour})
     */
    public PbsFlavour flavour() {
        PbsFlavour f = flavour;
        if (f == null) {
            CommandResult r = shell.run(List.of("qstat", "--version"), commandTimeout);
            f = detect(r).orElseThrow(() -> new SchedulerException("cannot tell which PBS runs on " + shell.describe()
                    + ": `qstat --version` " + (r.exitCode() == null ? "did not finish" : "exited " + r.exitCode())
                    + " and printed '" + (r.stdout() + r.stderr()).strip().lines().findFirst().orElse("")
                    + "'; set it with PbsScheduler.builder().flavour(PbsFlavour.PRO or TORQUE)",
                    r.exitCode() == null));
            LOG.atDebug().log("{} detected on {}", f, shell.describe());
            flavour = f;
        }
        return f;
    }

    static Optional<PbsFlavour> detect(CommandResult r) {
        String out = r.stdout() + "\n" + r.stderr();
        if (out.contains("pbs_version")) {
            return Optional.of(PbsFlavour.PRO);
        }
        if (out.matches("(?s).*(Version: |Unknown option: version|\\[-f\\] \\[-a\\|-i\\|-r\\]).*")) {
            return Optional.of(PbsFlavour.TORQUE);
        }
        return Optional.empty();
    }

    // ---- rendering ----

    @Override
    public String render(Submission s) {
        return JobScript.wrapped(header(s, PbsDirectives.tokenName(s.job().name(), s.token()),
                checked(s, PBS_OUT), checked(s, PBS_ERR), null), s, true);
    }

    /**
     * The script of an array of tasks (members of one sweep with rising indices, one attempt
     * number, the same resources and dependencies), indices as given; see {@link #submitArray}.
     *
     * @param tasks the array's tasks, one submission each, in index order
     * @param maxRunning the most tasks running at once (0: no limit)
     * @return the script
     */
    public String renderArray(List<Submission> tasks, int maxRunning) {
        return renderArray(tasks, maxRunning, Submission.arrayToken(tasks));
    }

    private String renderArray(List<Submission> tasks, int maxRunning, String token) {
        Submission first = tasks.get(0);
        String sweep = first.job().sweep().orElseThrow(() ->
                new IllegalArgumentException("job '" + first.job().name() + "' is not a sweep member"));
        PbsFlavour f = flavour();
        String indices = f == PbsFlavour.PRO ? tasks.get(0).job().sweepIndex() + "-"
                + tasks.get(tasks.size() - 1).job().sweepIndex() : indexList(tasks);
        String base = arrayBase(tasks);
        List<String> header = new ArrayList<>(header(first, PbsDirectives.tokenName(sweep, token),
                checkedPath(first, base + "." + PBS_OUT), checkedPath(first, base + "." + PBS_ERR),
                indices + (maxRunning > 0 ? "%" + maxRunning : "")));
        String variable = f == PbsFlavour.PRO ? "PBS_ARRAY_INDEX" : "PBS_ARRAYID";
        if (f == PbsFlavour.TORQUE) {
            // Torque-compatible wrappers over SLURM run the task with SLURM's variable only.
            header.add("PBS_ARRAYID=${PBS_ARRAYID:-${SLURM_ARRAY_TASK_ID:-}}");
        }
        return JobScript.wrappedArray(header, tasks, variable, true);
    }

    private List<String> header(Submission s, String name, String out, String err, String array) {
        return PbsDirectives.render(s, flavour(), name, out, err, array, skip);
    }

    /** An attempt directory's file, checked to be safe on qsub's command line and in a #PBS line. */
    private static String checked(Submission s, String file) {
        return checkedPath(s, s.attemptDir().resolve(file).toString());
    }

    private static String checkedPath(Submission s, String path) {
        if (!SAFE_PATH.matcher(path).matches()) {
            throw new SchedulerException("path '" + path + "' of job '" + s.job().name() + "' cannot be given to qsub: "
                    + "only letters, digits and _ . / + , = @ - are taken there (PBS reads ':' as host:path, "
                    + "Torque-compatible wrappers pass it through a shell); choose a runs root without others", false);
        }
        return path;
    }

    /** Where an array's script and PBS's own files go: beside the sweep's task directories. */
    private static String arrayBase(List<Submission> tasks) {
        Submission first = tasks.get(0);
        Path runDir = first.attemptDir().getParent().getParent();
        return runDir.resolve(first.job().sweep().orElseThrow() + ".array-" + first.attempt()
                + (first.job().sweepIndex() == 0 ? "" : "-from-" + first.job().sweepIndex())).toString();
    }

    /** Torque's -t value for these members' sweep indices: {@code 0-19}, or {@code 2,5,7-9}. */
    static String indexList(List<Submission> tasks) {
        StringBuilder sb = new StringBuilder();
        for (List<Submission> range : ranges(tasks)) {
            int from = range.get(0).job().sweepIndex();
            int to = range.get(range.size() - 1).job().sweepIndex();
            sb.append(sb.length() == 0 ? "" : ",").append(from).append(from == to ? "" : "-" + to);
        }
        return sb.toString();
    }

    /** The members split into runs of consecutive sweep indices. */
    static List<List<Submission>> ranges(List<Submission> tasks) {
        List<List<Submission>> ranges = new ArrayList<>();
        List<Submission> current = new ArrayList<>();
        for (Submission t : tasks) {
            if (!current.isEmpty() && t.job().sweepIndex() != current.get(current.size() - 1).job().sweepIndex() + 1) {
                ranges.add(current);
                current = new ArrayList<>();
            }
            current.add(t);
        }
        ranges.add(current);
        return ranges;
    }

    // ---- submission ----

    @Override
    public String submit(Submission s) {
        String script = render(s);
        shell.writeFile(s.scriptPath(), script.getBytes(StandardCharsets.UTF_8));
        String id = qsub(s.scriptPath().toString(), checked(s, PBS_OUT), checked(s, PBS_ERR), s.token(), s.job().name());
        attemptDirs.put(id, s.attemptDir());
        return id;
    }

    /** Remembers each attempt's directory, so that {@link #status} can read its records. */
    @Override
    public void reattach(Collection<KnownAttempt> attempts) {
        for (KnownAttempt a : attempts) {
            if (a.jobId() != null) {
                attemptDirs.put(a.jobId(), a.attemptDir());
            }
        }
    }

    /**
     * Submits the tasks as one array ({@code -J} on PBS Pro, {@code -t} on Torque) under the
     * array's token, at most {@code maxRunning} running at once. PBS Pro takes one range of
     * indices per array: members whose indices are not one range (a re-run of some members) go as
     * one array per range, each with the limit, and the answer has no id for the whole.
     */
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
        String token = Submission.arrayToken(tasks);
        List<List<Submission>> parts = flavour() == PbsFlavour.PRO ? ranges(tasks) : List.of(tasks);
        List<String> ids = new ArrayList<>(tasks.size());
        String arrayId = null;
        for (List<Submission> part : parts) {
            if (part.size() == 1) {   // -J needs two indices at least: a lone member goes as a job of its own
                ids.add(submit(part.get(0)));
                continue;
            }
            // One range of several: named <token>.<first index>, so that findByTokens knows which range holds a member.
            String partToken = parts.size() == 1 ? token : token + "." + part.get(0).job().sweepIndex();
            String base = arrayBase(part);
            String script = base + ".sh";
            shell.writeFile(Path.of(script), renderArray(part, maxRunning, partToken).getBytes(StandardCharsets.UTF_8));
            arrayId = qsub(script, base + "." + PBS_OUT, base + "." + PBS_ERR, partToken,
                    first.job().sweep().orElseThrow());
            for (Submission t : part) {
                String id = memberId(arrayId, t.job().sweepIndex());
                attemptDirs.put(id, t.attemptDir());
                ids.add(id);
            }
        }
        return new SubmittedArray(parts.size() == 1 ? arrayId : null, ids);
    }

    /** A task's id from its array's: {@code 12[].server} gives {@code 12[3].server}; a bare {@code 12} gives {@code 12[3]}. */
    static String memberId(String arrayId, int index) {
        int brackets = arrayId.indexOf("[]");
        return brackets >= 0 ? arrayId.substring(0, brackets) + "[" + index + "]" + arrayId.substring(brackets + 2)
                : arrayId + "[" + index + "]";
    }

    /** qsub with retries on transient errors; a retry first looks for the token in qstat. */
    private String qsub(String script, String out, String err, String token, String what) {
        SchedulerException last = null;
        for (int attempt = 1; attempt <= retries.attempts(); attempt++) {
            if (attempt > 1) {
                String existing;
                try {
                    existing = findByTokens(List.of(token)).get(token);
                } catch (SchedulerException cannotTell) {
                    last = new SchedulerException("qsub of job '" + what + "' failed (" + last.getMessage()
                            + ") and whether it went through is unknown: " + cannotTell.getMessage(), true);
                    if (attempt < retries.attempts()) {
                        pause(attempt);
                    }
                    continue;
                }
                if (existing != null) {
                    LOG.atInfo().log("qsub of {} had gone through as job {}; not submitted again", what, existing);
                    return existing;
                }
            }
            // -o/-e again on the command line: Torque-compatible wrappers otherwise add their own, which win.
            CommandResult r = shell.run(List.of("qsub", "-o", out, "-e", err, script), commandTimeout);
            if (r.ok()) {
                try {
                    return QsubOutput.jobId(r.stdout());
                } catch (IllegalArgumentException e) {
                    last = new SchedulerException("qsub of job '" + what + "' printed no job id: '" + r.stdout().strip()
                            + "'", true);
                }
            } else {
                boolean transientFailure = r.exitCode() == null || TRANSIENT.matcher(r.message()).find();
                last = new SchedulerException("qsub of job '" + what + "' failed: " + r.message(), transientFailure);
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

    /**
     * The jobs carrying these tokens, from one {@code qstat -f} of every job the server shows
     * ({@code -x} on PBS Pro, finished ones included): a job's name ends with its token; a member
     * token ({@code <array token>-<index>}) is found through its array's.
     *
     * @throws SchedulerException (transient) if qstat fails, as the answer is then unknown
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
        CommandResult r = shell.run(qstatFull(flavour(), List.of()), commandTimeout);
        // No job at all: OpenPBS prints nothing (exit 0); a wrapper may exit 153 with nothing printed.
        if (!r.ok() && !(r.exitCode() != null && r.exitCode() == 153 && r.stdout().isBlank())) {
            throw new SchedulerException("cannot look up " + (tokens.size() == 1 ? "submission " + tokens.iterator().next()
                    : tokens.size() + " submissions") + ": qstat failed: " + r.message(), true);
        }
        idsWithTokens(QstatFullParser.parse(r.stdout()), new LinkedHashSet<>(tokens), found);
        return found;
    }

    /**
     * Fills {@code found} with the id of each token's job among these: the job whose name ends with
     * {@code -<token>} (of several, an array's parent {@code 12[]} or else the lowest id: a wrapper
     * over SLURM lists each task of an array under the array's name, the array's own id first);
     * for a member token, its task in the array named with the array token.
     */
    static void idsWithTokens(List<PbsJob> jobs, Set<String> tokens, Map<String, String> found) {
        for (String token : tokens) {
            for (PbsJob job : jobs) {
                if (job.get("Job_Name").orElse("").endsWith("-" + token)) {
                    found.merge(token, job.id(), PbsScheduler::preferred);
                }
            }
            Matcher m = Pattern.compile("(.+)-(\\d+)").matcher(token);
            if (found.containsKey(token) || !m.matches()) {
                continue;
            }
            // A member: its array is named -<array token>, or, one range of a split array, -<array token>.<from>.
            String arrayToken = m.group(1);
            int index = Integer.parseInt(m.group(2));
            Pattern range = Pattern.compile(".*-" + Pattern.quote(arrayToken) + "(?:\\.(\\d+))?");
            String arrayId = null;
            int bestFrom = -1;
            for (PbsJob job : jobs) {
                Matcher r = range.matcher(job.get("Job_Name").orElse(""));
                if (!r.matches()) {
                    continue;
                }
                int from = r.group(1) == null ? 0 : Integer.parseInt(r.group(1));
                if (from <= index && from > bestFrom) {
                    bestFrom = from;
                    arrayId = job.id();
                } else if (from == bestFrom) {
                    arrayId = preferred(arrayId, job.id());
                }
            }
            if (arrayId != null) {
                found.put(token, memberId(parentId(arrayId), index));
            }
        }
    }

    /**
     * {@code qstat -f <ids>}, with {@code -x} on PBS Pro so that finished jobs are shown (on Torque
     * {@code -x} means XML); without ids, every job the server shows.
     */
    private static List<String> qstatFull(PbsFlavour f, Collection<String> ids) {
        List<String> cmd = new ArrayList<>(f == PbsFlavour.PRO ? List.of("qstat", "-x", "-f") : List.of("qstat", "-f"));
        cmd.addAll(ids);
        return cmd;
    }

    /** Of two ids of jobs with one name: an array's parent ({@code 12[]}), or else the lower number. */
    private static String preferred(String a, String b) {
        if (a.contains("[]") != b.contains("[]")) {
            return a.contains("[]") ? a : b;
        }
        return number(a) <= number(b) ? a : b;
    }

    private static long number(String id) {
        Matcher m = Pattern.compile("^(\\d+)").matcher(id);
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    /** The array id a task id belongs to, or the id itself: {@code 12[3].s} gives {@code 12[].s}. */
    static String parentId(String id) {
        Matcher m = MEMBER.matcher(id);
        return m.matches() ? m.group(1) + "[]" + m.group(3) : id;
    }

    private void pause(int attempt) {
        retries.pause(attempt);
    }

    // ---- status ----

    /**
     * One {@code qstat -f} ({@code -x -f} on PBS Pro) for up to {@value #MAX_IDS_PER_CALL} ids.
     * On Torque, a task of an array that qstat does not show by itself (wrappers over SLURM show
     * none) is PENDING while its array is in the queue, and otherwise NOT_FOUND: its
     * {@code started} and {@code exitcode} records tell the rest.
     */
    @Override
    public Map<String, JobStatus> status(Collection<String> ids) {
        Map<String, JobStatus> result = new LinkedHashMap<>();
        List<String> valid = new ArrayList<>();
        for (String id : ids) {
            if (id != null && JOB_ID.matcher(id).matches()) {
                valid.add(id);
            } else {
                result.put(id, JobStatus.unknown(id, "not a PBS job id"));
            }
        }
        PbsFlavour f;
        try {
            f = valid.isEmpty() ? null : flavour();
        } catch (RuntimeException e) {   // a status query never throws: nothing is known this time
            valid.forEach(id -> result.put(id, JobStatus.unknown(id, e.getMessage())));
            return result;
        }
        for (int from = 0; from < valid.size(); from += MAX_IDS_PER_CALL) {
            result.putAll(query(valid.subList(from, Math.min(valid.size(), from + MAX_IDS_PER_CALL)), f));
        }
        fromRecords(result);
        Map<String, JobStatus> ordered = new LinkedHashMap<>();
        for (String id : ids) {
            ordered.put(id, result.get(id));
        }
        return ordered;
    }

    private Map<String, JobStatus> query(List<String> ids, PbsFlavour f) {
        Set<String> asked = new LinkedHashSet<>(ids);
        if (f == PbsFlavour.TORQUE) {
            for (String id : ids) {
                Matcher m = MEMBER.matcher(id);
                if (m.matches()) {
                    asked.add(m.group(1) + "[]" + m.group(3));
                    if (m.group(3).isEmpty()) {
                        asked.add(m.group(1));   // a wrapper's array id is the bare number
                    }
                }
            }
        }
        List<String> cmd = qstatFull(f, asked);
        CommandResult r;
        try {
            r = shell.run(cmd, commandTimeout);
        } catch (RuntimeException e) {
            Map<String, JobStatus> unknown = new LinkedHashMap<>();
            ids.forEach(id -> unknown.put(id, JobStatus.unknown(id, "qstat could not run: " + e.getMessage())));
            return unknown;
        }
        Map<String, JobStatus> answer = QstatAnswer.statuses(asked, r.stdout(), r.stderr(), r.exitCode());
        Map<String, JobStatus> result = new LinkedHashMap<>();
        for (String id : ids) {
            JobStatus s = answer.get(id);
            Matcher m = MEMBER.matcher(id);
            if (f == PbsFlavour.TORQUE && s.state() == JobState.NOT_FOUND && m.matches()) {
                JobStatus parent = answer.get(m.group(1) + "[]" + m.group(3));
                if (parent.state() == JobState.NOT_FOUND && m.group(3).isEmpty()) {
                    parent = answer.get(m.group(1));
                }
                if (!parent.state().isTerminal() && parent.state() != JobState.UNKNOWN
                        && parent.state() != JobState.NOT_FOUND) {
                    s = new JobStatus(id, JobState.PENDING, null, ARRAY_FALLBACK + parent.id()
                            + " is in the queue; qstat shows no state of this task", null, null, parent.nativeState());
                }
            }
            result.put(id, s);
        }
        return result;
    }

    /**
     * A job the queue cannot tell the end of (Torque's state C without an exit status, which is
     * all Torque-style wrappers ever show; a finished job PBS keeps no history of) ends as its
     * attempt's records say, read in one round trip for all: its {@code exitcode} (0 COMPLETED,
     * otherwise FAILED with that code, or CANCELLED if {@link #cancel} was asked to stop it); a task of an array that qstat does not show is RUNNING once
     * it has a {@code started} record; in state C without {@code exitcode}, it never ran if there
     * is no {@code started} either (CANCELLED: deleted while queued, or a dependency never met),
     * and otherwise it was killed before its wrapper could write one (FAILED). Without records, or
     * for jobs not submitted here, NOT_FOUND stays: a run manager then decides.
     */
    private void fromRecords(Map<String, JobStatus> result) {
        Map<String, Path> open = new LinkedHashMap<>();
        result.forEach((id, s) -> {
            Path dir = id == null ? null : attemptDirs.get(id);
            if (dir != null && (s.state() == JobState.NOT_FOUND || isArrayFallback(s))) {
                open.put(id, dir);
            }
        });
        if (open.isEmpty()) {
            return;
        }
        List<Path> files = new ArrayList<>();
        open.values().forEach(dir -> {
            files.add(dir.resolve(org.drover.scheduler.RunDirectory.EXIT_CODE));
            files.add(dir.resolve(org.drover.scheduler.RunDirectory.STARTED));
        });
        Map<Path, byte[]> records;
        try {
            records = shell.readFiles(files);
        } catch (RuntimeException e) {   // unreadable now: NOT_FOUND stays, asked again at the next poll
            return;
        }
        open.forEach((id, dir) -> {
            JobStatus queue = result.get(id);
            byte[] exit = records.get(dir.resolve(org.drover.scheduler.RunDirectory.EXIT_CODE));
            Integer code = exit == null ? null : parseCode(exit);
            if (code != null && code != 0 && cancelled.contains(id)) {
                result.put(id, new JobStatus(id, JobState.CANCELLED, code, "cancelled with qdel (exit code " + code
                        + " in its exitcode record)", null, null, queue.nativeState()));
            } else if (code != null) {
                result.put(id, new JobStatus(id, code == 0 ? JobState.COMPLETED : JobState.FAILED, code,
                        "exit code " + code + " (from its exitcode record: " + queue.reason() + ")", null, null,
                        queue.nativeState()));
            } else if (isArrayFallback(queue)) {
                if (records.containsKey(dir.resolve(org.drover.scheduler.RunDirectory.STARTED))) {
                    result.put(id, new JobStatus(id, JobState.RUNNING, null, "started (its record says); qstat shows "
                            + "no state of this task of an array", null, null, queue.nativeState()));
                }
            } else if ("C".equals(queue.nativeState())) {
                boolean started = records.containsKey(dir.resolve(org.drover.scheduler.RunDirectory.STARTED));
                result.put(id, started
                        ? new JobStatus(id, JobState.FAILED, null, "completed in qstat, but its wrapper wrote no exit "
                                + "code: killed before it could (node failure, SIGKILL)", null, null, "C")
                        : new JobStatus(id, JobState.CANCELLED, null, "completed in qstat without having started: "
                                + "deleted while queued, or a dependency that can never be met", null, null, "C"));
            }
        });
    }

    /** A task of an array that qstat does not show, taken as PENDING because its array is in the queue. */
    private static boolean isArrayFallback(JobStatus s) {
        return s.state() == JobState.PENDING && s.reason().startsWith(ARRAY_FALLBACK);
    }

    private static final String ARRAY_FALLBACK = "its array ";

    private static Integer parseCode(byte[] content) {
        try {
            return Integer.valueOf(new String(content, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- cancel ----

    /**
     * One {@code qdel} per {@value #MAX_IDS_PER_CALL} ids. Ids PBS does not know (any more) are
     * ignored; a chunk that fails on a transient error is tried again with the submit backoff; a
     * failure that remains is logged, not thrown.
     *
     * @throws IllegalArgumentException if an id is not a PBS job id ({@code 12}, {@code 12.server},
     *     {@code 12[].server}, {@code 12[3].server}); then nothing is cancelled
     */
    @Override
    public void cancel(Collection<String> ids) {
        List<String> list = new ArrayList<>(ids);
        List<String> invalid = list.stream().filter(id -> id == null || !JOB_ID.matcher(id).matches())
                .collect(Collectors.toList());
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("cannot cancel " + invalid.stream().limit(5)
                    .map(id -> id == null ? "null" : "'" + id + "'").collect(Collectors.joining(", "))
                    + (invalid.size() > 5 ? " and " + (invalid.size() - 5) + " more" : "")
                    + ": not a PBS job id (12, 12.server, 12[].server or 12[3].server); nothing was cancelled");
        }
        cancelled.addAll(list);
        for (int from = 0; from < list.size(); from += MAX_IDS_PER_CALL) {
            qdel(list.subList(from, Math.min(list.size(), from + MAX_IDS_PER_CALL)));
        }
    }

    private void qdel(List<String> chunk) {
        List<String> cmd = new ArrayList<>(List.of("qdel"));
        cmd.addAll(chunk);
        for (int attempt = 1; attempt <= retries.attempts(); attempt++) {
            CommandResult r = shell.run(cmd, commandTimeout);
            if (r.ok()) {
                return;
            }
            boolean transientFailure = r.exitCode() == null || TRANSIENT.matcher(r.message()).find();
            if (!transientFailure || attempt == retries.attempts()) {
                // qdel of a job that already ended fails (OpenPBS exit 35, wrappers 1 or 2); the others are deleted.
                LOG.atDebug().log("qdel of {} answered {}", Plural.of(chunk.size(), "job"), r);
                return;
            }
            try {
                pause(attempt);
            } catch (SchedulerException e) {   // interrupted: stop trying, keep the interrupt
                return;
            }
        }
    }

    @Override
    public void close() {
        shell.close();
    }

    @Override
    public String toString() {
        return "PbsScheduler[" + shell.describe() + (flavour == null ? "" : ", " + flavour) + "]";
    }

    /**
     * Configures a PbsScheduler. Defaults: this machine's shell, the flavour detected at the first
     * command, 60 s per command, 5 qsub attempts with backoff from 1 s to 30 s, 4 qsub calls at once.
     *
     * <pre>{@code
     * PbsScheduler pbs = PbsScheduler.builder().flavour(PbsFlavour.TORQUE).skipDirective("-A").build();
     * }</pre>
     */
    public static final class Builder {
        private Shell shell = LocalShell.create();
        private PbsFlavour flavour;
        private final Set<String> skip = new LinkedHashSet<>();
        private Duration commandTimeout = Duration.ofSeconds(60);
        private CommandRetries retries = new CommandRetries(5, Duration.ofSeconds(1), Duration.ofSeconds(30));
        private int submitParallelism = 4;

        private Builder() {}

        /**
         * Where qsub, qstat and qdel run (default: this machine).
         *
         * @param shell the shell the scheduler runs its commands through
         * @return this builder
         */
        public Builder shell(Shell shell) {
            this.shell = Objects.requireNonNull(shell, "shell");
            return this;
        }

        /**
         * Which PBS the server runs (default: detected by {@code qstat --version} at the first command).
         *
         * @param flavour PBS Pro/OpenPBS or Torque
         * @return this builder
         */
        public Builder flavour(PbsFlavour flavour) {
            this.flavour = Objects.requireNonNull(flavour, "flavour");
            return this;
        }

        /**
         * A directive the site rejects: never rendered. An option ({@code -A}, {@code -r},
         * {@code -q}) drops its lines; {@code -l <resource>} ({@code -l place}, {@code -l mem})
         * drops the {@code -l} lines that set that resource.
         *
         * @param option the option, e.g. {@code -A} or {@code -l place}
         * @return this builder
         * @throws IllegalArgumentException if it is not an option, or names one Drover needs:
         *     {@code -N}, {@code -o}, {@code -e}, {@code -W}, {@code -J}, {@code -t}
         */
        public Builder skipDirective(String option) {
            if (option == null || !option.matches("-[A-Za-z]|-l [A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("skipDirective '" + option
                        + "' is not an option like -A or a resource like -l place");
            }
            PbsDirectives.whyRequired(option).ifPresent(why -> {
                throw new IllegalArgumentException("skipDirective '" + option + "' cannot be honoured: " + why);
            });
            skip.add(option);
            return this;
        }

        /**
         * Longest wait for one qsub, qstat or qdel.
         *
         * @param timeout how long to wait at most (positive)
         * @return this builder
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = CommandRetries.checkTimeout(timeout);
            return this;
        }

        /**
         * Attempts of one qsub (and of one qdel) on transient errors, and the backoff between them
         * (doubling, jittered).
         *
         * @param attempts calls in all, the first included (1 or more)
         * @param firstBackoff the wait before the second call
         * @param maxBackoffDelay the longest wait between calls
         * @return this builder
         */
        public Builder submitRetries(int attempts, Duration firstBackoff, Duration maxBackoffDelay) {
            this.retries = new CommandRetries(attempts, firstBackoff, maxBackoffDelay);
            return this;
        }

        /**
         * How many qsub calls may run at once for independent jobs (default 4).
         *
         * @param parallelism qsub calls at once (1 or more)
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
         * The scheduler; it runs no command until the first call.
         *
         * @return the scheduler
         */
        public PbsScheduler build() {
            return new PbsScheduler(this);
        }
    }
}
