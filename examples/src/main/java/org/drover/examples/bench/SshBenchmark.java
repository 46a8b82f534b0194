package org.drover.examples.bench;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.slurm.SlurmScheduler;
import org.drover.ssh.Machine;
import org.drover.ssh.SshShell;

/**
 * What SSH costs a status poll and a submission, every case in the same run, on the testbed's
 * real sshd (the login node of the SLURM testbed is this machine, {@code slurm-testbed.sh up}):
 *
 * <ul>
 *   <li>{@code N} status polls ({@code squeue -h}) per case: through one Drover {@link SshShell}
 *       (a session per command), through one SshShell with {@link Machine#residentShells resident
 *       shells}, through {@code N} invocations of the OpenSSH client, through OpenSSH with a
 *       ControlMaster socket, and locally. The cases take turns poll by poll (the order rotating),
 *       so a change of load on the machine falls on all of them alike. Then the same with
 *       {@code true}, a command that does nothing: what each way of reaching the machine costs by
 *       itself.</li>
 *   <li>{@code N} submissions of trivial jobs with {@link Submitter} (one {@code sbatch} each,
 *       script written first) per case: over the SshShell both ways and locally, in bundles of
 *       {@value #SUBMIT_CHUNK} that take turns.</li>
 * </ul>
 *
 * <p>Prints the total and the median per call of each case, and the ratios the issue asks about.
 * Usage: {@code SshBenchmark [N]} (default 200).
 */
public final class SshBenchmark {
    private static final int SUBMIT_CHUNK = 20;
    private static final Duration T = Duration.ofSeconds(60);

    private SshBenchmark() {}

    /** One way to run a status poll. */
    private interface Poller {
        CommandResult poll() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Path.of("/var/lib/drover-testbed/ssh");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("testbed.properties"))) {
            p.load(r);
        }
        String port = p.getProperty("targetPort");
        String user = p.getProperty("benchUser", "root");   // a user whose login runs no rc files
        Machine login = Machine.ssh("127.0.0.1").port(Integer.parseInt(port)).user(user)
                .identity(dir.resolve("client_ed25519")).knownHosts(dir.resolve("known_hosts"))
                .residentShells(0);   // a session per command
        Machine resident = login.residentShells(4);   // the default: commands sent to shells that stay running
        List<String> ssh = List.of("ssh", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"),
                "-o", "IdentitiesOnly=yes", "-i", dir.resolve("client_ed25519").toString(), "-p", port);
        Path socket = Files.createTempDirectory("drover-cm").resolve("cm");
        Path runs = Files.createTempDirectory("drover-ssh-bench");
        Files.setPosixFilePermissions(runs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        LocalShell local = LocalShell.create();

        // squeue gets every job slurmctld still holds (ended ones for MinJobAge, 300 s on the testbed)
        // and filters them itself: right after a test run a poll costs several times what it costs
        // on a quiet controller. Say how many there are.
        CommandResult held = local.run(List.of("squeue", "-h", "--states=all", "--format=%i"), T);
        check(held);
        System.out.printf(Locale.ROOT, "slurmctld holds %d jobs (all users, all states) before the polls%n",
                held.stdout().lines().count());
        check(local.run(concat(ssh, List.of("-M", "-S", socket.toString(), "-o", "ControlPersist=yes", "-fN",
                user + "@127.0.0.1")), T));
        try (SshShell plain = SshShell.open(login); SshShell res = SshShell.open(resident)) {
            plain.run(List.of("true"), T);   // connected before the timing, as a manager is
            res.run(List.of("true"), T);
            String target = user + "@127.0.0.1";
            for (List<String> command : List.of(List.of("squeue", "-h"), List.of("true"))) {
                Map<String, Poller> cases = new LinkedHashMap<>();
                cases.put("Drover SshShell, session each", () -> plain.run(command, T));
                cases.put("Drover SshShell, resident", () -> res.run(command, T));
                cases.put("OpenSSH, a new ssh each", () -> local.run(concat(ssh, concat(List.of(target), command)), T));
                cases.put("OpenSSH with ControlMaster", () -> local.run(concat(ssh,
                        concat(List.of("-S", socket.toString(), target), command)), T));
                cases.put("local, no SSH", () -> local.run(command, T));
                Map<String, long[]> polls = pollsInTurn(cases, n);
                // The testbed is shared: a test restarting sshd meanwhile would make the OpenSSH cases reconnect.
                boolean masterAlive = local.run(concat(ssh, List.of("-S", socket.toString(), "-O", "check", target)), T).ok();
                if (plain.connections() != 1 || res.connections() != 1 || !masterAlive) {
                    System.out.printf(Locale.ROOT, "WARNING: a connection was lost during the polls (SshShell connections %d and %d, "
                            + "ControlMaster %s): sshd restarted? These figures do not count.%n", plain.connections(),
                            res.connections(), masterAlive ? "alive" : "gone");
                }
                System.out.printf(Locale.ROOT, "%d x '%s' per case, in turn%s:%n", n, String.join(" ", command),
                        command.get(0).equals("true") ? " (what the transport costs: the command itself does nothing)" : "");
                report(polls);
                double drover = total(polls.get("Drover SshShell, resident"));
                System.out.printf(Locale.ROOT, "resident vs a new ssh each: %.1fx; vs ControlMaster: %.2fx; "
                                + "session each vs a new ssh: %.1fx, vs ControlMaster: %.2fx%n",
                        total(polls.get("OpenSSH, a new ssh each")) / drover, total(polls.get("OpenSSH with ControlMaster")) / drover,
                        total(polls.get("OpenSSH, a new ssh each")) / total(polls.get("Drover SshShell, session each")),
                        total(polls.get("OpenSSH with ControlMaster")) / total(polls.get("Drover SshShell, session each")));
                double here = total(polls.get("local, no SSH"));
                System.out.printf(Locale.ROOT, "what SSH adds per call (mean, ms): resident %.2f, session each %.2f, "
                                + "ControlMaster %.2f, a new ssh %.2f%n",
                        (drover - here) * 1000 / n, (total(polls.get("Drover SshShell, session each")) - here) * 1000 / n,
                        (total(polls.get("OpenSSH with ControlMaster")) - here) * 1000 / n,
                        (total(polls.get("OpenSSH, a new ssh each")) - here) * 1000 / n);
            }
        } finally {
            local.run(concat(ssh, List.of("-S", socket.toString(), "-O", "exit", user + "@127.0.0.1")), T);
        }

        try (SlurmScheduler overSsh = SlurmScheduler.builder().shell(SshShell.open(login)).build();
             SlurmScheduler overResident = SlurmScheduler.builder().shell(SshShell.open(resident)).build();
             SlurmScheduler here = SlurmScheduler.builder().shell(local).build()) {
            overSsh.shell().run(List.of("true"), T);
            overResident.shell().run(List.of("true"), T);
            Map<String, SlurmScheduler> cases = new LinkedHashMap<>();
            cases.put("submit over SshShell, session each", overSsh);
            cases.put("submit over SshShell, resident", overResident);
            cases.put("submit locally", here);
            Map<String, long[]> submits = submitsInTurn(cases, n, runs);
            System.out.printf(Locale.ROOT, "%d submissions per case, in bundles of %d in turn:%n", n, SUBMIT_CHUNK);
            report(submits);
            double localTotal = total(submits.get("submit locally"));
            System.out.printf(Locale.ROOT, "over SSH / locally: resident %.2fx, session each %.2fx%n",
                    total(submits.get("submit over SshShell, resident")) / localTotal,
                    total(submits.get("submit over SshShell, session each")) / localTotal);
        }
    }

    /** Each case's time per poll, in ns; round i starts with case i mod k. */
    private static Map<String, long[]> pollsInTurn(Map<String, Poller> cases, int n) throws Exception {
        List<String> names = new ArrayList<>(cases.keySet());
        Map<String, long[]> times = new LinkedHashMap<>();
        names.forEach(name -> times.put(name, new long[n]));
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((i + k) % names.size());
                long t0 = System.nanoTime();
                check(cases.get(name).poll());
                times.get(name)[i] = System.nanoTime() - t0;
            }
        }
        return times;
    }

    /** Each case's time per submission (a chunk's time spread over its jobs), in ns. */
    private static Map<String, long[]> submitsInTurn(Map<String, SlurmScheduler> cases, int n, Path runs) {
        List<String> names = new ArrayList<>(cases.keySet());
        Map<String, long[]> times = new LinkedHashMap<>();
        names.forEach(name -> times.put(name, new long[n]));
        int chunks = (n + SUBMIT_CHUNK - 1) / SUBMIT_CHUNK;
        for (int c = 0; c < chunks; c++) {
            int size = Math.min(SUBMIT_CHUNK, n - c * SUBMIT_CHUNK);
            for (int k = 0; k < names.size(); k++) {
                int which = (c + k) % names.size();
                String name = names.get(which);
                Bundle b = Bundle.named("sshbench" + c + "x" + which);
                for (int i = 0; i < size; i++) {
                    b.add(Job.named("j" + i).command("true").memory("100M"));
                }
                long t0 = System.nanoTime();
                SubmittedBundle run = Submitter.submit(b, cases.get(name), runs);
                long each = (System.nanoTime() - t0) / size;
                Arrays.fill(times.get(name), c * SUBMIT_CHUNK, c * SUBMIT_CHUNK + size, each);
                run.cancel();
            }
        }
        return times;
    }

    private static void report(Map<String, long[]> times) {
        System.out.printf(Locale.ROOT, "  %-36s %10s %14s %14s%n", "case", "total s", "mean ms/call", "median ms/call");
        times.forEach((name, t) -> {
            long[] sorted = t.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "  %-36s %10.2f %14.2f %14.2f%n", name, total(t), total(t) * 1000 / t.length,
                    sorted[sorted.length / 2] / 1e6);
        });
    }

    private static double total(long[] nanos) {
        return Arrays.stream(nanos).sum() / 1e9;
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
