/**
 * PBS Pro/OpenPBS and Torque support for Drover: the {@code PbsScheduler} is planned (qsub/qstat/qdel
 * through the same Shell abstraction as SLURM); recorded OpenPBS outputs to test it against are in
 * the project's shared fixtures. Nothing here is public API yet.
 */
package org.drover.pbs;
