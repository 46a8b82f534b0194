package org.drover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.drover.internal.Json;
import org.drover.shell.ShellQuote;

/**
 * An immutable description of one batch job: what to run, with which resources, environment and
 * dependencies. Every fluent method returns a new {@code Job} and validates its argument at once.
 *
 * <pre>{@code
 * Job prep = Job.named("prep")
 *         .command("python", "prep.py", "--out", "data.csv")
 *         .cpus(2).memory("4G").walltime("00:30:00")
 *         .env("OMP_NUM_THREADS", "2");
 * Job train = Job.named("train").script("python train.py > model.txt").gpus(1).dependsOn("prep");
 * Job.named("bad name");     // IllegalArgumentException: job name 'bad name' is not allowed: ...
 * prep.cpus(-1);             // IllegalArgumentException: cpus must be at least 1, got -1
 * }</pre>
 *
 * <p>A job runs either a command (an argument list, quoted word by word, never interpreted by a
 * shell) or a script body (bash text, run as written). Arguments and environment values may hold
 * any text; see {@link Names} for the name rules.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"name", "command", "script", "resources", "env", "workingDir", "stdout", "stderr",
        "directives", "dependencies", "requeue", "sweep", "sweepIndex", "params"})
public final class Job {
    private final String name;
    private final ImmutableList<String> command;
    private final String script;
    private final Resources resources;
    private final ImmutableMap<String, String> env;
    private final String workingDir;
    private final String stdout;
    private final String stderr;
    private final ImmutableList<String> directives;
    private final ImmutableList<Dependency> dependencies;
    private final boolean requeue;
    private final String sweep;
    private final int sweepIndex;
    private final ImmutableMap<String, String> params;

    private Job(Draft d) {
        this.name = Names.requireJobName(d.name);
        this.command = d.command;
        this.script = d.script;
        this.resources = d.resources;
        this.env = d.env;
        this.workingDir = d.workingDir;
        this.stdout = d.stdout;
        this.stderr = d.stderr;
        this.directives = d.directives;
        this.dependencies = d.dependencies;
        this.requeue = d.requeue;
        this.sweep = d.sweep;
        this.sweepIndex = d.sweepIndex;
        this.params = d.params;
    }

    /**
     * A new job with only a name; give it a {@link #command} or a {@link #script}.
     *
     * @throws IllegalArgumentException if the name breaks the {@link Names} rules
     * @param name the job's name (1-128 characters from {@code A-Z a-z 0-9 _ . -})
     * @return a new job with only a name; give it a {@link #command} or a {@link #script}
     */
    public static Job named(String name) {
        Draft d = new Draft();
        d.name = Names.requireJobName(name);
        return new Job(d);
    }

    // ---- what to run ----

    /**
     * Runs this program with these arguments; each word reaches the program unchanged.
     *
     * @throws IllegalArgumentException if there is no word, the program is empty, or a word holds NUL
     * @param argv the program and its arguments, never parsed by a shell
     * @return a new job with this change (this one is unchanged)
     */
    public Job command(String... argv) {
        return command(Arrays.asList(argv));
    }

    /**
     * As {@link #command(String...)}.
     *
     * @param argv the program and its arguments, never parsed by a shell
     * @return a new job with this change (this one is unchanged)
     */
    public Job command(List<String> argv) {
        ImmutableList<String> words = checkedCommand(argv);
        return with(d -> {
            d.command = words;
            d.script = null;
        });
    }

    private static ImmutableList<String> checkedCommand(List<String> argv) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("command must have at least one word");
        }
        for (int i = 0; i < argv.size(); i++) {
            Names.requireText("command[" + i + "]", argv.get(i));
        }
        if (argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("command[0] (the program) must not be empty");
        }
        return ImmutableList.copyOf(argv);
    }

    /**
     * Runs this bash script body instead of a command.
     *
     * @throws IllegalArgumentException if the body is blank or holds NUL
     * @param body the script body, run by bash as written
     * @return a new job with this change (this one is unchanged)
     */
    public Job script(String body) {
        Names.requireText("script", body);
        if (body.isBlank()) {
            throw new IllegalArgumentException("script must not be blank");
        }
        return with(d -> {
            d.script = body;
            d.command = null;
        });
    }

    // ---- resources ----

    /**
     * Cpus per task (default 1).
     *
     * @param cpus the number of cpus (1 or more)
     * @return a new job with this change (this one is unchanged)
     */
    public Job cpus(int cpus) {
        Resources r = resources.withCpus(cpus);
        return with(d -> d.resources = r);
    }

    /**
     * Memory per node, e.g. {@code "512M"}, {@code "16G"}, {@code "1.5GB"}; see {@link Memory#parse}.
     *
     * @param memory the memory, e.g. {@code 4G} or {@code 512M}
     * @return a new job with this change (this one is unchanged)
     */
    public Job memory(String memory) {
        return memory(Memory.parse(memory));
    }

    /**
     * Memory per node.
     *
     * @param memory the memory, e.g. {@code 4G} or {@code 512M}
     * @return a new job with this change (this one is unchanged)
     */
    public Job memory(Memory memory) {
        Resources r = resources.withMemory(Objects.requireNonNull(memory, "memory"));
        return with(d -> d.resources = r);
    }

    /**
     * Gpus per node (default 0).
     *
     * @param gpus the number of gpus (0 or more)
     * @return a new job with this change (this one is unchanged)
     */
    public Job gpus(int gpus) {
        Resources r = resources.withGpus(gpus);
        return with(d -> d.resources = r);
    }

    /**
     * Nodes (default 1).
     *
     * @param nodes the number of nodes (1 or more)
     * @return a new job with this change (this one is unchanged)
     */
    public Job nodes(int nodes) {
        Resources r = resources.withNodes(nodes);
        return with(d -> d.resources = r);
    }

    /**
     * Tasks, e.g. MPI ranks (default 1).
     *
     * @param tasks the number of tasks (1 or more)
     * @return a new job with this change (this one is unchanged)
     */
    public Job tasks(int tasks) {
        Resources r = resources.withTasks(tasks);
        return with(d -> d.resources = r);
    }

    /**
     * Wall-clock limit: {@code "90"} (minutes), {@code "01:30:00"}, {@code "2-00:00:00"}; see {@link Walltime}.
     *
     * @param walltime the walltime, e.g. {@code 01:30:00}, {@code 90} (minutes) or {@code 2-00:00:00}
     * @return a new job with this change (this one is unchanged)
     */
    public Job walltime(String walltime) {
        return walltime(Walltime.parse(walltime));
    }

    /**
     * Wall-clock limit, whole seconds.
     *
     * @param walltime the walltime, e.g. {@code 01:30:00}, {@code 90} (minutes) or {@code 2-00:00:00}
     * @return a new job with this change (this one is unchanged)
     */
    public Job walltime(Duration walltime) {
        Resources r = resources.withWalltime(Walltime.requireValid(walltime));
        return with(d -> d.resources = r);
    }

    /**
     * SLURM partition.
     *
     * @param partition the partition (queue)
     * @return a new job with this change (this one is unchanged)
     */
    public Job partition(String partition) {
        Resources r = resources.withPartition(Names.requireSchedulerWord("partition", partition));
        return with(d -> d.resources = r);
    }

    /**
     * PBS queue: the same setting as {@link #partition}.
     *
     * @param queue the queue (PBS) or partition (SLURM)
     * @return a new job with this change (this one is unchanged)
     */
    public Job queue(String queue) {
        Resources r = resources.withPartition(Names.requireSchedulerWord("queue", queue));
        return with(d -> d.resources = r);
    }

    /**
     * Account charged for the job.
     *
     * @param account the account charged
     * @return a new job with this change (this one is unchanged)
     */
    public Job account(String account) {
        Resources r = resources.withAccount(Names.requireSchedulerWord("account", account));
        return with(d -> d.resources = r);
    }

    /**
     * Quality of service.
     *
     * @param qos the quality of service
     * @return a new job with this change (this one is unchanged)
     */
    public Job qos(String qos) {
        Resources r = resources.withQos(Names.requireSchedulerWord("qos", qos));
        return with(d -> d.resources = r);
    }

    /**
     * Whole nodes, shared with no other job.
     *
     * @return a new job with this change (this one is unchanged)
     */
    public Job exclusive() {
        Resources r = resources.withExclusive(true);
        return with(d -> d.resources = r);
    }

    /**
     * Node feature constraint, e.g. {@code "intel&ib"}.
     *
     * @param constraint a node feature expression
     * @return a new job with this change (this one is unchanged)
     */
    public Job constraint(String constraint) {
        Resources r = resources.withConstraint(Names.requireConstraint(constraint));
        return with(d -> d.resources = r);
    }

    /**
     * All resources at once.
     *
     * @param resources every resource at once, replacing those set before
     * @return a new job with this change (this one is unchanged)
     */
    public Job resources(Resources resources) {
        Objects.requireNonNull(resources, "resources");
        return with(d -> d.resources = resources);
    }

    // ---- environment and files ----

    /**
     * Sets an environment variable; the value may hold any text except NUL. Names starting with
     * {@value Names#RESERVED_ENV_PREFIX} are Drover's own ({@code DROVER_JOB_ID},
     * {@code DROVER_JOB_NAME}, {@code DROVER_ATTEMPT_DIR}, a sweep member's
     * {@code DROVER_PARAM_<name>}): a job's value would replace Drover's, so they are refused.
     *
     * <pre>{@code
     * job.env("OMP_NUM_THREADS", "4");   // ok
     * job.env("DROVER_JOB_ID", "7");     // IllegalArgumentException: job 'train' sets environment variable DROVER_JOB_ID: ...
     * }</pre>
     *
     * @param name the variable's name ({@code A-Z a-z 0-9 _}, not starting with a digit, not
     *     starting with {@value Names#RESERVED_ENV_PREFIX})
     * @param value its value, any text without NUL
     * @return a new job with this change (this one is unchanged)
     * @throws IllegalArgumentException if the name breaks these rules or is reserved, or the value holds NUL
     */
    public Job env(String name, String value) {
        Names.requireEnvName(name);
        if (name.startsWith(Names.RESERVED_ENV_PREFIX)) {
            throw new IllegalArgumentException(reservedEnvMessage(name));
        }
        return withEnv(name, value);
    }

    private String reservedEnvMessage(String variable) {
        return "job '" + name + "' sets environment variable " + variable + ": names starting with "
                + Names.RESERVED_ENV_PREFIX + " are reserved for the variables Drover sets itself (DROVER_JOB_ID, "
                + "DROVER_JOB_NAME, DROVER_ATTEMPT_DIR, DROVER_PARAM_<name> of sweep members), which the job's own "
                + "value would replace; choose another name";
    }

    /**
     * Sets a variable without the reserved-name check: for the {@code DROVER_PARAM_<name>}
     * variables a {@link Sweep} gives its members, and for values copied from a checked job.
     */
    Job withEnv(String name, String value) {
        Names.requireEnvName(name);
        Names.requireText("env " + name, value);
        return with(d -> {
            Map<String, String> m = new LinkedHashMap<>(d.env);
            m.put(name, value);
            d.env = ImmutableMap.copyOf(m);
        });
    }

    /**
     * Sets several environment variables, in the map's order.
     *
     * @param variables names and values, set in their iteration order
     * @return a new job with this change (this one is unchanged)
     */
    public Job env(Map<String, String> variables) {
        Job j = this;
        for (Map.Entry<String, String> e : variables.entrySet()) {
            j = j.env(e.getKey(), e.getValue());
        }
        return j;
    }

    /**
     * The directory the job runs in (default: its attempt directory {@code <run>/<job>/<attempt>}).
     *
     * @param dir an absolute directory on the machine the job runs on
     * @return a new job with this change (this one is unchanged)
     */
    public Job workingDir(String dir) {
        Names.requireLine("workingDir", dir);
        return with(d -> d.workingDir = dir);
    }

    /**
     * As {@link #workingDir(String)}.
     *
     * @param dir an absolute directory on the machine the job runs on
     * @return a new job with this change (this one is unchanged)
     */
    public Job workingDir(Path dir) {
        return workingDir(dir.toString());
    }

    /**
     * Where stdout goes (default: {@code stdout} in the attempt directory).
     *
     * @param path an absolute path, or relative to the working directory
     * @return a new job with this change (this one is unchanged)
     */
    public Job stdout(String path) {
        Names.requireLine("stdout", path);
        return with(d -> d.stdout = path);
    }

    /**
     * Where stderr goes (default: {@code stderr} in the attempt directory).
     *
     * @param path an absolute path, or relative to the working directory
     * @return a new job with this change (this one is unchanged)
     */
    public Job stderr(String path) {
        Names.requireLine("stderr", path);
        return with(d -> d.stderr = path);
    }

    /**
     * A raw scheduler directive, passed as written (e.g. {@code "--mail-type=END"} for SLURM,
     * {@code "-m abe"} for PBS): the escape hatch for options Drover does not model.
     *
     * @param raw the raw directive line
     * @return a new job with this change (this one is unchanged)
     */
    public Job directive(String raw) {
        Names.requireLine("directive", raw);
        return with(d -> d.directives = ImmutableList.<String>builder().addAll(d.directives).add(raw).build());
    }

    /**
     * Whether the scheduler may requeue the job itself after a node failure (default false:
     * Drover's RunManager decides retries, so a job never runs twice behind its back).
     *
     * @param requeue whether the scheduler may requeue the job
     * @return a new job with this change (this one is unchanged)
     */
    public Job requeue(boolean requeue) {
        return with(d -> d.requeue = requeue);
    }

    // ---- dependencies ----

    /**
     * Runs after these jobs or sweeps completed successfully (afterok).
     *
     * @param targets job names, sweep names or patterns with {@code *}
     * @return a new job with this change (this one is unchanged)
     */
    public Job dependsOn(String... targets) {
        return dependsOn(DependencyType.AFTER_OK, targets);
    }

    /**
     * Runs after these jobs or sweeps, with the given semantics.
     *
     * @param type the dependency type
     * @param targets job names, sweep names or patterns with {@code *}
     * @return a new job with this change (this one is unchanged)
     */
    public Job dependsOn(DependencyType type, String... targets) {
        Objects.requireNonNull(type, "dependency type");
        ImmutableList.Builder<Dependency> b = ImmutableList.builder();
        for (String t : targets) {
            b.add(Dependency.on(t, type));
        }
        ImmutableList<Dependency> added = b.build();
        return with(d -> d.dependencies = ImmutableList.<Dependency>builder()
                .addAll(d.dependencies).addAll(added).build());
    }

    /**
     * Runs after these ended, however (afterany).
     *
     * @param targets job names, sweep names or patterns with {@code *}
     * @return a new job with this change (this one is unchanged)
     */
    public Job afterAny(String... targets) {
        return dependsOn(DependencyType.AFTER_ANY, targets);
    }

    /**
     * Runs only if one of these failed (afternotok).
     *
     * @param targets job names, sweep names or patterns with {@code *}
     * @return a new job with this change (this one is unchanged)
     */
    public Job afterNotOk(String... targets) {
        return dependsOn(DependencyType.AFTER_NOT_OK, targets);
    }

    /**
     * The same job with no dependencies.
     *
     * @return the same job with no dependencies
     */
    public Job withoutDependencies() {
        // Immutable: a job without dependencies is its own copy (no second Job per submission).
        return dependencies.isEmpty() ? this : with(d -> d.dependencies = ImmutableList.of());
    }

    /**
     * The same job under another name.
     *
     * @param newName the new name
     * @return the same job under another name
     */
    public Job renamed(String newName) {
        Names.requireJobName(newName);
        return with(d -> d.name = newName);
    }

    /** Marks this job as member {@code index} of sweep {@code sweep}, with its parameter values. */
    Job inSweep(String sweepName, int index, Map<String, String> values) {
        return with(d -> {
            d.sweep = sweepName;
            d.sweepIndex = index;
            d.params = ImmutableMap.copyOf(values);
        });
    }

    private Job with(Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return new Job(d);
    }

    // ---- accessors ----

    /**
     * The job's name, unique in its bundle.
     *
     * @return the name
     */
    @JsonProperty
    public String name() {
        return name;
    }

    /**
     * The argument list, or empty when the job runs a script.
     *
     * @return the argument list, or empty when the job runs a script
     */
    @JsonProperty
    public List<String> command() {
        return command == null ? List.of() : command;
    }

    /**
     * The script body, if the job runs one.
     *
     * @return the script body, if the job runs one
     */
    @JsonIgnore
    public Optional<String> script() {
        return Optional.ofNullable(script);
    }

    @JsonProperty("script")
    String scriptOrNull() {
        return script;
    }

    /**
     * Whether a command or a script was given.
     *
     * @return whether a command or a script was given
     */
    @JsonIgnore
    public boolean isRunnable() {
        return command != null || script != null;
    }

    /**
     * What the job asks of the scheduler.
     *
     * @return the resources
     */
    @JsonProperty
    public Resources resources() {
        return resources;
    }

    /**
     * Environment variables set for the job, in the order set.
     *
     * @return names and values
     */
    @JsonProperty
    public Map<String, String> env() {
        return env;
    }

    /**
     * The directory the job starts in, when not its attempt directory.
     *
     * @return the directory, or empty for the attempt directory
     */
    @JsonIgnore
    public Optional<String> workingDir() {
        return Optional.ofNullable(workingDir);
    }

    @JsonProperty("workingDir")
    String workingDirOrNull() {
        return workingDir;
    }

    /**
     * Where standard output goes, when not the attempt directory's {@code stdout}.
     *
     * @return the path, or empty for the default
     */
    @JsonIgnore
    public Optional<String> stdout() {
        return Optional.ofNullable(stdout);
    }

    @JsonProperty("stdout")
    String stdoutOrNull() {
        return stdout;
    }

    /**
     * Where standard error goes, when not the attempt directory's {@code stderr}.
     *
     * @return the path, or empty for the default
     */
    @JsonIgnore
    public Optional<String> stderr() {
        return Optional.ofNullable(stderr);
    }

    @JsonProperty("stderr")
    String stderrOrNull() {
        return stderr;
    }

    /**
     * Raw scheduler directive lines, written as given.
     *
     * @return the directives
     */
    @JsonProperty
    public List<String> directives() {
        return directives;
    }

    /**
     * What this job waits for, by name.
     *
     * @return the dependencies, in the order added
     */
    @JsonProperty
    public List<Dependency> dependencies() {
        return dependencies;
    }

    /**
     * Whether the scheduler may requeue the job after a node failure or preemption.
     *
     * @return whether it may
     */
    @JsonProperty
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public boolean requeue() {
        return requeue;
    }

    /**
     * The sweep this job was expanded from, if any.
     *
     * @return the sweep this job was expanded from, if any
     */
    @JsonIgnore
    public Optional<String> sweep() {
        return Optional.ofNullable(sweep);
    }

    @JsonProperty("sweep")
    String sweepOrNull() {
        return sweep;
    }

    /**
     * Position in its sweep (0-based), the array task id when submitted as an array; -1 outside a sweep.
     *
     * @return the position in its sweep, or -1
     */
    @JsonIgnore
    public int sweepIndex() {
        return sweepIndex;
    }

    @JsonProperty("sweepIndex")
    Integer sweepIndexOrNull() {
        return sweep == null ? null : sweepIndex;
    }

    /**
     * The sweep parameter values of this job, in declaration order (empty outside a sweep).
     *
     * @return the sweep parameter values of this job, in declaration order (empty outside a sweep)
     */
    @JsonProperty
    public Map<String, String> params() {
        return params;
    }

    // ---- JSON ----

    /**
     * This job as JSON; {@link #fromJson} reads it back to an equal job.
     *
     * @return this job as JSON; {@link #fromJson} reads it back to an equal job
     */
    public String toJson() {
        return Json.write(this);
    }

    /**
     * Reads a job from JSON.
     *
     * @throws RecordFormatException naming the JSON path of a bad or unknown field
     * @param json the JSON text
     * @return the job
     */
    public static Job fromJson(String json) {
        return Json.read(json, Job.class, "job JSON");
    }

    /**
     * Reads a job record ({@code job.json}).
     *
     * @param file a {@code job.json} record
     * @return the job
     */
    public static Job load(Path file) {
        return Json.read(file, Job.class);
    }

    @JsonCreator
    static Job fromJson(@JsonProperty("name") String name, @JsonProperty("command") List<String> command,
                        @JsonProperty("script") String script, @JsonProperty("resources") Resources resources,
                        @JsonProperty("env") Map<String, String> env, @JsonProperty("workingDir") String workingDir,
                        @JsonProperty("stdout") String stdout, @JsonProperty("stderr") String stderr,
                        @JsonProperty("directives") List<String> directives,
                        @JsonProperty("dependencies") List<Dependency> dependencies,
                        @JsonProperty("requeue") Boolean requeue, @JsonProperty("sweep") String sweep,
                        @JsonProperty("sweepIndex") Integer sweepIndex,
                        @JsonProperty("params") Map<String, String> params) {
        Job j = Json.field("name", () -> named(name));
        if (command != null) {
            if (script != null) {
                throw new IllegalArgumentException(
                        "job '" + name + "' has both a command and a script; a job has one of them");
            }
            Job named = j;
            j = Json.field("command", () -> named.command(command));
        } else if (script != null) {
            Job named = j;
            j = Json.field("script", () -> named.script(script));
        }
        Job next = j;
        if (resources != null) {
            j = next.resources(resources);
        }
        if (env != null) {
            Map<String, String> values = params == null ? Map.of() : params;
            for (Map.Entry<String, String> e : env.entrySet()) {
                Job base = j;
                String k = e.getKey();
                String v = e.getValue();
                // A sweep member's record holds its DROVER_PARAM_<name> variables, equal to its params.
                boolean param = sweep != null && k != null && k.startsWith(Sweep.ENV_PREFIX)
                        && v != null && v.equals(values.get(k.substring(Sweep.ENV_PREFIX.length())));
                j = Json.field("env", () -> param ? base.withEnv(k, v) : base.env(k, v));
            }
        }
        if (workingDir != null) {
            Job base = j;
            j = Json.field("workingDir", () -> base.workingDir(workingDir));
        }
        if (stdout != null) {
            Job base = j;
            j = Json.field("stdout", () -> base.stdout(stdout));
        }
        if (stderr != null) {
            Job base = j;
            j = Json.field("stderr", () -> base.stderr(stderr));
        }
        if (directives != null) {
            for (int i = 0; i < directives.size(); i++) {
                Job base = j;
                String raw = directives.get(i);
                j = Json.field("directives[" + i + "]", () -> base.directive(raw));
            }
        }
        if (dependencies != null) {
            for (int i = 0; i < dependencies.size(); i++) {
                if (dependencies.get(i) == null) {
                    Json.field("dependencies[" + i + "]", () -> {
                        throw new IllegalArgumentException("a dependency must not be null");
                    });
                }
            }
            Job base = j;
            j = base.with(d -> d.dependencies = ImmutableList.copyOf(dependencies));
        }
        if (requeue != null) {
            j = j.requeue(requeue);
        }
        if (sweep == null) {
            if (sweepIndex != null || params != null) {
                throw new IllegalArgumentException("job '" + name + "' has " + (sweepIndex != null ? "sweepIndex" : "params")
                        + " but no sweep: only members of a sweep have them");
            }
        } else {
            Json.field("sweep", () -> Names.require("sweep name", sweep));
            if (sweepIndex == null) {
                throw new IllegalArgumentException("job '" + name + "' is a member of sweep '" + sweep
                        + "' but has no sweepIndex");
            }
            if (sweepIndex < 0) {
                Json.field("sweepIndex", () -> {
                    throw new IllegalArgumentException("must be 0 or more, got " + sweepIndex);
                });
            }
            Map<String, String> values = params == null ? Map.of() : params;
            values.forEach((k, v) -> Json.field("params." + k, () -> {
                if (!Sweep.PARAM_NAME.matcher(k).matches()) {
                    throw new IllegalArgumentException("sweep parameter name '" + Names.printable(k)
                            + "' is not allowed: use A-Z a-z 0-9 _, not starting with a digit");
                }
                return Names.requireText("sweep parameter " + k, v);
            }));
            Job base = j;
            j = base.inSweep(sweep, sweepIndex, values);
        }
        return j;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Job)) {
            return false;
        }
        Job j = (Job) o;
        return name.equals(j.name) && Objects.equals(command, j.command) && Objects.equals(script, j.script)
                && resources.equals(j.resources) && env.equals(j.env) && Objects.equals(workingDir, j.workingDir)
                && Objects.equals(stdout, j.stdout) && Objects.equals(stderr, j.stderr)
                && directives.equals(j.directives) && dependencies.equals(j.dependencies) && requeue == j.requeue
                && Objects.equals(sweep, j.sweep) && sweepIndex == j.sweepIndex && params.equals(j.params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, command, script, resources, env, dependencies, sweep, sweepIndex);
    }

    @Override
    public String toString() {
        return "Job[" + summary() + "]";
    }

    /** One line without the type's name, for listings: {@code prep: 'python3' 'prep.py' (cpus=1) [afterok:raw]}. */
    String summary() {
        return name + ": " + (command != null ? ShellQuote.join(command) : script != null ? scriptSummary(script) : "<nothing>")
                + " (" + resources + ")" + (dependencies.isEmpty() ? "" : " " + dependencies);
    }

    /** {@code <script: mkdir -p out && ./train --lr=0.1 (+3 lines)>}: its first line, cut at 60 characters. */
    private static String scriptSummary(String script) {
        String[] lines = script.strip().split("\n", -1);
        String first = lines[0].strip();
        if (first.length() > 60) {
            first = first.substring(0, 60) + "…";
        }
        return "<script: " + first + (lines.length > 1 ? " (+" + (lines.length - 1) + (lines.length == 2 ? " line)" : " lines)") : "")
                + ">";
    }

    /** Mutable copy used only inside the fluent methods. */
    private static final class Draft {
        String name;
        ImmutableList<String> command;
        String script;
        Resources resources = Resources.DEFAULT;
        ImmutableMap<String, String> env = ImmutableMap.of();
        String workingDir;
        String stdout;
        String stderr;
        ImmutableList<String> directives = ImmutableList.of();
        ImmutableList<Dependency> dependencies = ImmutableList.of();
        boolean requeue;
        String sweep;
        int sweepIndex = -1;
        ImmutableMap<String, String> params = ImmutableMap.of();

        Draft() {}

        Draft(Job j) {
            name = j.name;
            command = j.command;
            script = j.script;
            resources = j.resources;
            env = j.env;
            workingDir = j.workingDir;
            stdout = j.stdout;
            stderr = j.stderr;
            directives = j.directives;
            dependencies = j.dependencies;
            requeue = j.requeue;
            sweep = j.sweep;
            sweepIndex = j.sweepIndex;
            params = j.params;
        }
    }
}
