package org.drover.testing;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.drover.internal.Plural;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;

/**
 * A simulated cluster for tests of a harness's own retry policies and done checks: it keeps its
 * jobs' states in memory, runs no process, and moves on only when asked for the status of its jobs,
 * so that what happens depends on the number of polls, never on timing. Node failures,
 * preemptions, timeouts, out-of-memory kills, lost jobs and a flaky status query are scripted, or
 * caused from outside at a chosen poll.
 *
 * <p>The model: each {@link #status status} call (one per {@link org.drover.run.RunManager} poll) is one tick. At a
 * tick, a running job that has run {@code runTicks} ticks ends, and up to {@code slots} pending
 * jobs start, in submission order. A job ends in the next end state {@link #script scripted} for
 * its job name (a sweep member's name is {@code <sweep>_<index>}, e.g. {@code train_2}), and
 * {@link JobState#COMPLETED} once the script is used up: the first scripted state is its first
 * attempt's, the second its second attempt's. A completed job answers exit code 0, any other end
 * exit code 1.
 *
 * <pre>{@code
 * InMemoryScheduler cluster = new InMemoryScheduler(4, 2)              // 4 slots; a job runs 2 polls
 *         .script("train_1", JobState.NODE_FAIL)                      // its first attempt's node dies
 *         .script("train_2", JobState.PREEMPTED, JobState.TIMEOUT)    // preempted, then out of time
 *         .failStatusEvery(3)                                         // every 3rd status query fails
 *         .whenEnded((submission, end) -> { });                       // e.g. write the job's result file
 * RunManager run = RunManager.of(study).on(cluster).runsRoot(tmp)
 *         .retry(RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).build())
 *         .build();
 * while (!run.step()) { }                                             // one poll per step, no waiting
 * run.task("train_1").attempts().size();                              // 2: NODE_FAIL is retried by default
 * run.task("train_2").state();                                        // FAILED: TIMEOUT is not, by default
 * cluster.submitCount("train_2");                                     // 2
 * }</pre>
 *
 * <p>From outside, between polls: {@link #endJob} ends one job in a given state (a preemption, a
 * node failure, an administrator's cancel), {@link #endRunningJobs} every running job (a node or a
 * partition going down), {@link #lose} makes a job vanish, {@link #failNextStatusCalls} makes the
 * next status queries fail (every job UNKNOWN, as when {@code squeue} cannot reach the
 * controller), {@link #forgetFinished} makes ended jobs unknown to the queue (as after SLURM's
 * MinJobAge without accounting), {@link #failSubmitsAfterCreating} makes a submit call fail after
 * the job was created, and {@link #failTokenLookups} makes token lookups fail. What the manager did
 * is counted: {@link #submissions()}, {@link #submitCount}, {@link #statusCalls()},
 * {@link #cancelled()}, {@link #maxLive()}.
 *
 * <p>A job writes nothing: no {@code started} or {@code exitcode} record, no output. A done check
 * that looks for a file finds it only if the test writes it, e.g. from {@link #whenEnded}, which
 * hears each end as it happens, with the job's {@link Submission} (its attempt directory and sweep
 * parameters). Thread-safe: every method takes the scheduler's lock.
 *
 * <p>Made for speed as well, so that benchmarks of the manager measure the manager: a tick looks only
 * at the running jobs and the ones it starts; jobs are kept in an array by id (ids are 1, 2, 3, ...);
 * whole {@link Submission}s are kept for {@link #submissions()} unless
 * {@link #keepSubmissions(boolean) keepSubmissions(false)} (for runs of 100,000 tasks, whose heap is
 * measured: a real scheduler keeps its jobs in another process). A status call answers with a
 * read-only map over an array by id ({@code Answers} below says why), or with a {@code HashMap}
 * after {@link #hashMapAnswers(boolean) hashMapAnswers(true)}.
 *
 * @see org.drover.run.RunManager#step()
 */
public final class InMemoryScheduler implements Scheduler {
    private static final String END_STATES = "an end state is needed (COMPLETED, FAILED, CANCELLED, TIMEOUT, "
            + "OUT_OF_MEMORY, NODE_FAIL, PREEMPTED, BOOT_FAIL, LOST)";
    private final int slots;
    private final int runTicks;
    /** Every job, by id - 1; lost ones are null. */
    private final List<Sim> jobs = new ArrayList<>();
    /** Jobs not started yet, oldest first; cancelled or lost ones are dropped when reached. */
    private final Deque<Sim> pendingQueue = new ArrayDeque<>();
    /** Jobs running, in start order; ended, cancelled or lost ones are dropped at the next tick. */
    private List<Sim> runningList = new ArrayList<>();
    private final Map<String, Deque<JobState>> scripted = new HashMap<>();
    private final List<Submission> submissions = new ArrayList<>();
    private boolean keepSubmissions = true;
    private boolean hashMapAnswers;
    /** Names of the lost jobs, which {@link #submitCount} still counts. */
    private final List<String> lostNames = new ArrayList<>();
    private final AtomicInteger statusCalls = new AtomicInteger();
    private final AtomicInteger cancelCalls = new AtomicInteger();
    private final Shell shell;
    private int running;
    private int maxLive;
    private int live;
    private int failStatusEvery;
    private boolean forgetFinished;
    private boolean failTokenLookups;
    private int submitsFailingAfterCreate;
    private final List<String> cancelled = new ArrayList<>();
    private int tokenLookups;
    private BiConsumer<Submission, JobState> whenEnded;
    private int failingStatusCalls;

    /**
     * A simulated cluster that runs {@code slots} jobs at once, each for {@code runTicks} status calls, with its own
     * in-memory shell.
     *
     * @param slots how many jobs run at once (1 or more)
     * @param runTicks how many status calls a job runs for (1 or more)
     * @throws IllegalArgumentException if {@code slots} or {@code runTicks} is below 1
     */
    public InMemoryScheduler(int slots, int runTicks) {
        this(slots, runTicks, LocalShell.create());
    }

    /**
     * As {@link #InMemoryScheduler(int, int)}, with the shell through which the RunManager reads exit-code files.
     *
     * @param slots how many jobs run at once (1 or more)
     * @param runTicks how many status calls a job runs for (1 or more)
     * @param shell the shell to report as {@link #shell()}
     * @throws IllegalArgumentException if {@code slots} or {@code runTicks} is below 1
     */
    public InMemoryScheduler(int slots, int runTicks, Shell shell) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        }
        if (runTicks < 1) {
            throw new IllegalArgumentException("runTicks must be at least 1, got " + runTicks);
        }
        this.slots = slots;
        this.runTicks = runTicks;
        this.shell = Objects.requireNonNull(shell, "shell");
    }

    /**
     * The attempts of this job end in these states, in order (then COMPLETED): e.g.
     * {@code script("train_2", JobState.NODE_FAIL, JobState.TIMEOUT)}. Replaces an earlier script of
     * the job; jobs submitted already keep the end they were given.
     *
     * @param jobName the job's name (a sweep member's: {@code train_2})
     * @param ends the end states of its attempts, in order
     * @return this scheduler
     * @throws IllegalArgumentException if a state is not an end ({@link JobState#isTerminal()})
     */
    public synchronized InMemoryScheduler script(String jobName, JobState... ends) {
        Objects.requireNonNull(jobName, "jobName");
        for (JobState end : ends) {
            if (end == null || !end.isTerminal()) {
                throw new IllegalArgumentException("script of '" + jobName + "': " + END_STATES + ", got " + end);
            }
        }
        scripted.put(jobName, new ArrayDeque<>(List.of(ends)));
        return this;
    }

    /**
     * Hears every end of a job as it happens (scripted, or caused by {@link #endJob} and
     * {@link #endRunningJobs}; not a cancel or a loss), on the thread that polls, before the
     * status call answers it: where a test plays the job's part, e.g. writes the result file a
     * done check looks for. Set it before the jobs are submitted: only their submissions are kept
     * for it. An exception thrown by it goes to the caller of {@link #status}.
     *
     * <pre>{@code
     * cluster.whenEnded((submission, end) -> {
     *     if (end == JobState.COMPLETED) {
     *         Files.writeString(submission.attemptDir().resolve("result.txt"), "42");
     *     }
     * });
     * }</pre>
     *
     * @param action told each job's submission and end state
     * @return this scheduler
     */
    public synchronized InMemoryScheduler whenEnded(BiConsumer<Submission, JobState> action) {
        this.whenEnded = Objects.requireNonNull(action, "action");
        return this;
    }

    /**
     * The next {@code n} status calls fail: every job is UNKNOWN, as when {@code squeue} cannot
     * reach the controller for a while. Jobs go on meanwhile (each call is still a tick).
     *
     * @param n how many status calls fail (0 for none)
     * @return this scheduler
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public synchronized InMemoryScheduler failNextStatusCalls(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("failNextStatusCalls must be 0 or more, got " + n);
        }
        this.failingStatusCalls = n;
        return this;
    }

    /**
     * Every n-th status call fails (all UNKNOWN), as a flaky squeue would; calls are counted from
     * the first, so {@code failStatusEvery(3)} fails the 3rd, 6th, 9th, ... Jobs go on meanwhile.
     *
     * @param n how often (0 for never)
     * @return this scheduler
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public synchronized InMemoryScheduler failStatusEvery(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("failStatusEvery must be 0 or more, got " + n);
        }
        this.failStatusEvery = n;
        return this;
    }

    /**
     * Ended jobs vanish from the answers (as after MinJobAge with no accounting): UNKNOWN.
     *
     * @param forget whether to forget them
     * @return this scheduler
     */
    public synchronized InMemoryScheduler forgetFinished(boolean forget) {
        this.forgetFinished = forget;
        return this;
    }

    /**
     * Whether whole submissions are kept for {@link #submissions()} (default: yes).
     *
     * @param keep whether to keep them
     * @return this scheduler
     */
    public synchronized InMemoryScheduler keepSubmissions(boolean keep) {
        this.keepSubmissions = keep;
        return this;
    }

    /**
     * Whether status calls answer with a {@code HashMap}, as a parser of {@code squeue} output
     * would build, instead of the array-backed map (default: no; the class {@code Answers} below says why).
     *
     * @param hashMap whether to answer with a HashMap
     * @return this scheduler
     */
    public synchronized InMemoryScheduler hashMapAnswers(boolean hashMap) {
        this.hashMapAnswers = hashMap;
        return this;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Shell shell() {
        return shell;
    }

    @Override
    public String render(Submission s) {
        return "# in memory: " + s.job().name();
    }

    /**
     * The next {@code n} submit calls create the job and then fail with a transient error, as an
     * sbatch whose answer timed out after the controller took the job.
     *
     * @param n how many (0 for none)
     * @return this scheduler
     */
    public synchronized InMemoryScheduler failSubmitsAfterCreating(int n) {
        submitsFailingAfterCreate = n;
        return this;
    }

    @Override
    public synchronized String submit(Submission s) {
        String id = create(s);
        if (submitsFailingAfterCreate > 0) {
            submitsFailingAfterCreate--;
            throw new SchedulerException("sbatch failed: Socket timed out on send/recv operation", true);
        }
        return id;
    }

    private String create(Submission s) {
        String id = Integer.toString(jobs.size() + 1);
        Deque<JobState> ends = scripted.get(s.job().name());
        JobState end = ends == null || ends.isEmpty() ? JobState.COMPLETED : ends.poll();
        Sim sim = new Sim(id, s.job().name(), s.token(), end, whenEnded == null ? null : s);
        jobs.add(sim);
        pendingQueue.add(sim);
        if (keepSubmissions) {
            submissions.add(s);
        }
        live++;
        maxLive = Math.max(maxLive, live);
        return id;
    }

    @Override
    public synchronized Map<String, JobStatus> status(Collection<String> ids) {
        int call = statusCalls.incrementAndGet();
        tick();
        Map<String, JobStatus> out = hashMapAnswers ? new HashMap<>(Math.max(16, (int) (ids.size() / 0.75f) + 1))
                : new Answers(jobs.size(), ids.size());
        boolean fail = failStatusEvery > 0 && call % failStatusEvery == 0 || failingStatusCalls > 0;
        if (failingStatusCalls > 0) {
            failingStatusCalls--;
        }
        for (String id : ids) {
            int i = index(id, jobs.size());
            Sim j = i >= 0 ? jobs.get(i) : null;
            JobStatus answer;
            if (fail) {
                answer = JobStatus.unknown(id, "squeue failed: Unable to contact slurm controller");
            } else if (j == null || forgetFinished && j.state().isTerminal()) {
                answer = JobStatus.notFound(id, "not found");
            } else {
                answer = status(j);
            }
            if (out instanceof Answers a) {
                a.put(i, id, answer);
            } else {
                out.put(id, answer);
            }
        }
        return out;
    }

    /** The status a job answers: a new one for each answer, as a parser of squeue output makes. */
    private static JobStatus status(Sim j) {
        JobState state = j.state();
        return new JobStatus(j.id, state, state.isTerminal() ? (state.isSuccess() ? 0 : 1) : null, "", null, null,
                state.name());
    }

    /** The job of this id, or null (unknown, lost, or not an id this scheduler gives). */
    private Sim job(String id) {
        int i = index(id, jobs.size());
        return i >= 0 ? jobs.get(i) : null;
    }

    /**
     * The index (id - 1) of an id as this scheduler writes them (1, 2, ...: digits, no leading
     * zero), or -1 if it is not one or not below {@code limit}.
     */
    static int index(String id, int limit) {
        int n = id.length();
        if (n == 0 || n > 9 || id.charAt(0) == '0') {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < n; k++) {
            char c = id.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= limit ? v - 1 : -1;
    }

    private void tick() {
        List<Sim> stillRunning = new ArrayList<>(runningList.size());
        for (Sim j : runningList) {
            if (j.gone || j.state() != JobState.RUNNING) {
                continue;   // cancelled or lost since: already counted out
            }
            if (++j.ticks >= runTicks) {
                running--;
                live--;
                ended(j, j.end);
            } else {
                stillRunning.add(j);
            }
        }
        runningList = stillRunning;
        while (running < slots && !pendingQueue.isEmpty()) {
            Sim j = pendingQueue.poll();
            if (!j.gone && j.state() == JobState.PENDING) {
                j.state(JobState.RUNNING);
                running++;
                runningList.add(j);
            }
        }
    }

    @Override
    public synchronized void cancel(Collection<String> ids) {
        cancelCalls.incrementAndGet();
        cancelled.addAll(ids);
        for (String id : ids) {
            Sim j = job(id);
            if (j != null && !j.state().isTerminal()) {
                if (j.state() == JobState.RUNNING) {
                    running--;
                }
                j.state(JobState.CANCELLED);
                live--;
            }
        }
    }

    /**
     * Cancels a job as an administrator would, from outside.
     *
     * @param id a scheduler job id
     */
    public void cancelFromOutside(String id) {
        cancel(List.of(id));
        cancelCalls.decrementAndGet();
    }

    /**
     * Ends a job now, from outside, as its next status answer will show: {@link JobState#PREEMPTED}
     * for a preemption, {@link JobState#NODE_FAIL} for its node going down,
     * {@link JobState#TIMEOUT} for its walltime running out, {@link JobState#CANCELLED} for an
     * administrator's {@code scancel}. A job that has ended already, or that this scheduler does not
     * hold, is left alone.
     *
     * @param id the job's id
     * @param end how it ends
     * @return whether the job was pending or running and has now ended
     * @throws IllegalArgumentException if {@code end} is not an end state
     */
    public synchronized boolean endJob(String id, JobState end) {
        requireEnd(end);
        Sim j = job(Objects.requireNonNull(id, "id"));
        if (j == null || j.gone || j.state().isTerminal()) {
            return false;
        }
        if (j.state() == JobState.RUNNING) {
            running--;
        }
        live--;
        ended(j, end);
        return true;
    }

    /**
     * Ends every running job now, from outside, as {@link #endJob} does: a node or a whole
     * partition going down ({@link JobState#NODE_FAIL}), or jobs preempted for a more urgent one
     * ({@link JobState#PREEMPTED}). Pending jobs stay pending.
     *
     * @param end how they end
     * @return the ids of the jobs ended, in the order they started
     * @throws IllegalArgumentException if {@code end} is not an end state
     */
    public synchronized List<String> endRunningJobs(JobState end) {
        requireEnd(end);
        List<String> ids = new ArrayList<>();
        for (Sim j : runningList) {
            if (!j.gone && j.state() == JobState.RUNNING) {
                ids.add(j.id);
            }
        }
        for (String id : ids) {
            endJob(id, end);
        }
        return ids;
    }

    private static void requireEnd(JobState end) {
        if (end == null || !end.isTerminal()) {
            throw new IllegalArgumentException("end: " + END_STATES + ", got " + end);
        }
    }

    /** A job ends by itself or from outside (not cancelled): its state, then the test's hook. */
    private void ended(Sim j, JobState end) {
        j.state(end);
        if (whenEnded != null && j.submission != null) {
            whenEnded.accept(j.submission, end);
        }
    }

    /**
     * Makes a job vanish as if the scheduler lost it.
     *
     * @param id a scheduler job id
     */
    public synchronized void lose(String id) {
        Sim j = job(id);
        if (j != null) {
            jobs.set(Integer.parseInt(id) - 1, null);
            lostNames.add(j.name);
            j.gone = true;
        }
        if (j != null && !j.state().isTerminal()) {
            if (j.state() == JobState.RUNNING) {
                running--;
            }
            live--;
        }
    }

    /**
     * While set, {@link #findByToken} cannot tell (as when the controller does not answer).
     *
     * @param fail whether the lookups fail
     */
    public synchronized void failTokenLookups(boolean fail) {
        failTokenLookups = fail;
    }

    @Override
    public synchronized Optional<String> findByToken(String token) {
        return Optional.ofNullable(findByTokens(List.of(token)).get(token));
    }

    /** One lookup (one scan of the jobs) for all these tokens, as one squeue would be. */
    @Override
    public synchronized Map<String, String> findByTokens(Collection<String> tokens) {
        tokenLookups++;
        if (failTokenLookups) {
            throw new SchedulerException("squeue failed: Unable to contact slurm controller", true);
        }
        java.util.Set<String> wanted = new java.util.HashSet<>(tokens);
        Map<String, String> found = new java.util.LinkedHashMap<>();
        for (Sim j : jobs) {
            if (j != null && wanted.contains(j.token)) {
                found.putIfAbsent(j.token, j.id);
            }
        }
        return found;
    }

    /**
     * Every id passed to {@link #cancel}, in order.
     *
     * @return every id passed to {@link #cancel}, in order
     */
    public synchronized List<String> cancelled() {
        return List.copyOf(cancelled);
    }

    /**
     * Token lookup calls ({@link #findByToken} or {@link #findByTokens}), each one query.
     *
     * @return the number of token lookups so far
     */
    public synchronized int tokenLookups() {
        return tokenLookups;
    }

    /**
     * How many jobs of this name were submitted (lost ones included).
     *
     * @param jobName the job's name
     * @return how many jobs of this name were submitted (lost ones included)
     */
    public synchronized int submitCount(String jobName) {
        int n = 0;
        for (Sim j : jobs) {
            n += j != null && j.name.equals(jobName) ? 1 : 0;
        }
        return n + (int) lostNames.stream().filter(jobName::equals).count();
    }

    /**
     * Every submission, in order.
     *
     * @throws IllegalStateException if they are not kept ({@link #keepSubmissions})
     * @return every submission, in order
     */
    public synchronized List<Submission> submissions() {
        if (!keepSubmissions) {
            throw new IllegalStateException("submissions are not kept: keepSubmissions(false)");
        }
        return List.copyOf(submissions);
    }

    /**
     * How many times {@link #status} was called (one per RunManager poll).
     *
     * @return the number of status calls
     */
    public int statusCalls() {
        return statusCalls.get();
    }

    /**
     * How many times {@link #cancel} was called.
     *
     * @return the number of cancel calls
     */
    public int cancelCalls() {
        return cancelCalls.get();
    }

    /**
     * The most jobs queued or running at once.
     *
     * @return the most jobs queued or running at once
     */
    public synchronized int maxLive() {
        return maxLive;
    }

    /**
     * The simulated state of a job, without counting as a status call.
     *
     * @param id the job's id
     * @return its state, or null if this scheduler holds no such job (or lost it)
     */
    public synchronized JobState stateOf(String id) {
        Sim j = job(id);
        return j == null ? null : j.state();
    }

    /**
     * The answers of one status call, read-only: an array by job id instead of a hash table. A
     * {@code HashMap} of 100,000 answers has a table of 262,144 slots, an object array larger than
     * half a G1 region of a 256 MB heap: such "humongous" arrays are only freed by a concurrent
     * marking, and until then they keep every poll's 100,000 entries alive through young
     * collections, which then copy them into the old generation (measured: 50 MB promoted and a
     * 180 ms pause after 19 polls). A scheduler that polls every few seconds never meets this; a
     * benchmark that polls back to back would measure the simulator's garbage instead of the
     * manager. Ids this scheduler never gave (not numbers, out of range) go to a small map.
     */
    private static final class Answers extends AbstractMap<String, JobStatus> {
        private final JobStatus[] byIndex;
        /** The ids answered, in order, and their answers: iterating needs no lookup. */
        private final List<String> asked;
        private final List<JobStatus> answered;
        private final Map<String, JobStatus> others = new HashMap<>();

        Answers(int jobs, int expected) {
            byIndex = new JobStatus[jobs];
            asked = new ArrayList<>(expected);
            answered = new ArrayList<>(expected);
        }

        /** Adds the answer for an id whose index (or -1) the caller has parsed already. */
        void put(int index, String id, JobStatus status) {
            JobStatus before = index >= 0 ? byIndex[index] : others.get(id);
            if (index >= 0) {
                byIndex[index] = status;
            } else {
                others.put(id, status);
            }
            if (before == null) {
                asked.add(id);
                answered.add(status);
            } else {
                answered.set(asked.indexOf(id), status);   // an id asked twice: rare, and answered alike
            }
        }

        @Override
        public JobStatus get(Object key) {
            if (!(key instanceof String)) {
                return null;
            }
            int i = index((String) key, byIndex.length);
            return i >= 0 ? byIndex[i] : others.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public java.util.Collection<JobStatus> values() {
            return java.util.Collections.unmodifiableList(answered);
        }

        @Override
        public int size() {
            return asked.size();
        }

        @Override
        public Set<Entry<String, JobStatus>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, JobStatus>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < asked.size();
                        }

                        @Override
                        public Entry<String, JobStatus> next() {
                            if (next >= asked.size()) {
                                throw new java.util.NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(asked.get(i), answered.get(i));
                        }
                    };
                }

                @Override
                public int size() {
                    return asked.size();
                }
            };
        }
    }

    /**
     * One job. Its state is a byte: a tick that changes 100,000 jobs writes no references into
     * 100,000 old objects, which would cost the garbage collector more than the manager under
     * measurement.
     */
    private static final class Sim {
        private static final JobState[] STATES = JobState.values();
        final String id;
        final String name;
        final String token;
        final JobState end;
        /** The submission, kept only for {@link #whenEnded}. */
        final Submission submission;
        private byte state = (byte) JobState.PENDING.ordinal();
        int ticks;
        /** Lost: no longer in {@code jobs}. */
        boolean gone;

        Sim(String id, String name, String token, JobState end, Submission submission) {
            this.id = id;
            this.name = name;
            this.token = token;
            this.end = end;
            this.submission = submission;
        }

        JobState state() {
            return STATES[state];
        }

        void state(JobState s) {
            state = (byte) s.ordinal();
        }
    }

    /**
     * Its slots, its job length and what it holds now.
     *
     * @return e.g. {@code InMemoryScheduler[2 slots, 3 ticks per job; 2 running, 5 queued, 9 submitted]}
     */
    @Override
    public synchronized String toString() {
        return "InMemoryScheduler[" + Plural.of(slots, "slot") + ", " + Plural.of(runTicks, "tick") + " per job; "
                + running + " running, " + pendingQueue.size() + " queued, " + jobs.size() + " submitted]";
    }
}
