package org.drover.slurm.internal;

/**
 * One job (or array task) as squeue, sacct or scontrol printed it, before interpretation.
 *
 * @param id the job id as printed: {@code 123}, {@code 123_4}, {@code 123+0}
 * @param state the state word, e.g. {@code RUNNING}, {@code CANCELLED by 0}
 * @param reason the pending or end reason ({@code None} when there is none)
 * @param exitCode the {@code N:S} exit code, or "" when the source has none (squeue)
 * @param start start time text ({@code 2026-11-25T07:57:46}, {@code Unknown}, {@code N/A})
 * @param end end time text
 */
public record SlurmRow(String id, String state, String reason, String exitCode, String start, String end) {}
