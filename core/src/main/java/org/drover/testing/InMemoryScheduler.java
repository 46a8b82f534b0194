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
import org.drover.internal.Plural;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;

/**
 * A scheduler that keeps real state in memory and answers every status query in one batch call.
 * Each status call advances time by one tick: up to {@code slots} pending jobs start, and a job
 * that has run {@code runTicks} ticks ends with the next end state scripted for its job name
 * (default COMPLETED). For RunManager tests and benchmarks; it never runs a process.
 *
 * <p>Pending jobs start in submission order. A tick looks only at the running jobs and the ones it
 * starts (not at every job ever submitted), so that its own cost stays small beside the manager's.
 * Jobs are kept in an array by id (ids are 1, 2, 3, ...), each with its name, token and state;
 * every answer is a new {@link JobStatus}, as a parser of squeue output makes; whole {@link Submission}s are kept
 * for {@link #submissions()} unless {@link #keepSubmissions(boolean) keepSubmissions(false)} (for
 * runs of 100,000 tasks, whose heap is measured: a real scheduler keeps its jobs in another process).
 * A status call answers with a read-only map over an array by id ({@code Answers} below says why),
 * or with a {@code HashMap} after {@link #hashMapAnswers(boolean) hashMapAnswers(true)}.
 */
public final class InMemoryScheduler implements Scheduler {
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

    /**
     * A simulated cluster that runs {@code slots} jobs at once, each for {@code runTicks} status calls, with its own
     * in-memory shell.
     *
     * @param slots how many jobs run at once (1 or more)
     * @param runTicks how many status calls a job runs for (1 or more)
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
     */
    public InMemoryScheduler(int slots, int runTicks, Shell shell) {
        this.slots = slots;
        this.runTicks = runTicks;
        this.shell = shell;
    }

    /**
     * The attempts of this job end in these states, in order (then COMPLETED).
     *
     * @param jobName the job's name
     * @param ends the end states of its attempts, in order
     * @return this scheduler
     */
    public synchronized InMemoryScheduler script(String jobName, JobState... ends) {
        scripted.put(jobName, new ArrayDeque<>(List.of(ends)));
        return this;
    }

    /**
     * Every n-th status call fails (all UNKNOWN), as a broken squeue would.
     *
     * @param n how many (0 for none)
     * @return this scheduler
     */
    public synchronized InMemoryScheduler failStatusEvery(int n) {
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
        Sim sim = new Sim(id, s.job().name(), s.token(), end);
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
        boolean fail = failStatusEvery > 0 && call % failStatusEvery == 0;
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
                j.state(j.end);
                running--;
                live--;
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
     * @return its state, or {@link JobState#NOT_FOUND}
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
        private byte state = (byte) JobState.PENDING.ordinal();
        int ticks;
        /** Lost: no longer in {@code jobs}. */
        boolean gone;

        Sim(String id, String name, String token, JobState end) {
            this.id = id;
            this.name = name;
            this.token = token;
            this.end = end;
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
