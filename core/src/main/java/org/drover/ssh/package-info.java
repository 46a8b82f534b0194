/**
 * Remote machines over SSH: {@link org.drover.ssh.Machine} (fluent, or written once in a
 * {@link org.drover.ssh.Machines} file; {@code ~/.ssh/config} aliases honoured),
 * {@link org.drover.ssh.SshShell} (a {@link org.drover.shell.Shell} on one reused sshj
 * connection, through jump hosts, with strict known_hosts checking) and
 * {@link org.drover.ssh.SshException}. Every scheduler runs over an SshShell unchanged.
 *
 * <pre>{@code
 * Machine cluster = Machine.ssh("login.cluster.org").user("me").runsRoot("/scratch/me/runs");
 * try (SlurmScheduler slurm = SlurmScheduler.builder().shell(SshShell.open(cluster)).build()) {
 *     RunManager run = RunManager.of(bundle).on(slurm).runsRoot(Path.of("/scratch/me/runs")).start();
 *     System.out.println(run.awaitCompletion());
 * }
 * }</pre>
 */
package org.drover.ssh;
