/**
 * What a user writes: jobs, their resources, bundles of jobs with dependencies, and parameter sweeps.
 *
 * <p>Start with {@link org.drover.Job} (a command and its {@link org.drover.Resources}: cpus,
 * {@link org.drover.Memory}, gpus, nodes, {@link org.drover.Walltime}, partition, account), group jobs
 * in a {@link org.drover.Bundle} whose dependencies name other jobs (cycles and unknown names are an
 * {@link org.drover.InvalidBundleException}), and expand a {@link org.drover.Sweep} into one job per
 * combination of parameters. {@link org.drover.Bundle#plan()} shows the jobs in the order they go out.
 * Every type here is immutable and has a JSON form.
 *
 * <pre>{@code
 * Bundle study = Bundle.named("study")
 *         .add(Job.named("prep").command("python3", "prep.py").cpus(1).memory("2G"))
 *         .add(Sweep.of(Job.named("train").command("python3", "train.py", "--lr={lr}"))
 *                 .param("lr", 0.1, 0.01).dependsOn("prep"));
 * }</pre>
 *
 * <p>To run a bundle, see {@link org.drover.run} (the {@code RunManager}) and, for the machines that run
 * it, {@link org.drover.local} or the {@code drover-slurm} module.
 */
package org.drover;
