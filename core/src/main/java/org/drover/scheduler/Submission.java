package org.drover.scheduler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.drover.DependencyType;
import org.drover.Job;
import org.drover.Names;

/**
 * One attempt of one job, ready for a {@link Scheduler}: the job, where its files go, the
 * scheduler ids it depends on, and a token unique to this attempt (written into the job's
 * scheduler comment so that a retried submission can check the first one did not get through).
 *
 * @param job the job
 * @param bundle the bundle's name
 * @param attemptDir the attempt directory {@code <run>/<job>/<attempt>} (absolute)
 * @param attempt the attempt number, from 1
 * @param dependencies scheduler ids this attempt waits for, with their types
 * @param token a unique token of this attempt
 */
public record Submission(Job job, String bundle, Path attemptDir, int attempt, List<IdDependency> dependencies,
                         String token) {
    /**
     * Checks the fields; the dependency list is copied.
     *
     * @param job the job
     * @param bundle the bundle's name
     * @param attemptDir the attempt directory {@code <run>/<job>/<attempt>} (absolute)
     * @param attempt the attempt number, from 1
     * @param dependencies scheduler ids this attempt waits for, with their types
     * @param token a unique token of this attempt
     */
    public Submission {
        Objects.requireNonNull(job, "job");
        Names.requireBundleName(bundle);
        Objects.requireNonNull(attemptDir, "attemptDir");
        if (!attemptDir.isAbsolute()) {
            throw new IllegalArgumentException("attemptDir must be absolute, got " + attemptDir);
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        }
        dependencies = List.copyOf(dependencies);
        Names.requireSchedulerWord("token", token);
    }

    /**
     * The dependencies as SLURM ({@code --dependency=}) and PBS ({@code -W depend=}) both write
     * them: types grouped in first-seen order, ids joined with {@code :}.
     *
     * @return e.g. {@code afterok:1:2,afterany:3}; empty without dependencies
     */
    public String dependencySpec() {
        return dependencySpec(dep -> dep.type().keyword());
    }

    /**
     * {@link #dependencySpec()} with the scheduler's own keyword for each dependency (Torque writes
     * {@code afterokarray} for a whole array).
     *
     * @param keyword the keyword of a dependency, e.g. {@code afterok}
     * @return e.g. {@code afterok:1:2,afterokarray:3[]}; empty without dependencies
     */
    public String dependencySpec(java.util.function.Function<IdDependency, String> keyword) {
        Map<String, List<String>> byType = new LinkedHashMap<>();
        for (IdDependency dep : dependencies) {
            byType.computeIfAbsent(keyword.apply(dep), k -> new ArrayList<>()).add(dep.jobId());
        }
        return byType.entrySet().stream().map(e -> e.getKey() + ":" + String.join(":", e.getValue()))
                .collect(Collectors.joining(","));
    }

    /**
     * The token of a member of an array submission: the array's token, a dash, the member's sweep
     * index ({@code drv1a2b3c-7}). A scheduler that submits an array as one job under the array's
     * token ({@link #arrayToken}) answers {@link Scheduler#findByTokens} for each member token, so
     * that a run manager that lost the outcome of the submit call finds every member, or none.
     *
     * @param arrayToken the token of the whole array
     * @param sweepIndex the member's sweep index
     * @return the member's token
     */
    public static String memberToken(String arrayToken, int sweepIndex) {
        return arrayToken + "-" + sweepIndex;
    }

    /**
     * The token to submit an array of these members under: the array token their tokens share
     * ({@link #memberToken}), or else the first member's own token (members with tokens of their own,
     * as the one-shot {@code Submitter} gives them).
     *
     * @param members the array's members, each with its own submission
     * @return the token of the whole array
     */
    public static String arrayToken(List<Submission> members) {
        String first = members.get(0).token();
        int dash = first.lastIndexOf('-');
        if (dash <= 0) {
            return first;
        }
        String shared = first.substring(0, dash);
        for (Submission m : members) {
            if (!m.token().equals(memberToken(shared, m.job().sweepIndex()))) {
                return first;
            }
        }
        return shared;
    }

    /**
     * One line: bundle, job, attempt, token and what it waits for, without the whole job.
     *
     * @return e.g. {@code Submission[study/train_0 attempt 2, token drv1a2b, after afterok:17]}
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Submission[").append(bundle).append('/').append(job.name())
                .append(" attempt ").append(attempt).append(", token ").append(token);
        for (int i = 0; i < dependencies.size(); i++) {
            IdDependency d = dependencies.get(i);
            sb.append(i == 0 ? ", after " : " ").append(d.type().keyword()).append(':').append(d.jobId());
        }
        return sb.append(']').toString();
    }

    /** A dependency on a scheduler job id. */
    public record IdDependency(String jobId, DependencyType type) {
        /**
         * Checks the id and type.
         *
         * @param jobId see the record
         * @param type see the record
         */
        public IdDependency {
            Names.requireJobId("dependency job id", jobId);
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * Where the job's stdout goes: the job's own path, or {@code stdout} in the attempt directory.
     *
     * @return where the job's stdout goes: the job's own path, or {@code stdout} in the attempt directory
     */
    public Path stdoutPath() {
        return job.stdout().map(attemptDir::resolve).orElse(attemptDir.resolve(RunDirectory.STDOUT));
    }

    /**
     * Where the job's stderr goes.
     *
     * @return where the job's stderr goes
     */
    public Path stderrPath() {
        return job.stderr().map(attemptDir::resolve).orElse(attemptDir.resolve(RunDirectory.STDERR));
    }

    /**
     * Where the script of this attempt is written.
     *
     * @return {@code <attempt dir>/script.sh}
     */
    public Path scriptPath() {
        return attemptDir.resolve(RunDirectory.SCRIPT);
    }
}
