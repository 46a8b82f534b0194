package org.drover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import org.drover.internal.Json;

/**
 * A dependency on other jobs by name: a job name, a sweep name (all its jobs), or a pattern with
 * {@code *} (every job whose name matches), and the {@link DependencyType}.
 *
 * <pre>{@code
 * Job.named("report").dependsOn("train")                              // afterok on the sweep 'train'
 * Job.named("cleanup").dependsOn(DependencyType.AFTER_ANY, "train*")  // after all train jobs ended
 * }</pre>
 */
public final class Dependency {
    private final String target;
    private final DependencyType type;

    @JsonCreator
    private Dependency(@JsonProperty("target") String target, @JsonProperty("type") DependencyType type) {
        this.target = Json.field("target", () -> Names.requireDependencyTarget(target));
        this.type = type == null ? DependencyType.AFTER_OK : type;
    }

    /**
     * A dependency of the given type.
     *
     * @param target a job name, a sweep name, or a pattern with {@code *}
     * @param type when the dependent may run
     * @return the dependency
     */
    public static Dependency on(String target, DependencyType type) {
        Objects.requireNonNull(type, "dependency type");
        return new Dependency(target, type);
    }

    /**
     * A dependency that runs the dependent only after the target completed successfully.
     *
     * @param target a job name, a sweep name, or a pattern with {@code *}
     * @return the dependency
     */
    public static Dependency afterOk(String target) {
        return new Dependency(target, DependencyType.AFTER_OK);
    }

    /**
     * What the dependent waits for: a job name, a sweep name, or a pattern with {@code *}.
     *
     * @return the target
     */
    @JsonProperty
    public String target() {
        return target;
    }

    /**
     * When the dependent may run.
     *
     * @return the type
     */
    @JsonProperty
    public DependencyType type() {
        return type;
    }

    /**
     * Whether the target is a pattern with {@code *}.
     *
     * @return whether the target is a pattern with {@code *}
     */
    public boolean isPattern() {
        return target.indexOf('*') >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dependency && ((Dependency) o).target.equals(target) && ((Dependency) o).type == type;
    }

    @Override
    public int hashCode() {
        return target.hashCode() * 31 + type.hashCode();
    }

    @Override
    public String toString() {
        return type.keyword() + ":" + target;
    }
}
