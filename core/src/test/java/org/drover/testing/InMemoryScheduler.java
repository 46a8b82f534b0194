package org.drover.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.drover.JobState;
import org.drover.JobStatus;
import org.drover.LocalShell;
import org.drover.Scheduler;
import org.drover.SchedulerException;
import org.drover.Shell;
import org.drover.Submission;

/**
 * A scheduler that keeps real state in memory and answers every status query in one batch call.
 * Each status call advances time by one tick: up to {@code slots} pending jobs start, and a job
 * that has run {@code runTicks} ticks ends with the next end state scripted for its job name
 * (default COMPLETED). For RunManager tests and benchmarks; it never runs a process.
 *
 * <p>Pending jobs start in submission order. A tick looks only at the running jobs and the ones it
 * starts (not at every job ever submitted), so that its own cost stays small beside the manager's.
 */
public final class InMemoryScheduler implements Scheduler {
    private final int slots;
    private final int runTicks;
    private final Map<String, Sim> jobs = new HashMap<>();
    /** Jobs not started yet, oldest first; cancelled or lost ones are dropped when reached. */
    private final Deque<Sim> pendingQueue = new ArrayDeque<>();
    /** Jobs running, in start order; ended, cancelled or lost ones are dropped at the next tick. */
    private List<Sim> runningList = new ArrayList<>();
    private final Map<String, Deque<JobState>> scripted = new HashMap<>();
    private final List<Submission> submissions = new ArrayList<>();
    private final Map<String, AtomicInteger> submitsByName = new HashMap<>();
    private final AtomicInteger statusCalls = new AtomicInteger();
    private final AtomicInteger cancelCalls = new AtomicInteger();
    private final Shell shell;
    private long nextId = 1;
    private int running;
    private int maxLive;
    private int live;
    private int failStatusEvery;
    private boolean forgetFinished;
    private boolean failTokenLookups;
    private int submitsFailingAfterCreate;
    private final List<String> cancelled = new ArrayList<>();
    private int tokenLookups;

    public InMemoryScheduler(int slots, int runTicks) {
        this(slots, runTicks, LocalShell.create());
    }

    public InMemoryScheduler(int slots, int runTicks, Shell shell) {
        this.slots = slots;
        this.runTicks = runTicks;
        this.shell = shell;
    }

    /** The attempts of this job end in these states, in order (then COMPLETED). */
    public synchronized InMemoryScheduler script(String jobName, JobState... ends) {
        scripted.put(jobName, new ArrayDeque<>(List.of(ends)));
        return this;
    }

    /** Every n-th status call fails (all UNKNOWN), as a broken squeue would. */
    public synchronized InMemoryScheduler failStatusEvery(int n) {
        this.failStatusEvery = n;
        return this;
    }

    /** Ended jobs vanish from the answers (as after MinJobAge with no accounting): UNKNOWN. */
    public synchronized InMemoryScheduler forgetFinished(boolean forget) {
        this.forgetFinished = forget;
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
        String id = Long.toString(nextId++);
        Deque<JobState> ends = scripted.get(s.job().name());
        JobState end = ends == null || ends.isEmpty() ? JobState.COMPLETED : ends.poll();
        Sim sim = new Sim(id, s, end);
        jobs.put(id, sim);
        pendingQueue.add(sim);
        submissions.add(s);
        submitsByName.computeIfAbsent(s.job().name(), k -> new AtomicInteger()).incrementAndGet();
        live++;
        maxLive = Math.max(maxLive, live);
        return id;
    }

    @Override
    public synchronized Map<String, JobStatus> status(Collection<String> ids) {
        int call = statusCalls.incrementAndGet();
        tick();
        Map<String, JobStatus> out = new LinkedHashMap<>(Math.max(16, (int) (ids.size() / 0.75f) + 1));
        boolean fail = failStatusEvery > 0 && call % failStatusEvery == 0;
        for (String id : ids) {
            Sim j = jobs.get(id);
            if (fail) {
                out.put(id, JobStatus.unknown(id, "squeue failed: Unable to contact slurm controller"));
            } else if (j == null || forgetFinished && j.state.isTerminal()) {
                out.put(id, JobStatus.notFound(id, "not found"));
            } else {
                out.put(id, new JobStatus(id, j.state, j.state.isTerminal() ? (j.state.isSuccess() ? 0 : 1) : null,
                        "", null, null, j.state.name()));
            }
        }
        return out;
    }

    private void tick() {
        List<Sim> stillRunning = new ArrayList<>(runningList.size());
        for (Sim j : runningList) {
            if (j.gone || j.state != JobState.RUNNING) {
                continue;   // cancelled or lost since: already counted out
            }
            if (++j.ticks >= runTicks) {
                j.state = j.end;
                running--;
                live--;
            } else {
                stillRunning.add(j);
            }
        }
        runningList = stillRunning;
        while (running < slots && !pendingQueue.isEmpty()) {
            Sim j = pendingQueue.poll();
            if (!j.gone && j.state == JobState.PENDING) {
                j.state = JobState.RUNNING;
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
            Sim j = jobs.get(id);
            if (j != null && !j.state.isTerminal()) {
                if (j.state == JobState.RUNNING) {
                    running--;
                }
                j.state = JobState.CANCELLED;
                live--;
            }
        }
    }

    /** Cancels a job as an administrator would, from outside. */
    public void cancelFromOutside(String id) {
        cancel(List.of(id));
        cancelCalls.decrementAndGet();
    }

    /** Makes a job vanish as if the scheduler lost it. */
    public synchronized void lose(String id) {
        Sim j = jobs.remove(id);
        if (j != null) {
            j.gone = true;
        }
        if (j != null && !j.state.isTerminal()) {
            if (j.state == JobState.RUNNING) {
                running--;
            }
            live--;
        }
    }

    /** While set, {@link #findByToken} cannot tell (as when the controller does not answer). */
    public synchronized void failTokenLookups(boolean fail) {
        failTokenLookups = fail;
    }

    @Override
    public synchronized Optional<String> findByToken(String token) {
        tokenLookups++;
        if (failTokenLookups) {
            throw new SchedulerException("squeue failed: Unable to contact slurm controller", true);
        }
        return jobs.values().stream().filter(j -> j.submission.token().equals(token)).map(j -> j.id).findFirst();
    }

    /** Every id passed to {@link #cancel}, in order. */
    public synchronized List<String> cancelled() {
        return List.copyOf(cancelled);
    }

    public synchronized int tokenLookups() {
        return tokenLookups;
    }

    public synchronized int submitCount(String jobName) {
        AtomicInteger c = submitsByName.get(jobName);
        return c == null ? 0 : c.get();
    }

    public synchronized List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    public int statusCalls() {
        return statusCalls.get();
    }

    public int cancelCalls() {
        return cancelCalls.get();
    }

    /** The most jobs queued or running at once. */
    public synchronized int maxLive() {
        return maxLive;
    }

    public synchronized JobState stateOf(String id) {
        Sim j = jobs.get(id);
        return j == null ? null : j.state;
    }

    private static final class Sim {
        final String id;
        final Submission submission;
        final JobState end;
        JobState state = JobState.PENDING;
        int ticks;
        /** Lost: no longer in {@code jobs}. */
        boolean gone;

        Sim(String id, Submission submission, JobState end) {
            this.id = id;
            this.submission = submission;
            this.end = end;
        }
    }
}
