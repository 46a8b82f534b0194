package org.drover.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.drover.Bundle;
import org.drover.BundlePlan;
import org.drover.Job;
import org.drover.scheduler.Submission;

/**
 * Which tasks of one submission round go to the scheduler together as one array submission: the
 * members of a sweep marked {@link org.drover.Sweep#asArray() as an array} that are ready in the same
 * round, with the same attempt number, scheduler-side dependencies, resources, directives and
 * requeue (in one round those are usually all of a sweep's members that are ready: a new sweep's
 * first attempts go as one array; a member retried alone goes alone). Their tokens are member tokens of one array token
 * ({@link Submission#memberToken}), so that a submission whose outcome was lost is settled for
 * every member at once: found, or certainly absent.
 *
 * <pre>{@code
 * ArraySubmissions arrays = new ArraySubmissions(plan);
 * String token = arrays.token(task, job, attempt, deps);     // drv1a2b-7 for member 7 of an array
 * for (List<Integer> unit : ArraySubmissions.units(submissions)) { ... }   // 2+ indexes: one submitArray
 * }</pre>
 */
final class ArraySubmissions {
    private final BundlePlan plan;
    /** Array token of each group of this round: sweep, attempt number and dependencies. */
    private final Map<String, String> tokens = new HashMap<>();

    ArraySubmissions(BundlePlan plan) {
        this.plan = plan;
    }

    /**
     * The token of this attempt: a member token if its sweep goes as an array, else a token of its
     * own. Members go in one array only if what one array job cannot vary per member is the same:
     * attempt number, dependencies, resources (grown by the retry policy, or set per member),
     * directives and requeue; members that differ go as separate arrays, never with another's settings.
     */
    String token(Task t, Job job, int attempt, List<Submission.IdDependency> deps) {
        String sweep = t.job.sweep().orElse(null);
        if (sweep == null || plan.arrayOption(sweep).isEmpty()) {
            return Submitter.newToken();
        }
        String group = sweep + "\n" + attempt + "\n" + deps + "\n" + job.resources() + "\n" + job.directives() + "\n"
                + job.requeue();
        return Submission.memberToken(tokens.computeIfAbsent(group, g -> Submitter.newToken()), t.job.sweepIndex());
    }

    /** How many of the sweep's tasks may run at once, as its {@code asArray(maxRunning)} says (0: no limit). */
    int maxRunning(String sweep) {
        return plan.arrayOption(sweep).map(Bundle.ArrayOption::maxRunning).orElse(0);
    }

    /**
     * The round's submissions (by index) in units, in the order of their first member: the members
     * of one array group (two or more) together, every other submission alone.
     */
    static List<List<Integer>> units(List<Submission> submissions) {
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < submissions.size(); i++) {
            Submission s = submissions.get(i);
            String token = s.token();
            int dash = token.lastIndexOf('-');
            boolean member = dash > 0 && s.job().sweepIndex() >= 0
                    && token.equals(Submission.memberToken(token.substring(0, dash), s.job().sweepIndex()));
            String key = member ? token.substring(0, dash) : "#" + i;
            byKey.computeIfAbsent(key, k -> new ArrayList<>(1)).add(i);
        }
        return new ArrayList<>(byKey.values());
    }
}
