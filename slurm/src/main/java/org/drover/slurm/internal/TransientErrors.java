package org.drover.slurm.internal;

import java.util.List;
import java.util.Locale;

/** Which SLURM command failures may succeed when tried again. */
public final class TransientErrors {
    private static final List<String> TRANSIENT = List.of(
            "socket timed out",
            "unable to contact slurm controller",
            "slurm_load_jobs error: unable to contact",
            "resource temporarily unavailable",
            "zero bytes were transmitted or received",
            "connection refused",
            "connection reset",
            "transport endpoint is not connected",
            "slurm temporarily unable to accept job",
            "slurmctld is busy",
            "communication connection failure",
            "timed out after",
            "temporarily unavailable");

    private TransientErrors() {}

    /** Whether a command's message (stderr) describes a transient failure. */
    public static boolean isTransient(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return TRANSIENT.stream().anyMatch(m::contains);
    }

    /** squeue/scontrol's answer when none of the ids asked is known: not an error for Drover. */
    public static boolean isInvalidJobId(String message) {
        return message.contains("Invalid job id specified");
    }

    /** sacct's answer when the cluster keeps no accounting. */
    public static boolean isAccountingDisabled(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("accounting storage is disabled") || m.contains("slurmdbd")
                && m.contains("not running") || m.contains("accounting_storage/none");
    }
}
