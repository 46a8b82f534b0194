package org.drover.examples.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.drover.slurm.SlurmScheduler;
import org.drover.ssh.Machine;
import org.drover.ssh.SshShell;

/**
 * What SSH costs a status poll and a submission, side by side in one run, on the testbed's real
 * sshd (the login node of the SLURM testbed is this machine, {@code slurm-testbed.sh up}):
 *
 * <ul>
 *   <li>{@code N} status polls ({@code squeue -h}): through one Drover {@link SshShell}, through
 *       {@code N} invocations of the OpenSSH client, through OpenSSH with a ControlMaster socket,
 *       and locally.</li>
 *   <li>{@code N} submissions of trivial jobs with {@link Submitter} (one {@code sbatch} each,
 *       script written first): over the SshShell and locally.</li>
 * </ul>
 *
 * <p>Rounds alternate the order. Usage: {@code SshBenchmark [N] [rounds]} (defaults 200, 2).
 */
public final class SshBenchmark {
    private SshBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Path.of("/var/lib/drover-testbed/ssh");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("testbed.properties"))) {
            p.load(r);
        }
        String port = p.getProperty("targetPort");
        String user = p.getProperty("benchUser", "root");   // a user whose login runs no rc files
        Machine login = Machine.ssh("127.0.0.1").port(Integer.parseInt(port)).user(user)
                .identity(dir.resolve("client_ed25519")).knownHosts(dir.resolve("known_hosts"));
        List<String> ssh = List.of("ssh", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"),
                "-o", "IdentitiesOnly=yes", "-i", dir.resolve("client_ed25519").toString(), "-p", port);
        Path socket = Files.createTempDirectory("drover-cm").resolve("cm");
        Path runs = Files.createTempDirectory("drover-ssh-bench");
        Files.setPosixFilePermissions(runs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        LocalShell local = LocalShell.create();

        System.out.printf(Locale.ROOT, "%-6s %-28s %10s %10s%n", "round", "case", "total s", "per call ms");
        for (int round = 1; round <= rounds; round++) {
            List<Runnable> cases = new ArrayList<>();
            int rr = round;
            cases.add(() -> polls(rr, "Drover SshShell (1 connection)", n, () -> {
                SshShell shell = SshShell.open(login);
                shell.run(List.of("true"), Duration.ofSeconds(30));   // connect outside the timing, as a manager has
                return shell;
            }));
            cases.add(() -> timed(rr, "OpenSSH, a new ssh each", n, () -> {
                for (int i = 0; i < n; i++) {
                    check(local.run(concat(ssh, List.of(user + "@127.0.0.1", "squeue", "-h")), Duration.ofSeconds(60)));
                }
            }));
            cases.add(() -> {
                check(local.run(concat(ssh, List.of("-M", "-S", socket.toString(), "-o", "ControlPersist=yes", "-fN",
                        user + "@127.0.0.1")), Duration.ofSeconds(60)));
                try {
                    timed(rr, "OpenSSH with ControlMaster", n, () -> {
                        for (int i = 0; i < n; i++) {
                            check(local.run(concat(ssh, List.of("-S", socket.toString(), user + "@127.0.0.1", "squeue", "-h")),
                                    Duration.ofSeconds(60)));
                        }
                    });
                } finally {
                    local.run(concat(ssh, List.of("-S", socket.toString(), "-O", "exit", user + "@127.0.0.1")), Duration.ofSeconds(30));
                }
            });
            cases.add(() -> polls(rr, "local (no SSH)", n, () -> local));
            cases.add(() -> submits(rr, "submit over SshShell", n, runs, SshShell.open(login)));
            cases.add(() -> submits(rr, "submit locally", n, runs, local));
            if (round % 2 == 0) {
                java.util.Collections.reverse(cases);
            }
            cases.forEach(Runnable::run);
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private interface ShellMaker {
        Shell make() throws Exception;
    }

    private static void polls(int round, String name, int n, ShellMaker maker) {
        try {
            Shell shell = maker.make();
            timed(round, name, n, () -> {
                for (int i = 0; i < n; i++) {
                    check(shell.run(List.of("squeue", "-h"), Duration.ofSeconds(60)));
                }
            });
            if (shell instanceof SshShell) {
                shell.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void submits(int round, String name, int n, Path runs, Shell shell) {
        Bundle b = Bundle.named("sshbench" + round + (shell instanceof SshShell ? "s" : "l"));
        for (int i = 0; i < n; i++) {
            b.add(Job.named("j" + i).command("true").memory("100M"));
        }
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(shell).build()) {
            if (shell instanceof SshShell) {
                shell.run(List.of("true"), Duration.ofSeconds(30));
            }
            SubmittedBundle[] run = new SubmittedBundle[1];
            timed(round, name, n, () -> run[0] = Submitter.submit(b, slurm, runs));
            run[0].cancel();
        }
    }

    private static void timed(int round, String name, int n, Body body) {
        long t0 = System.nanoTime();
        try {
            body.run();
        } catch (Exception e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-6d %-28s %10.2f %10.2f%n", round, name, s, s * 1000 / n);
    }

    private static void check(CommandResult r) {
        if (!r.ok()) {
            throw new IllegalStateException(r.toString());
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
