/**
 * Running a bundle: once with the {@link org.drover.run.Submitter}, or supervised by the
 * {@link org.drover.run.RunManager}, which keeps a durable {@link org.drover.run.RunStore} of every task
 * and attempt, polls the scheduler in one batched call, retries under a {@link org.drover.run.RetryPolicy},
 * caps simultaneous jobs, skips tasks whose {@link org.drover.run.DoneCheck} says they are done,
 * re-attaches after its own process restarts, and runs chosen tasks of a finished run again
 * ({@link org.drover.run.Rerun}), refusing jobs whose definition changed unless told to re-run them.
 *
 * <p>Start with {@link org.drover.run.RunManager#of(org.drover.Bundle)}. What it records is a
 * {@link org.drover.run.RunRecord} of {@link org.drover.run.TaskRecord}s, each with its
 * {@link org.drover.run.AttemptRecord}s; {@link org.drover.run.RunReport} is the table a person reads,
 * {@link org.drover.run.TaskResult} one task's results for a program (its output, exit code and
 * parameters), and a {@link org.drover.run.RunListener} hears every {@link org.drover.run.TaskEvent}.
 *
 * <pre>{@code
 * RunManager run = RunManager.of(bundle).on(scheduler)
 *         .store(Path.of("runs/study.json"))
 *         .retry(RetryPolicy.builder().withMaxAttempts(3).build())
 *         .maxSimultaneousJobs(100)
 *         .start();
 * RunReport report = run.awaitCompletion();
 * }</pre>
 */
package org.drover.run;
