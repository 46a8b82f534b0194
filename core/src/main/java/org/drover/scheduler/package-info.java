/**
 * The scheduler SPI: what every batch system (SLURM, PBS, the local executor) implements, and what
 * the {@code RunManager} asks of it.
 *
 * <p>Start with {@link org.drover.scheduler.Scheduler}: it submits a
 * {@link org.drover.scheduler.Submission} (one job attempt with its run directory and the scheduler ids
 * it depends on), answers the status of many jobs in one call with
 * {@link org.drover.scheduler.JobStatus} values whose {@link org.drover.scheduler.JobState} is
 * normalised across schedulers, and cancels jobs in batches. {@link org.drover.scheduler.JobScript}
 * renders the shell wrapper every scheduler uses, and {@link org.drover.scheduler.RunDirectory} is the
 * one layout of a run on disk ({@code <runs root>/<bundle>_<timestamp>/<job>/<attempt>/}). A new
 * scheduler is one more implementation of this package's interface; it talks to its machine through a
 * {@link org.drover.shell.Shell}.
 */
package org.drover.scheduler;
