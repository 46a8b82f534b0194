package org.drover.pbs;

/**
 * The two kinds of PBS, whose directives and outputs differ. A {@link PbsScheduler} is given one,
 * or detects it from {@code qstat --version} at its first command.
 *
 * <table>
 *   <caption>What differs</caption>
 *   <tr><th></th><th>{@link #PRO} (PBS Pro, OpenPBS)</th><th>{@link #TORQUE}</th></tr>
 *   <tr><td>resources</td><td>{@code -l select=N:ncpus=C:mem=M:ngpus=G}</td>
 *       <td>{@code -l nodes=N:ppn=C[:gpus=G]}, {@code -l mem=M}</td></tr>
 *   <tr><td>arrays</td><td>{@code -J 0-9%2}, {@code PBS_ARRAY_INDEX}, ids {@code 12[].server}</td>
 *       <td>{@code -t 0-9%2}, {@code PBS_ARRAYID}, ids {@code 12[].server}</td></tr>
 *   <tr><td>finished jobs</td><td>{@code qstat -x -f} (state F, {@code Exit_status})</td>
 *       <td>{@code qstat -f} (state C for a while, {@code exit_status})</td></tr>
 * </table>
 *
 * <pre>{@code
 * PbsScheduler pbs = PbsScheduler.builder().flavour(PbsFlavour.TORQUE).build();
 * }</pre>
 */
public enum PbsFlavour {
    /** PBS Pro and OpenPBS. */
    PRO,
    /** Torque, and Torque-compatible wrappers such as Debian's {@code slurm-wlm-torque}. */
    TORQUE
}
