/**
 * Drover on PBS Pro/OpenPBS and Torque: {@link org.drover.pbs.PbsScheduler} (qsub, qstat, qdel
 * through the same {@link org.drover.shell.Shell} as SLURM, locally or on a login node) and
 * {@link org.drover.pbs.PbsFlavour}. Implementation details (parsers of qstat's text form, the
 * state table, {@code #PBS} rendering) are in {@code org.drover.pbs.internal}, not exported.
 *
 * <pre>{@code
 * try (PbsScheduler pbs = PbsScheduler.builder().build()) {       // flavour detected by qstat --version
 *     RunManager run = RunManager.of(bundle).on(pbs).store(Path.of("runs/study.json")).start();
 *     System.out.println(run.awaitCompletion());
 * }
 * }</pre>
 */
package org.drover.pbs;
