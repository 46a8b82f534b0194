package org.drover.pbs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.drover.Job;
import org.drover.Memory;
import org.drover.Resources;
import org.drover.Walltime;
import org.drover.pbs.PbsFlavour;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;

/**
 * The {@code #PBS} lines of one job, per {@link PbsFlavour}. Resources go as the flavour expresses
 * them; a setting the flavour cannot express is a {@link SchedulerException} naming the job and the
 * field, never a dropped line.
 *
 * <table>
 *   <caption>Job settings</caption>
 *   <tr><th>setting</th><th>PBS Pro/OpenPBS</th><th>Torque</th></tr>
 *   <tr><td>nodes, tasks, cpus, memory, gpus</td>
 *       <td>{@code -l select=N:ncpus=C:mpiprocs=T:mem=M:ngpus=G} (per node: C = cpus x tasks / N)</td>
 *       <td>{@code -l nodes=N:ppn=C[:gpus=G]}, {@code -l mem=M} (per job: memory x N)</td></tr>
 *   <tr><td>walltime</td><td>{@code -l walltime=HH:MM:SS}</td><td>the same</td></tr>
 *   <tr><td>exclusive</td><td>{@code -l place=excl}</td><td>{@code -n}</td></tr>
 *   <tr><td>partition, account</td><td>{@code -q}, {@code -A}</td><td>the same</td></tr>
 *   <tr><td>qos, constraint</td><td colspan="2">refused: PBS has no such setting</td></tr>
 *   <tr><td>requeue</td><td>{@code -r y} / {@code -r n}</td><td>the same</td></tr>
 *   <tr><td>dependencies</td><td>{@code -W depend=afterok:id:id,afterany:id}</td>
 *       <td>the same; on an array {@code afterokarray:12[].server}</td></tr>
 *   <tr><td>array</td><td>{@code -J 0-9%2} (one range)</td><td>{@code -t 0,3,5-9%2}</td></tr>
 * </table>
 *
 * <p>A dependency on one task of an array ({@code 12[3].server}) cannot be expressed in either
 * flavour (PBS dependencies name jobs and whole arrays, not subjobs): it is refused, and a run
 * manager then waits for that task itself.
 *
 * <pre>{@code
 * List<String> lines = PbsDirectives.render(submission, PbsFlavour.PRO, "prep-drv1a2b", "/runs/s/prep/1/pbs.out",
 *         "/runs/s/prep/1/pbs.err", null, Set.of());
 * }</pre>
 */
public final class PbsDirectives {
    /** OpenPBS's longest job name ({@code PBS_MAXJOBNAME}); longer names are refused by qsub. */
    static final int MAX_NAME = 236;

    private PbsDirectives() {}

    /**
     * The directive lines for one job.
     *
     * @param s the submission (the first task's, for an array)
     * @param flavour which PBS
     * @param jobName the name to give ({@code -N}), made safe by {@link #jobName}
     * @param stdout the stdout path ({@code -o})
     * @param stderr the stderr path ({@code -e})
     * @param array the array's index list ({@code 0-9%2}), or null for one job
     * @param skip directives the site rejects ({@code -A}, {@code -r}, {@code -l place}): not rendered
     * @return the lines, each starting with {@code #PBS }
     * @throws SchedulerException if the job asks for what this flavour cannot express
     */
    public static List<String> render(Submission s, PbsFlavour flavour, String jobName, String stdout, String stderr,
                                      String array, Set<String> skip) {
        Job job = s.job();
        Resources r = job.resources();
        String name = job.name();
        r.qos().ifPresent(q -> {
            throw cannot(name, "qos", q, "PBS has no quality of service setting");
        });
        r.constraint().ifPresent(c -> {
            throw cannot(name, "constraint", c, "PBS has no node feature constraint (ask the site for a custom resource "
                    + "and pass it with directive(\"-l ...\"))");
        });
        if ((long) r.cpus() * r.tasks() % r.nodes() != 0 || r.tasks() % r.nodes() != 0) {
            throw cannot(name, "tasks", r.tasks() + " tasks of " + r.cpus() + " cpus on " + r.nodes() + " nodes",
                    "PBS gives every node the same share: make the tasks a multiple of the nodes");
        }
        List<String> d = new ArrayList<>();
        d.add("-N " + jobName(jobName));
        d.add("-o " + stdout);
        d.add("-e " + stderr);
        int perNode = r.cpus() * r.tasks() / r.nodes();
        if (flavour == PbsFlavour.PRO) {
            StringBuilder select = new StringBuilder("-l select=").append(r.nodes()).append(":ncpus=").append(perNode)
                    .append(":mpiprocs=").append(r.tasks() / r.nodes());
            r.memory().ifPresent(m -> select.append(":mem=").append(memory(m)));
            if (r.gpus() > 0) {
                select.append(":ngpus=").append(r.gpus());
            }
            d.add(select.toString());
            if (r.exclusive()) {
                d.add("-l place=excl");
            }
        } else {
            d.add("-l nodes=" + r.nodes() + ":ppn=" + perNode + (r.gpus() > 0 ? ":gpus=" + r.gpus() : ""));
            r.memory().ifPresent(m -> d.add("-l mem=" + memory(Memory.ofBytes(m.bytes() * r.nodes()))));
            if (r.exclusive()) {
                d.add("-n");
            }
        }
        r.walltime().ifPresent(w -> d.add("-l walltime=" + Walltime.format(w)));
        r.partition().ifPresent(p -> d.add("-q " + p));
        r.account().ifPresent(a -> d.add("-A " + a));
        d.add("-r " + (job.requeue() ? "y" : "n"));
        if (!s.dependencies().isEmpty()) {
            d.add("-W depend=" + dependencies(s, flavour));
        }
        if (array != null) {
            d.add((flavour == PbsFlavour.PRO ? "-J " : "-t ") + array);
        }
        d.addAll(job.directives());
        return d.stream().filter(line -> !skipped(line, skip)).map(line -> "#PBS " + line).collect(Collectors.toList());
    }

    /** Whether a directive line's option ({@code -A}, or {@code -l mem} for a resource) is skipped. */
    static boolean skipped(String line, Set<String> skip) {
        if (skip.isEmpty()) {
            return false;
        }
        String[] words = line.trim().split("\\s+", 2);
        if (skip.contains(words[0])) {
            return true;
        }
        if (words[0].equals("-l") && words.length > 1) {
            for (String resource : words[1].split(",")) {
                String key = resource.split("[=:]", 2)[0];
                if (skip.contains("-l " + key)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Why Drover needs a directive a user asked to skip, if it does: {@code -N} (the token),
     * {@code -o}/{@code -e}, {@code -W} (dependencies), {@code -J}/{@code -t} (arrays).
     *
     * @param option the option, e.g. {@code -N}
     * @return why it is needed, or empty if it may be skipped
     */
    public static java.util.Optional<String> whyRequired(String option) {
        switch (option) {
            case "-N":
                return java.util.Optional.of("the job name carries the submission token that keeps a retried qsub "
                        + "from making a second job");
            case "-o":
            case "-e":
                return java.util.Optional.of("the scheduler's own output files are kept in the attempt directory");
            case "-W":
                return java.util.Optional.of("dependencies go as -W depend=");
            case "-J":
            case "-t":
                return java.util.Optional.of("arrays go as -J (PBS Pro) or -t (Torque)");
            default:
                return java.util.Optional.empty();
        }
    }

    /**
     * The value of {@code -W depend=}: {@code afterok:12.server:13.server,afterany:14.server}; on
     * Torque a dependency on a whole array ({@code 12[].server}) uses the {@code ...array} keyword.
     *
     * @throws SchedulerException (not transient) if a dependency is one task of an array
     */
    static String dependencies(Submission s, PbsFlavour flavour) {
        for (Submission.IdDependency dep : s.dependencies()) {
            if (dep.jobId().matches("\\d+\\[\\d+\\].*")) {
                throw new SchedulerException("job '" + s.job().name() + "' depends on " + dep.jobId()
                        + ", one task of an array: PBS dependencies name jobs and whole arrays only", false);
            }
        }
        return s.dependencySpec(dep -> dep.type().keyword()
                + (flavour == PbsFlavour.TORQUE && dep.jobId().contains("[]") ? "array" : ""));
    }

    /**
     * The name a job goes under: its own name made safe ({@link #jobName}) and cut so that a dash
     * and the submission token still fit ({@code train_3-drv1a2b...}); the token is how a retried
     * or restarted submission finds the job in {@code qstat -f}.
     *
     * @param name the job's (or sweep's) name
     * @param token the submission token
     * @return the name to give {@code -N}
     */
    public static String tokenName(String name, String token) {
        String safe = jobName(name);
        int room = MAX_NAME - 1 - token.length();
        return (safe.length() > room ? safe.substring(0, room) : safe) + "-" + token;
    }

    /** A job name qsub takes: characters other than letters, digits and {@code _ . - +} become {@code _}, cut to 236. */
    static String jobName(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9_.+-]", "_");
        return safe.length() > MAX_NAME ? safe.substring(0, MAX_NAME) : safe;
    }

    /** Memory as PBS writes it: {@code 4gb}, {@code 1536mb}, {@code 100kb}, or bytes ({@code 999b}). */
    static String memory(Memory m) {
        long b = m.bytes();
        if (b % (1L << 30) == 0) {
            return (b >> 30) + "gb";
        }
        if (b % (1L << 20) == 0) {
            return (b >> 20) + "mb";
        }
        if (b % (1L << 10) == 0) {
            return (b >> 10) + "kb";
        }
        return b + "b";
    }

    private static SchedulerException cannot(String job, String field, String value, String why) {
        return new SchedulerException("job '" + job + "' sets " + field + " '" + value + "', which PBS cannot express: "
                + why, false);
    }
}
