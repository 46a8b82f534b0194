package org.drover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.drover.internal.AtomicFiles;
import org.drover.internal.Json;
import org.drover.internal.Listing;
import org.drover.internal.Plural;
import org.drover.internal.Timestamps;

/**
 * A named set of jobs with dependencies between them by name.
 *
 * <p>Jobs and sweeps can be added in any order; {@link #plan()} resolves the dependencies,
 * rejects unknown names and cycles, and gives the deterministic topological order in which jobs
 * are submitted. A bundle is a growing collection (adding returns the same bundle); the jobs in it
 * are immutable. Adding a job whose name is taken fails at once.
 *
 * <pre>{@code
 * Bundle study = Bundle.named("study")
 *         .add(Job.named("report").command("python", "report.py").dependsOn("train"))
 *         .add(Sweep.of(Job.named("train").command("python", "train.py", "--lr={lr}"))
 *                 .param("lr", 0.1, 0.01).dependsOn("prep"))
 *         .add(Job.named("prep").command("python", "prep.py"));
 * study.plan().order();        // prep, train_0, train_1, report
 * Path record = study.save(Path.of("runs"));   // runs/study_20261125-101500-123.json
 * Bundle again = Bundle.load(record);          // equal to study, ready to run again or to extend
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"name", "jobs", "arrays"})
public final class Bundle {
    private final String name;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, List<String>> sweeps = new LinkedHashMap<>();
    private final Map<String, ArrayOption> arrays = new LinkedHashMap<>();

    private Bundle(String name) {
        this.name = Names.requireBundleName(name);
    }

    /**
     * An empty bundle.
     *
     * @param name the bundle's name (1-128 characters from {@code A-Z a-z 0-9 _ . -})
     * @return an empty bundle
     */
    public static Bundle named(String name) {
        return new Bundle(name);
    }

    /**
     * Adds a job.
     *
     * @throws IllegalArgumentException if a job or sweep of this bundle already has the name
     * @param job a job whose name is new to the bundle
     * @return this bundle
     */
    public synchronized Bundle add(Job job) {
        Objects.requireNonNull(job, "job");
        if (jobs.containsKey(job.name())) {
            throw new IllegalArgumentException("bundle '" + name + "' already has a job named '" + job.name() + "'");
        }
        if (sweeps.containsKey(job.name())) {
            throw new IllegalArgumentException("bundle '" + name + "' already has a sweep named '" + job.name() + "'");
        }
        String sweep = job.sweep().orElse(null);
        if (sweep != null && jobs.containsKey(sweep)) {
            throw new IllegalArgumentException("sweep name '" + sweep + "' of job '" + job.name()
                    + "' is already a job of bundle '" + name + "'");
        }
        jobs.put(job.name(), job);
        if (sweep != null) {
            sweeps.computeIfAbsent(sweep, k -> new ArrayList<>()).add(job.name());
        }
        return this;
    }

    /**
     * Adds several jobs.
     *
     * @param more further values
     * @return this bundle
     */
    public synchronized Bundle addAll(Collection<Job> more) {
        more.forEach(this::add);
        return this;
    }

    /**
     * Adds every job of a sweep; its name becomes a dependency target for all of them.
     *
     * @throws IllegalArgumentException if the sweep's name or one of its job names is taken
     * @param sweep a sweep whose job names are new to the bundle
     * @return this bundle
     */
    public synchronized Bundle add(Sweep sweep) {
        if (jobs.containsKey(sweep.name()) || sweeps.containsKey(sweep.name())) {
            throw new IllegalArgumentException("bundle '" + name + "' already has a job or sweep named '"
                    + sweep.name() + "'");
        }
        List<Job> expanded = sweep.jobs();
        for (Job j : expanded) {
            if (jobs.containsKey(j.name())) {
                throw new IllegalArgumentException("bundle '" + name + "' already has a job named '" + j.name()
                        + "', which sweep '" + sweep.name() + "' would add");
            }
        }
        expanded.forEach(this::add);
        if (sweep.isArray()) {
            arrays.put(sweep.name(), new ArrayOption(sweep.name(), sweep.maxRunning()));
        }
        return this;
    }

    /**
     * The bundle's name.
     *
     * @return the name
     */
    @JsonProperty
    public String name() {
        return name;
    }

    /**
     * The jobs in the order they were added.
     *
     * @return the jobs in the order they were added
     */
    @JsonProperty
    public synchronized List<Job> jobs() {
        return List.copyOf(jobs.values());
    }

    /**
     * A job of the bundle by name (a sweep member by its own name, e.g. {@code train_0}).
     *
     * @param jobName the job's name
     * @return the job, or empty if the bundle has none of that name
     */
    public synchronized Optional<Job> job(String jobName) {
        return Optional.ofNullable(jobs.get(jobName));
    }

    /**
     * How many jobs the bundle holds, sweep members counted one by one.
     *
     * @return the number of jobs
     */
    public synchronized int size() {
        return jobs.size();
    }

    /**
     * The names of the jobs of each sweep, by sweep name.
     *
     * @return the names of the jobs of each sweep, by sweep name
     */
    public synchronized Map<String, List<String>> sweeps() {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        sweeps.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * The sweeps to submit as array jobs, with their running-task limits.
     *
     * @return the sweeps to submit as array jobs, with their running-task limits
     */
    @JsonProperty("arrays")
    public synchronized List<ArrayOption> arrays() {
        return List.copyOf(arrays.values());
    }

    /**
     * Resolves dependencies and orders the jobs.
     *
     * @return the plan: jobs in a deterministic topological order, dependencies resolved to job names
     * @throws InvalidBundleException if a dependency names nothing, or dependencies form a cycle
     */
    public synchronized BundlePlan plan() {
        return BundlePlan.of(this, jobs, sweeps, arrays);
    }

    // ---- records ----

    /**
     * The bundle as JSON; {@link #fromJson} reads it back to an equal bundle.
     *
     * @return the bundle as JSON; {@link #fromJson} reads it back to an equal bundle
     */
    public String toJson() {
        return Json.write(this);
    }

    /**
     * Reads a bundle record.
     *
     * @param json the record, as {@link #toJson()} writes it
     * @return the bundle
     * @throws RecordFormatException naming the JSON path and the reason when the record is wrong
     */
    public static Bundle fromJson(String json) {
        return Json.read(json, Bundle.class, "bundle JSON");
    }

    /**
     * Saves the bundle as {@code <dir>/<name>_<timestamp>.json}, written atomically; the
     * timestamp is unique even for saves within the same millisecond.
     *
     * @return the file written
     * @param dir the directory to write in (or to search)
     */
    public Path save(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = Timestamps.createUnique(dir, name + "_", ".json", false);
            AtomicFiles.write(file, Json.writeBytes(this));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save bundle '" + name + "' in " + dir, e);
        }
    }

    /**
     * Loads a bundle record.
     *
     * @throws RecordFormatException naming the file and JSON path when it is malformed
     * @param file a bundle record written by {@link #save}
     * @return the bundle as saved
     */
    public static Bundle load(Path file) {
        return Json.read(file, Bundle.class);
    }

    /**
     * The newest record of the bundle named {@code bundleName} in {@code dir}, searched in the
     * directory itself and in its run directories ({@code <name>_<timestamp>/}), to run again or
     * to extend.
     *
     * @param dir the directory to write in (or to search)
     * @param bundleName the bundle's name
     * @return the newest record of the bundle named {@code bundleName} in {@code dir}, searched in the directory itself and in its run directories ({@code <name>_<timestamp>/}), to run again or to extend
     */
    public static Optional<Path> latestRecord(Path dir, String bundleName) {
        Names.requireBundleName(bundleName);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.find(dir, 2, (p, a) -> a.isRegularFile()
                && Timestamps.isStamped(p.getFileName().toString(), bundleName + "_", ".json"))) {
            return files.max(Comparator.comparing((Path p) -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @JsonCreator
    static Bundle fromJson(@JsonProperty("name") String name, @JsonProperty("jobs") List<Job> jobs,
                           @JsonProperty("arrays") List<ArrayOption> arrays) {
        Bundle b = Json.field("name", () -> new Bundle(name));
        List<Job> all = jobs == null ? List.of() : jobs;
        for (int i = 0; i < all.size(); i++) {
            Job j = all.get(i);
            Json.field("jobs[" + i + "]", () -> b.add(Objects.requireNonNull(j, "a job must not be null")));
        }
        List<ArrayOption> options = arrays == null ? List.of() : arrays;
        for (int i = 0; i < options.size(); i++) {
            ArrayOption a = options.get(i);
            Json.field("arrays[" + i + "]", () -> {
                Objects.requireNonNull(a, "an array option must not be null");
                if (!b.sweeps.containsKey(a.sweep())) {
                    throw new IllegalArgumentException("array option names sweep '" + a.sweep() + "', which has no jobs");
                }
                if (b.arrays.containsKey(a.sweep())) {
                    throw new IllegalArgumentException("sweep '" + a.sweep() + "' has two array options; give it one");
                }
                return b.arrays.put(a.sweep(), a);
            });
        }
        return b;
    }

    @Override
    public synchronized boolean equals(Object o) {
        if (!(o instanceof Bundle)) {
            return false;
        }
        Bundle b = (Bundle) o;
        return name.equals(b.name) && jobs().equals(b.jobs()) && arrays().equals(b.arrays());
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder("Bundle ").append(name).append(": ").append(Plural.of(jobs.size(), "job"));
        if (!arrays.isEmpty()) {
            sb.append(", arrays ").append(arrays.keySet());
        }
        return Listing.append(sb, List.copyOf(jobs.values()), Job::summary).toString();
    }

    /** A sweep submitted as one array job, with at most {@code maxRunning} tasks at once (0: no limit). */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public record ArrayOption(@JsonProperty("sweep") String sweep, @JsonProperty("maxRunning") int maxRunning) {
        /**
         * Checks the sweep name and that {@code maxRunning} is 0 or more.
         *
         * @param sweep see the record
         * @param maxRunning see the record
         */
        public ArrayOption {
            Names.require("sweep name", sweep);
            if (maxRunning < 0) {
                throw new IllegalArgumentException("maxRunning must be 0 or more, got " + maxRunning);
            }
        }

        // maxRunning 0 is not written (NON_DEFAULT), so reading must default it: an int creator
        // parameter would fail on the missing value under FAIL_ON_NULL_FOR_PRIMITIVES.
        @JsonCreator
        static ArrayOption fromJson(@JsonProperty("sweep") String sweep,
                                    @JsonProperty("maxRunning") Integer maxRunning) {
            return Json.field("maxRunning", () -> new ArrayOption(
                    Json.field("sweep", () -> Names.require("sweep name", sweep)), maxRunning == null ? 0 : maxRunning));
        }
    }
}
