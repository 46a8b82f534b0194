package org.drover.local;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.drover.Job;
import org.drover.scheduler.Submission;

/**
 * What to start for a local job, the same whether the fork server or ProcessBuilder starts it. An
 * argument-list job is exec'd directly, as its {@code script.sh} would ({@code exec} of the same
 * words, same environment, same directory), which saves a shell per job; a script body, a job that
 * sets {@code PATH} (the shell's {@code exec} would look the program up in it) or whose working
 * directory is missing (the script reports it) runs {@code script.sh}. So does a job with a word,
 * variable or working directory the launcher cannot pass as its UTF-8 bytes: ProcessBuilder under a
 * locale that is not UTF-8, such as {@code LC_ALL=C} (see {@link NativeText}); the script, written
 * as UTF-8, carries every value byte for byte.
 *
 * @param argv the program and its arguments
 * @param dir the directory it starts in
 * @param env variables to set on top of the JVM's environment, in order: Drover's, then the job's
 * @param unset variables to remove from the JVM's environment
 */
record LaunchPlan(List<String> argv, Path dir, Map<String, String> env, List<String> unset) {
    /**
     * The plan for a job.
     *
     * @param carries whether the launcher passes a text to the process as its UTF-8 bytes (the
     *     fork server always does; ProcessBuilder as {@link NativeText#carries} says)
     */
    static LaunchPlan of(LocalJob j, Predicate<String> carries) {
        Submission s = j.submission;
        Job job = s.job();
        boolean direct = !job.command().isEmpty() && !job.env().containsKey("PATH") && carriesAll(job, carries);
        Path workingDir = null;
        if (direct && job.workingDir().isPresent()) {
            try {
                workingDir = s.attemptDir().resolve(job.workingDir().get());
                direct = Files.isDirectory(workingDir);
            } catch (InvalidPathException e) {
                direct = false;   // not a path in this JVM's encoding: the script's cd takes its bytes
            }
        }
        List<String> argv = direct ? job.command()
                : List.of(job.script().isPresent() ? "/bin/bash" : "/bin/sh", s.scriptPath().toString());
        Path dir = direct && workingDir != null ? workingDir : s.attemptDir();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DROVER_JOB_ID", j.id);
        env.put("DROVER_JOB_NAME", job.name());
        env.put("DROVER_ATTEMPT_DIR", s.attemptDir().toString());
        List<String> unset = List.of();
        if (!j.gpus.isEmpty()) {
            env.put("CUDA_VISIBLE_DEVICES", j.gpus.stream().map(String::valueOf).collect(Collectors.joining(",")));
        } else {
            unset = List.of("CUDA_VISIBLE_DEVICES");
        }
        if (direct) {
            env.putAll(job.env());   // after Drover's, as the script's exports come after them
        }
        return new LaunchPlan(argv, dir, env, unset);
    }

    private static boolean carriesAll(Job job, Predicate<String> carries) {
        for (String word : job.command()) {
            if (!carries.test(word)) {
                return false;
            }
        }
        for (Map.Entry<String, String> e : job.env().entrySet()) {
            if (!carries.test(e.getValue())) {   // names are ASCII (Names.requireEnvName)
                return false;
            }
        }
        return job.workingDir().map(carries::test).orElse(true);
    }
}
