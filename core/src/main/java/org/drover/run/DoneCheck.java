package org.drover.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.drover.Job;
import org.drover.Names;
import org.drover.internal.ScriptPlaceholders;
import org.drover.scheduler.JobState;

/**
 * Tells whether a task's result already exists. The {@code RunManager} asks it before submitting
 * (a task already done is {@link TaskState#SKIPPED}) and after an attempt completes (a job that
 * exits 0 without its result counts as {@link JobState#FAILED}).
 *
 * <pre>{@code
 * DoneCheck check = DoneCheck.fileExists("results/{name}.csv");   // {name} is the job's name, {param} a sweep value
 * DoneCheck custom = job -> Files.size(Path.of("out", job.name())) > 0;
 * }</pre>
 */
@FunctionalInterface
public interface DoneCheck {
    /**
     * Whether the job's result is there.
     *
     * @param job the job
     * @return whether the job's result is there
     * @throws java.lang.Exception if it fails
     */
    boolean isDone(Job job) throws Exception;

    /**
     * Done when this file exists; {@code {name}} and sweep parameters {@code {p}} are replaced per job.
     *
     * @param pathTemplate the path template
     * @return a check that is done when the job's file exists
     */
    static DoneCheck fileExists(String pathTemplate) {
        Names.requireLine("done-check path", pathTemplate);
        return new DoneCheck() {
            @Override
            public boolean isDone(Job job) {
                java.util.Map<String, String> values = new java.util.HashMap<>(job.params());
                values.put("name", job.name());
                return Files.exists(Path.of(ScriptPlaceholders.substituteBraces(pathTemplate, values)));
            }

            @Override
            public String toString() {
                return "DoneCheck.fileExists(" + pathTemplate + ")";
            }
        };
    }
}
