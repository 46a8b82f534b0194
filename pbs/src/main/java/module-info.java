/**
 * Drover on PBS Pro/OpenPBS and Torque (planned: the {@code PbsScheduler}).
 */
module org.drover.pbs {
    requires transitive org.drover.core;
}
