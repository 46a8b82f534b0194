package org.drover.pbs.internal;

/**
 * The two kinds of PBS, whose directives and outputs differ: PBS Pro/OpenPBS ({@code -l select=},
 * arrays {@code -J}, {@code PBS_ARRAY_INDEX}, finished jobs in {@code qstat -x}) and Torque
 * ({@code -l nodes=N:ppn=C}, arrays {@code -t}, {@code PBS_ARRAYID}, finished jobs in state C).
 *
 * <pre>{@code
 * PbsFlavour f = PbsFlavour.PRO;
 * }</pre>
 */
public enum PbsFlavour {
    /** PBS Pro, OpenPBS. */
    PRO,
    /** Torque (and Torque-compatible wrappers such as Debian's {@code slurm-wlm-torque}). */
    TORQUE
}
