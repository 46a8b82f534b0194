package org.drover.run;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.Submission;
import org.drover.shell.Shell;

/**
 * The LocalScheduler (real processes), counting what a run manager asks of it: status calls, the
 * dependencies of each submission, and the array submissions with their members and limits.
 * Closing it cancels its jobs, so that no test leaves processes behind.
 */
final class CountingLocalScheduler implements Scheduler {
    final LocalScheduler local;
    final AtomicInteger statusCalls = new AtomicInteger();
    /** Dependencies of each single or array-member submission, by {@code job/attempt}. */
    final Map<String, List<Submission.IdDependency>> deps = new ConcurrentHashMap<>();
    /** Each submitArray call: its members' names, then the limit, e.g. {@code [t_0, t_1, %2]}. */
    final List<List<String>> arrays = new CopyOnWriteArrayList<>();
    /** Each single submit, by {@code job/attempt}. */
    final List<String> singles = new CopyOnWriteArrayList<>();

    CountingLocalScheduler(LocalScheduler local) {
        this.local = local;
    }

    @Override public String name() { return local.name(); }
    @Override public Shell shell() { return local.shell(); }
    @Override public String render(Submission s) { return local.render(s); }
    @Override public boolean supportsDependencies() { return local.supportsDependencies(); }
    @Override public boolean recordsExitCodes() { return local.recordsExitCodes(); }
    @Override public boolean supportsArrays() { return local.supportsArrays(); }
    @Override public void cancel(Collection<String> ids) { local.cancel(ids); }
    @Override public Map<String, String> findByTokens(Collection<String> tokens) { return local.findByTokens(tokens); }
    @Override public void close() { local.cancelAll(); local.close(); }

    @Override
    public String submit(Submission s) {
        deps.put(s.job().name() + "/" + s.attempt(), s.dependencies());
        singles.add(s.job().name() + "/" + s.attempt());
        return local.submit(s);
    }

    @Override
    public SubmittedArray submitArray(List<Submission> tasks, int maxRunning) {
        List<String> names = new java.util.ArrayList<>();
        for (Submission s : tasks) {
            deps.put(s.job().name() + "/" + s.attempt(), s.dependencies());
            names.add(s.job().name());
        }
        names.add("%" + maxRunning);
        arrays.add(names);
        return local.submitArray(tasks, maxRunning);
    }

    @Override
    public Map<String, JobStatus> status(Collection<String> ids) {
        statusCalls.incrementAndGet();
        return local.status(ids);
    }
}
