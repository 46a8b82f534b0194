package org.drover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.drover.internal.Json;

/**
 * What a job asks of the scheduler: cpus per task, memory per node, gpus, nodes, tasks, walltime,
 * partition (queue), account, qos, exclusive node use and a node feature constraint.
 *
 * <p>Immutable; set through {@link Job}'s fluent methods ({@code job.cpus(4).memory("8G")}).
 * Unset optional values ({@code memory}, {@code walltime}, {@code partition}, ...) are left to the
 * scheduler's defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Resources {
    /** One cpu, one node, one task, no gpu, everything else unset. */
    public static final Resources DEFAULT =
            new Resources(1, null, 0, 1, 1, null, null, null, null, false, null);

    private final int cpus;
    private final Memory memory;
    private final int gpus;
    private final int nodes;
    private final int tasks;
    private final Duration walltime;
    private final String partition;
    private final String account;
    private final String qos;
    private final boolean exclusive;
    private final String constraint;

    Resources(int cpus, Memory memory, int gpus, int nodes, int tasks, Duration walltime, String partition,
              String account, String qos, boolean exclusive, String constraint) {
        this.cpus = positive("cpus", cpus);
        this.memory = memory;
        this.gpus = nonNegative("gpus", gpus);
        this.nodes = positive("nodes", nodes);
        this.tasks = positive("tasks", tasks);
        this.walltime = walltime == null ? null : Walltime.requireValid(walltime);
        this.partition = partition == null ? null : Names.requireSchedulerWord("partition", partition);
        this.account = account == null ? null : Names.requireSchedulerWord("account", account);
        this.qos = qos == null ? null : Names.requireSchedulerWord("qos", qos);
        this.exclusive = exclusive;
        this.constraint = constraint == null ? null : Names.requireConstraint(constraint);
    }

    @JsonCreator
    static Resources fromJson(@JsonProperty("cpus") Integer cpus, @JsonProperty("memory") Memory memory,
                              @JsonProperty("gpus") Integer gpus, @JsonProperty("nodes") Integer nodes,
                              @JsonProperty("tasks") Integer tasks, @JsonProperty("walltime") String walltime,
                              @JsonProperty("partition") String partition, @JsonProperty("account") String account,
                              @JsonProperty("qos") String qos, @JsonProperty("exclusive") Boolean exclusive,
                              @JsonProperty("constraint") String constraint) {
        return new Resources(
                cpus == null ? 1 : Json.field("cpus", () -> positive("cpus", cpus)),
                memory,
                gpus == null ? 0 : Json.field("gpus", () -> nonNegative("gpus", gpus)),
                nodes == null ? 1 : Json.field("nodes", () -> positive("nodes", nodes)),
                tasks == null ? 1 : Json.field("tasks", () -> positive("tasks", tasks)),
                walltime == null ? null : Json.field("walltime", () -> Walltime.parse(walltime)),
                partition == null ? null : Json.field("partition", () -> Names.requireSchedulerWord("partition", partition)),
                account == null ? null : Json.field("account", () -> Names.requireSchedulerWord("account", account)),
                qos == null ? null : Json.field("qos", () -> Names.requireSchedulerWord("qos", qos)),
                exclusive != null && exclusive,
                constraint == null ? null : Json.field("constraint", () -> Names.requireConstraint(constraint)));
    }

    private static int nonNegative(String field, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be 0 or more, got " + value);
        }
        return value;
    }

    private static int positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be at least 1, got " + value);
        }
        return value;
    }

    /**
     * Cpus per task.
     *
     * @return the cpus, 1 or more
     */
    @JsonProperty
    public int cpus() {
        return cpus;
    }

    /**
     * Memory per node, when set.
     *
     * @return the memory, or empty for the scheduler's default
     */
    @JsonIgnore
    public Optional<Memory> memory() {
        return Optional.ofNullable(memory);
    }

    @JsonProperty("memory")
    Memory memoryOrNull() {
        return memory;
    }

    /**
     * Gpus per node.
     *
     * @return the gpus, 0 or more
     */
    @JsonProperty
    public int gpus() {
        return gpus;
    }

    /**
     * Nodes.
     *
     * @return the nodes, 1 or more
     */
    @JsonProperty
    public int nodes() {
        return nodes;
    }

    /**
     * Tasks (processes) in all.
     *
     * @return the tasks, 1 or more
     */
    @JsonProperty
    public int tasks() {
        return tasks;
    }

    /**
     * The walltime, when set.
     *
     * @return the walltime, or empty for the scheduler's default
     */
    @JsonIgnore
    public Optional<Duration> walltime() {
        return Optional.ofNullable(walltime);
    }

    @JsonProperty("walltime")
    String walltimeText() {
        return walltime == null ? null : Walltime.formatWithDays(walltime);
    }

    /**
     * The partition (queue), when set.
     *
     * @return the partition, or empty for the scheduler's default
     */
    @JsonIgnore
    public Optional<String> partition() {
        return Optional.ofNullable(partition);
    }

    @JsonProperty("partition")
    String partitionOrNull() {
        return partition;
    }

    /**
     * The account charged, when set.
     *
     * @return the account, or empty for the scheduler's default
     */
    @JsonIgnore
    public Optional<String> account() {
        return Optional.ofNullable(account);
    }

    @JsonProperty("account")
    String accountOrNull() {
        return account;
    }

    /**
     * The quality of service, when set.
     *
     * @return the qos, or empty
     */
    @JsonIgnore
    public Optional<String> qos() {
        return Optional.ofNullable(qos);
    }

    @JsonProperty("qos")
    String qosOrNull() {
        return qos;
    }

    /**
     * Whether the job needs whole nodes to itself.
     *
     * @return whether it does
     */
    @JsonProperty
    public boolean exclusive() {
        return exclusive;
    }

    /**
     * The node feature constraint, when set.
     *
     * @return the constraint, or empty
     */
    @JsonIgnore
    public Optional<String> constraint() {
        return Optional.ofNullable(constraint);
    }

    @JsonProperty("constraint")
    String constraintOrNull() {
        return constraint;
    }

    Resources withCpus(int v) {
        return new Resources(v, memory, gpus, nodes, tasks, walltime, partition, account, qos, exclusive, constraint);
    }

    Resources withMemory(Memory v) {
        return new Resources(cpus, v, gpus, nodes, tasks, walltime, partition, account, qos, exclusive, constraint);
    }

    Resources withGpus(int v) {
        return new Resources(cpus, memory, v, nodes, tasks, walltime, partition, account, qos, exclusive, constraint);
    }

    Resources withNodes(int v) {
        return new Resources(cpus, memory, gpus, v, tasks, walltime, partition, account, qos, exclusive, constraint);
    }

    Resources withTasks(int v) {
        return new Resources(cpus, memory, gpus, nodes, v, walltime, partition, account, qos, exclusive, constraint);
    }

    Resources withWalltime(Duration v) {
        return new Resources(cpus, memory, gpus, nodes, tasks, v, partition, account, qos, exclusive, constraint);
    }

    Resources withPartition(String v) {
        return new Resources(cpus, memory, gpus, nodes, tasks, walltime, v, account, qos, exclusive, constraint);
    }

    Resources withAccount(String v) {
        return new Resources(cpus, memory, gpus, nodes, tasks, walltime, partition, v, qos, exclusive, constraint);
    }

    Resources withQos(String v) {
        return new Resources(cpus, memory, gpus, nodes, tasks, walltime, partition, account, v, exclusive, constraint);
    }

    Resources withExclusive(boolean v) {
        return new Resources(cpus, memory, gpus, nodes, tasks, walltime, partition, account, qos, v, constraint);
    }

    Resources withConstraint(String v) {
        return new Resources(cpus, memory, gpus, nodes, tasks, walltime, partition, account, qos, exclusive, v);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Resources)) {
            return false;
        }
        Resources r = (Resources) o;
        return cpus == r.cpus && gpus == r.gpus && nodes == r.nodes && tasks == r.tasks && exclusive == r.exclusive
                && Objects.equals(memory, r.memory) && Objects.equals(walltime, r.walltime)
                && Objects.equals(partition, r.partition) && Objects.equals(account, r.account)
                && Objects.equals(qos, r.qos) && Objects.equals(constraint, r.constraint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cpus, memory, gpus, nodes, tasks, walltime, partition, account, qos, exclusive, constraint);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("cpus=").append(cpus);
        if (memory != null) sb.append(", memory=").append(memory);
        if (gpus > 0) sb.append(", gpus=").append(gpus);
        if (nodes > 1) sb.append(", nodes=").append(nodes);
        if (tasks > 1) sb.append(", tasks=").append(tasks);
        if (walltime != null) sb.append(", walltime=").append(Walltime.formatWithDays(walltime));
        if (partition != null) sb.append(", partition=").append(partition);
        if (account != null) sb.append(", account=").append(account);
        if (qos != null) sb.append(", qos=").append(qos);
        if (exclusive) sb.append(", exclusive");
        if (constraint != null) sb.append(", constraint=").append(constraint);
        return sb.toString();
    }
}
