/**
 * Drover on PBS Pro/OpenPBS and Torque: {@link org.drover.pbs.PbsScheduler} renders {@code #PBS}
 * scripts and drives qsub, qstat and qdel through a {@link org.drover.shell.Shell}.
 *
 * <pre>{@code
 * module my.study {
 *     requires org.drover.pbs;      // brings org.drover.core with it
 * }
 * }</pre>
 */
module org.drover.pbs {
    requires transitive org.drover.core;
    requires org.slf4j;

    exports org.drover.pbs;
}
