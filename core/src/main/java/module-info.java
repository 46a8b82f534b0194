/**
 * Drover's core: jobs, bundles and sweeps ({@link org.drover}), the scheduler SPI
 * ({@link org.drover.scheduler}), shells ({@link org.drover.shell}), the local executor
 * ({@link org.drover.local}), the RunManager and its store ({@link org.drover.run}), reports such as
 * the timeline ({@link org.drover.report}) and a simulated
 * cluster for tests ({@link org.drover.testing}).
 *
 * <pre>{@code
 * module my.study {
 *     requires org.drover.core;
 *     requires org.drover.slurm;      // for SlurmScheduler
 * }
 * }</pre>
 */
module org.drover.core {
    requires com.fasterxml.jackson.annotation;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.google.common;
    requires java.management;
    requires jdk.management;
    requires org.jgrapht.core;
    requires org.slf4j;

    exports org.drover;
    exports org.drover.local;
    exports org.drover.report;
    exports org.drover.run;
    exports org.drover.scheduler;
    exports org.drover.shell;
    exports org.drover.testing;
    // Implementation shared with Drover's own scheduler modules, not with users.
    exports org.drover.internal to org.drover.slurm, org.drover.pbs;

    // Jackson reads and writes job, bundle and run records by reflection.
    opens org.drover to com.fasterxml.jackson.databind;
    opens org.drover.run to com.fasterxml.jackson.databind;
    opens org.drover.internal to com.fasterxml.jackson.databind;
}
