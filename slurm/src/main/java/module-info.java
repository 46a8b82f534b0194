/**
 * Drover on SLURM: {@link org.drover.slurm.SlurmScheduler} renders {@code #SBATCH} scripts and drives
 * sbatch, squeue, sacct and scancel through a {@link org.drover.shell.Shell}.
 *
 * <pre>{@code
 * module my.study {
 *     requires org.drover.slurm;      // brings org.drover.core with it
 * }
 * }</pre>
 */
module org.drover.slurm {
    requires transitive org.drover.core;
    requires com.google.common;
    requires org.slf4j;

    exports org.drover.slurm;
}
