/**
 * Drover's core: jobs, bundles and sweeps ({@link org.drover}), the scheduler SPI
 * ({@link org.drover.scheduler}), shells ({@link org.drover.shell}), the local executor
 * ({@link org.drover.local}), the RunManager and its store ({@link org.drover.run}), reports such as
 * the timeline ({@link org.drover.report}), remote machines over SSH ({@link org.drover.ssh}), and for
 * tests a simulated cluster, a JUnit 5 extension and AssertJ assertions ({@link org.drover.testing};
 * the last two need junit-jupiter-api and assertj-core, optional dependencies).
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
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.hierynomus.sshj;
    requires com.google.common;
    requires java.management;
    requires jdk.management;
    requires org.jgrapht.core;
    requires org.slf4j;
    // Optional: only org.drover.testing's JUnit 5 extension and assertions use them.
    requires static org.junit.jupiter.api;
    requires static org.assertj.core;

    exports org.drover;
    exports org.drover.local;
    exports org.drover.report;
    exports org.drover.run;
    exports org.drover.scheduler;
    exports org.drover.shell;
    exports org.drover.ssh;
    exports org.drover.testing;
    // Implementation shared with Drover's own scheduler modules, not with users.
    exports org.drover.internal to org.drover.slurm, org.drover.pbs;

    // Jackson reads and writes job, bundle and run records by reflection.
    opens org.drover to com.fasterxml.jackson.databind;
    opens org.drover.run to com.fasterxml.jackson.databind;
    opens org.drover.internal to com.fasterxml.jackson.databind;
    opens org.drover.ssh to com.fasterxml.jackson.databind;
}
