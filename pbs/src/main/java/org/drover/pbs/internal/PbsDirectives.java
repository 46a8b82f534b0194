package org.drover.pbs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.drover.Job;
import org.drover.Memory;
import org.drover.Resources;
import org.drover.Walltime;
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
 *   <tr><td>dependencies</td><td>{@code -W depend=afterok:id:id,afterany:id}</td><td>the same</td></tr>
 * </table>
 *
 * <pre>{@code
 * List<String> lines = PbsDirectives.render(submission, PbsFlavour.PRO, "/runs/s/a/1/stdout", "/runs/s/a/1/stderr");
 * }</pre>
 */
public final class PbsDirectives {
    /** OpenPBS's longest job name ({@code PBS_MAXJOBNAME}); longer names are refused by qsub. */
    static final int MAX_NAME = 236;

    private PbsDirectives() {}

    /**
     * The directive lines for one job.
     *
     * @param s the submission
     * @param flavour which PBS
     * @param stdout the stdout path ({@code -o})
     * @param stderr the stderr path ({@code -e})
     * @return the lines, each starting with {@code #PBS }
     * @throws SchedulerException if the job asks for what this flavour cannot express
     */
    public static List<String> render(Submission s, PbsFlavour flavour, String stdout, String stderr) {
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
        d.add("-N " + jobName(name));
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
            d.add("-W depend=" + s.dependencySpec());
        }
        d.addAll(job.directives());
        return d.stream().map(line -> "#PBS " + line).collect(Collectors.toList());
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
