package org.drover.pbs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;

/**
 * A stand-in for an OpenPBS 23.06.06 server and its client commands, for the PBS Pro flavour's
 * RunManager runs (no OpenPBS server runs here). It answers {@code qstat --version}, {@code qsub},
 * {@code qstat [-x] -f [ids]} and {@code qdel} in the forms of the real captures in
 * {@code fixtures/pbs} (ids {@code 5.pbshost}, arrays {@code 4[].pbshost} with subjobs
 * {@code 4[2].pbshost}, 4-space attributes, {@code Exit_status} 271 for a job deleted while
 * running, none for one that never ran, {@code Unknown Job Id} with exit code 153, a finished job
 * without {@code -x} with 35, an afterok dependent of a failed job finished without running) and
 * runs the submitted scripts for real with bash, with {@code PBS_JOBID} and {@code PBS_ARRAY_INDEX}
 * set, honouring {@code -J a-b%max} and {@code -W depend=afterok:}. Files go to this machine's disk.
 */
final class FakeOpenPbs implements Shell {
    private static final String SERVER = "pbshost";
    private final LocalShell local = LocalShell.create();
    private final Map<String, FakeJob> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<List<String>> commands = Collections.synchronizedList(new ArrayList<>());
    private int next = 1;
    private int maxRunningSeen;

    private static final class FakeJob {
        final String id;
        final String name;
        final Path script;
        final Integer index;            // a subjob's array index
        final FakeJob parent;
        final List<FakeJob> subjobs = new ArrayList<>();
        final List<String> afterok = new ArrayList<>();
        final int maxRunning;
        String state = "Q";
        int substate = 10;
        Integer exit;
        String comment = "";
        boolean systemHold;
        Process process;
        boolean deleting;

        FakeJob(String id, String name, Path script, Integer index, FakeJob parent, int maxRunning) {
            this.id = id;
            this.name = name;
            this.script = script;
            this.index = index;
            this.parent = parent;
            this.maxRunning = maxRunning;
        }
    }

    /** Every command run, in order. */
    List<List<String>> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    /** The most subjobs of one array seen running at once. */
    synchronized int maxRunningSeen() {
        return maxRunningSeen;
    }

    @Override
    public synchronized CommandResult run(List<String> command, Duration timeout) {
        commands.add(command);
        update();
        switch (command.get(0)) {
            case "qstat":
                return command.contains("--version") ? result(command, 0, "pbs_version = 23.06.06\n", "")
                        : qstat(command);
            case "qsub":
                return qsub(command);
            case "qdel":
                return qdel(command);
            default:
                return local.run(command, timeout);
        }
    }

    private CommandResult qsub(List<String> command) {
        Path script = Path.of(command.get(command.size() - 1));
        String text;
        try {
            text = Files.readString(script);
        } catch (IOException e) {
            return result(command, 2, "", "qsub: script file:: No such file or directory\n");
        }
        String name = script.getFileName().toString();
        String array = null;
        List<String> afterok = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#")) {
                break;
            }
            Matcher m = Pattern.compile("#PBS (-\\S+) ?(.*)").matcher(line);
            if (!m.matches()) {
                continue;
            }
            switch (m.group(1)) {
                case "-N":
                    name = m.group(2);
                    break;
                case "-J":
                    array = m.group(2);
                    break;
                case "-W":
                    for (String dep : m.group(2).replace("depend=", "").split(",")) {
                        String[] f = dep.split(":");
                        if (!f[0].equals("afterok")) {
                            return result(command, 1, "", "qsub: fake server knows afterok only\n");
                        }
                        afterok.addAll(List.of(f).subList(1, f.length));
                    }
                    break;
                default:
                    break;
            }
        }
        int number = next++;
        if (array == null) {
            FakeJob job = new FakeJob(number + "." + SERVER, name, script, null, null, 0);
            job.afterok.addAll(afterok);
            jobs.put(job.id, job);
            update();
            return result(command, 0, job.id + "\n", "");
        }
        Matcher r = Pattern.compile("(\\d+)-(\\d+)(?:%(\\d+))?").matcher(array);
        if (!r.matches() || Integer.parseInt(r.group(1)) >= Integer.parseInt(r.group(2))) {
            return result(command, 2, "", "qsub: illegal -J value\n");
        }
        FakeJob parent = new FakeJob(number + "[]." + SERVER, name, script, null, null,
                r.group(3) == null ? Integer.MAX_VALUE : Integer.parseInt(r.group(3)));
        parent.afterok.addAll(afterok);
        jobs.put(parent.id, parent);
        for (int i = Integer.parseInt(r.group(1)); i <= Integer.parseInt(r.group(2)); i++) {
            FakeJob sub = new FakeJob(number + "[" + i + "]." + SERVER, name, script, i, parent, 0);
            sub.afterok.addAll(afterok);
            parent.subjobs.add(sub);
            jobs.put(sub.id, sub);
        }
        update();
        return result(command, 0, parent.id + "\n", "");
    }

    private CommandResult qstat(List<String> command) {
        boolean history = command.contains("-x");
        List<String> ids = command.stream().skip(1).filter(w -> !w.startsWith("-")).toList();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int rc = 0;
        Collection<FakeJob> shown = ids.isEmpty()
                ? jobs.values().stream().filter(j -> j.parent == null && (history || !j.state.equals("F"))).toList()
                : List.of();
        for (FakeJob j : shown) {
            print(j, out);
        }
        for (String id : ids) {
            FakeJob j = jobs.get(id);
            if (j == null) {
                err.append("qstat: Unknown Job Id ").append(id).append('\n');
                rc = 153;
            } else if (!history && j.state.equals("F")) {
                err.append("qstat: ").append(id).append(" Job has finished, use -x or -H to obtain historical job "
                        + "information\n");
                rc = 35;
            } else {
                print(j, out);
            }
        }
        return result(command, rc, out.toString(), err.toString());
    }

    private CommandResult qdel(List<String> command) {
        StringBuilder err = new StringBuilder();
        int rc = 0;
        for (String id : command.subList(1, command.size())) {
            FakeJob j = jobs.get(id);
            if (j == null) {
                err.append("qdel: Unknown Job Id ").append(id).append('\n');
                rc = 153;
                continue;
            }
            List<FakeJob> targets = j.subjobs.isEmpty() ? List.of(j) : j.subjobs;
            for (FakeJob t : targets) {
                if (t.state.equals("F")) {
                    if (j == t) {
                        err.append("qdel: Job has finished ").append(id).append('\n');
                        rc = 35;
                    }
                } else if (t.process != null) {
                    t.deleting = true;
                    t.process.destroy();   // TERM; its end is read at the next command
                } else {
                    finish(t, null, 91, "");
                }
            }
        }
        update();
        return result(command, rc, "", err.toString());
    }

    /** Starts what may start, settles what ended: dependencies, array limits, processes. */
    private void update() {
        for (FakeJob j : List.copyOf(jobs.values())) {
            if (j.process != null && !j.process.isAlive()) {
                int code = j.process.exitValue();
                j.process = null;
                if (j.deleting) {
                    finish(j, 256 + 15, 91, "Job run at Wed Nov 25 at 06:17 on (pbshost:ncpus=1) and terminated");
                } else {
                    finish(j, code, code == 0 ? 92 : 93, "Job run at Wed Nov 25 at 06:19 on (pbshost:ncpus=1) and "
                            + (code == 0 ? "finished" : "failed"));
                }
            }
        }
        for (FakeJob j : List.copyOf(jobs.values())) {
            if (!j.subjobs.isEmpty() || !j.state.equals("Q") && !j.state.equals("H")) {
                continue;
            }
            String deps = depends(j);
            if (deps.equals("failed")) {
                finish(j, null, 92, "");   // an afterok dependent of a failed job: finished without running
            } else if (deps.equals("waiting")) {
                j.state = "H";
                j.systemHold = true;
            } else if (j.parent == null || running(j.parent) < j.parent.maxRunning) {
                start(j);
            } else {
                j.state = "Q";
                j.systemHold = false;
            }
        }
        for (FakeJob j : jobs.values()) {
            if (!j.subjobs.isEmpty()) {
                maxRunningSeen = Math.max(maxRunningSeen, (int) running(j));
                boolean allDone = j.subjobs.stream().allMatch(s -> s.state.equals("F"));
                boolean begun = j.subjobs.stream().anyMatch(s -> !s.state.equals("Q") && !s.state.equals("H"));
                if (allDone && !j.state.equals("F")) {
                    boolean failed = j.subjobs.stream().anyMatch(s -> s.exit == null || s.exit != 0);
                    finish(j, 0, failed ? 93 : 92, "Job Array Began at Wed Nov 25 at 06:18 and "
                            + (failed ? "failed" : "finished"));
                } else if (!allDone) {
                    j.state = begun ? "B" : "Q";
                }
            }
        }
    }

    private static long running(FakeJob parent) {
        return parent.subjobs.stream().filter(s -> s.state.equals("R")).count();
    }

    /** "ok", "waiting" or "failed", by the afterok ids (the whole array for {@code 4[].pbshost}). */
    private String depends(FakeJob j) {
        for (String id : j.afterok) {
            FakeJob d = jobs.get(id);
            if (d == null) {
                return "failed";   // OpenPBS takes an unknown id, and the job then finishes without running
            }
            if (!d.state.equals("F")) {
                return "waiting";
            }
            if (d.exit == null || d.exit != 0) {
                return "failed";
            }
        }
        return "ok";
    }

    private void start(FakeJob j) {
        ProcessBuilder pb = new ProcessBuilder("bash", j.script.toString());
        pb.environment().put("PBS_JOBID", j.id);
        if (j.index != null) {
            pb.environment().put("PBS_ARRAY_INDEX", String.valueOf(j.index));
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            j.process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        j.state = "R";
        j.substate = 42;
        j.systemHold = false;
        j.comment = "Job run at Wed Nov 25 at 06:17 on (pbshost:ncpus=1)";
    }

    private static void finish(FakeJob j, Integer exit, int substate, String comment) {
        j.state = "F";
        j.exit = exit;
        j.substate = substate;
        j.comment = comment;
    }

    private static void print(FakeJob j, StringBuilder out) {
        out.append("Job Id: ").append(j.id).append('\n');
        out.append("    Job_Name = ").append(j.name).append('\n');
        out.append("    Job_Owner = alice@pbshost\n");
        out.append("    job_state = ").append(j.state).append('\n');
        out.append("    queue = workq\n    server = pbshost\n");
        out.append("    Hold_Types = ").append(j.systemHold ? "s" : "n").append('\n');
        out.append("    substate = ").append(j.substate).append('\n');
        if (!j.comment.isEmpty()) {
            out.append("    comment = ").append(j.comment).append('\n');
        }
        if (j.exit != null) {
            out.append("    Exit_status = ").append(j.exit).append('\n');
        }
        if (!j.subjobs.isEmpty()) {
            out.append("    array = True\n");
        }
        out.append('\n');
    }

    private static CommandResult result(List<String> command, int rc, String out, String err) {
        return new CommandResult(command, rc, out, err, Duration.ZERO);
    }

    /**
     * Stops every job still running, with what it started, and waits until they are gone (end of a
     * test: a job still handling its TERM could write into a directory being deleted).
     */
    synchronized void stopAll() {
        for (FakeJob j : jobs.values()) {
            if (j.process != null) {
                j.process.descendants().forEach(ProcessHandle::destroyForcibly);
                j.process.destroyForcibly();
                try {
                    j.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void writeFile(Path file, byte[] content) {
        local.writeFile(file, content);
    }

    @Override
    public Optional<byte[]> readFile(Path file) {
        return local.readFile(file);
    }

    @Override
    public Map<Path, byte[]> readFiles(Collection<Path> files) {
        return local.readFiles(files);
    }

    @Override
    public void createDirectories(Path dir) {
        local.createDirectories(dir);
    }

    @Override
    public String describe() {
        return "fake OpenPBS";
    }
}
