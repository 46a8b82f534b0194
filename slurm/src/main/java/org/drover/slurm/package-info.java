/**
 * Drover on SLURM: {@link org.drover.slurm.SlurmScheduler} renders {@code #SBATCH} scripts and runs
 * sbatch, squeue, sacct and scancel through a {@link org.drover.shell.Shell}, on this machine by default.
 *
 * <pre>{@code
 * try (SlurmScheduler slurm = SlurmScheduler.create()) {
 *     RunManager run = RunManager.of(bundle).on(slurm).store(Path.of("runs/study.json")).start();
 *     System.out.println(run.awaitCompletion());
 * }
 * }</pre>
 */
package org.drover.slurm;
