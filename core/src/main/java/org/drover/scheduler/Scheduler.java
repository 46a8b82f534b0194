package org.drover.scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.drover.local.LocalScheduler;
import org.drover.run.Submitter;
import org.drover.shell.Shell;

/**
 * The service provider interface every executor implements: the embedded {@link LocalScheduler},
 * SLURM, PBS, and later SSH host pools and packed allocations. It is small on purpose: render,
 * submit, ask the status of many jobs in one call, cancel many jobs in one call.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #submit} writes the job script into the attempt directory (fully, synced) and
 *       returns the scheduler's id; it throws {@link SchedulerException} when the job was not
 *       accepted, and must never create the job twice.</li>
 *   <li>{@link #status} answers for every id asked, in one query whatever the number of ids; a
 *       failed or garbled query gives {@link JobState#UNKNOWN}, a job the scheduler answered it does
 *       not know gives {@link JobState#NOT_FOUND}; never an exception and never a
 *       failure of the job.</li>
 *   <li>{@link #cancel} cancels many ids at once; unknown or finished ids are ignored.</li>
 * </ul>
 *
 * <pre>{@code
 * try (Scheduler local = LocalScheduler.builder().cpus(2).build()) {
 *     SubmittedBundle run = Submitter.submit(bundle, local, Path.of("runs"));
 *     run.awaitCompletion(Duration.ofMinutes(5));
 * }
 * }</pre>
 */
public interface Scheduler extends AutoCloseable {
    /**
     * A short name: {@code local}, {@code slurm}, {@code pbs}.
     *
     * @return a short name: {@code local}, {@code slurm}, {@code pbs}
     */
    String name();

    /**
     * The shell through which this scheduler reaches its machine (where run directories live).
     *
     * @return the shell through which this scheduler reaches its machine (where run directories live)
     */
    Shell shell();

    /**
     * The job script this scheduler would submit for this attempt.
     *
     * @param submission one attempt of a job, with its attempt directory and token
     * @return the job script this scheduler would submit for this attempt
     */
    String render(Submission submission);

    /**
     * Submits one attempt.
     *
     * @return the scheduler's job id
     * @throws SchedulerException if the scheduler refused the job or could not be reached
     * @param submission one attempt of a job, with its attempt directory and token
     */
    String submit(Submission submission);

    /**
     * Submits the jobs of one sweep as one array job when the scheduler supports it, at most
     * {@code maxRunning} at once (0: no limit). All tasks share the same dependencies. The
     * default submits them one by one.
     *
     * @return the array's id (or null without array support) and each task's id, in order
     * @param tasks the array's tasks, one submission each, in index order
     * @param maxRunning the most tasks running at once (0: no limit)
     */
    default SubmittedArray submitArray(List<Submission> tasks, int maxRunning) {
        List<String> ids = new ArrayList<>(tasks.size());
        for (Submission s : tasks) {
            ids.add(submit(s));
        }
        return new SubmittedArray(null, ids);
    }

    /**
     * Whether {@link #submitArray} submits the tasks as one array and keeps its {@code maxRunning}
     * limit itself. The default {@code submitArray} submits them one by one and cannot: a run
     * manager then keeps the limit by having at most {@code maxRunning} members of the sweep in the
     * queue at once.
     *
     * @return whether arrays and their running limit are the scheduler's own
     */
    default boolean supportsArrays() {
        return false;
    }

    /**
     * How many submissions the {@link Submitter} may make at once for jobs of the same dependency
     * level. 1 (the default) submits strictly in the plan's order; a remote scheduler whose calls
     * wait on a controller gains from a few at once.
     *
     * @return how many submissions the {@link Submitter} may make at once for jobs of the same dependency level
     */
    default int submitParallelism() {
        return 1;
    }

    /**
     * Whether {@link Submission#dependencies()} are honoured with the meaning of SLURM's
     * {@code afterok}/{@code afterany}/{@code afternotok} on job ids: a dependent starts only when
     * its dependencies ended as its type asks, and one whose dependency can never be satisfied ends
     * without running (or is refused at submission). A run manager then submits a dependent while
     * its dependencies are still in the queue, so that it starts the moment they end, instead of
     * after its next poll. The default says no: dependents are submitted only once their
     * dependencies have ended.
     *
     * @return whether job-id dependencies are honoured
     */
    default boolean supportsDependencies() {
        return false;
    }

    /**
     * Whether every job it runs writes its attempt directory's {@code exitcode} record when it ends
     * (the job wrapper of batch schedulers, the LocalScheduler's fork server) and its
     * {@code started} record when it starts. A run manager then learns of ends from those records,
     * one cheap look per poll, and asks {@link #status} much less often. The default says no:
     * every poll asks the scheduler.
     *
     * @return whether jobs write their {@code started} and {@code exitcode} records
     */
    default boolean recordsExitCodes() {
        return false;
    }

    /**
     * The status of each id, from one batched query.
     *
     * @return a status for every id asked
     * @param ids scheduler job ids
     */
    Map<String, JobStatus> status(Collection<String> ids);

    /**
     * The id of the job submitted with this token: how a restarted manager, or a retry after a
     * failed submit call, finds a submission whose id it did not get. The default knows nothing.
     *
     * @return the id, or empty if the scheduler certainly holds no job with this token
     * @throws SchedulerException if it cannot tell now (e.g. the controller does not answer): the
     *     caller must ask again later and must not submit the attempt again meanwhile
     * @param token the submission token
     */
    default Optional<String> findByToken(String token) {
        return Optional.empty();
    }

    /**
     * {@link #findByToken} for many tokens at once, in as few queries as the scheduler allows
     * (SLURM: one squeue, and one sacct if some are not in the queue): a manager that restarts
     * after dying during the submission of a batch of 1,000 has 1,000 submissions to settle. The
     * default asks {@link #findByToken} for each.
     *
     * @return the id of each token that has a job; a token absent from the answer certainly has none
     * @throws SchedulerException if it cannot tell now, for any of them: the caller must ask again
     *     later and must not submit any of these attempts again meanwhile
     * @param tokens submission tokens
     */
    default Map<String, String> findByTokens(Collection<String> tokens) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String token : tokens) {
            findByToken(token).ifPresent(id -> found.put(token, id));
        }
        return found;
    }

    /**
     * Told by a manager that starts on a store which already holds attempts, before it asks
     * anything else about them: the attempts it tracks, each with its id (null when the manager
     * stopped before it learnt the id of a submission it made) and attempt directory. A batch
     * scheduler keeps its own queue and needs nothing of this (the default does nothing). A
     * scheduler whose queue lived in the process that submitted the jobs, as the
     * {@link LocalScheduler}'s does, finds them again from their run directories, so that
     * {@link #status} and {@link #findByTokens} answer for jobs an earlier process started, and
     * {@link #cancel} reaches them.
     *
     * @param attempts the attempts a manager tracks
     */
    default void reattach(Collection<KnownAttempt> attempts) {}

    /**
     * Cancels these jobs, in one call where the scheduler allows.
     *
     * @param ids scheduler job ids
     */
    void cancel(Collection<String> ids);

    /**
     * Releases what the scheduler holds in this process (threads, connections) and detaches from
     * its jobs: closing never stops a job, only {@link #cancel} does. Jobs keep running after
     * {@code close()}, whichever way it was reached (the end of a try-with-resources block, an
     * exception inside it), and a later manager on the same store re-attaches to them.
     */
    @Override
    default void close() {}

    /**
     * An attempt as a manager's store knows it, for {@link #reattach}.
     *
     * @param jobId the scheduler's id, or null if the manager never learnt it
     * @param token the submission token
     * @param attemptDir the attempt directory (script, {@code started}, {@code exitcode})
     */
    record KnownAttempt(String jobId, String token, java.nio.file.Path attemptDir) {
        /**
         * Checks that the token and directory are given.
         *
         * @param jobId the scheduler's id, or null if the manager never learnt it
         * @param token the submission token
         * @param attemptDir the attempt directory (script, {@code started}, {@code exitcode})
         */
        public KnownAttempt {
            java.util.Objects.requireNonNull(token, "token");
            java.util.Objects.requireNonNull(attemptDir, "attemptDir");
        }
    }

    /**
     * The ids of an array submission.
     *
     * @param arrayId the id of the whole array (a dependency on it waits for every task), or null
     * @param taskIds the id of each task, in the order submitted
     */
    record SubmittedArray(String arrayId, List<String> taskIds) {
        /**
         * Copies the task ids.
         *
         * @param arrayId the id of the whole array (a dependency on it waits for every task), or null
         * @param taskIds the id of each task, in the order submitted
         */
        public SubmittedArray {
            taskIds = List.copyOf(taskIds);
        }
    }
}
