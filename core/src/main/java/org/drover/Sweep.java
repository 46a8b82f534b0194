package org.drover;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.drover.internal.ScriptPlaceholders;

/**
 * A parameter sweep: the cartesian product of named parameter values, expanded from a template
 * job into one job per combination. Immutable and fluent.
 *
 * <p>Jobs are named {@code <template name>_<index>}, index 0 to size-1, the last parameter
 * varying fastest. The sweep's name (the template's) is a dependency target standing for all of
 * its jobs.
 *
 * <p>Values are safe whatever they hold ({@code $(...)}, backticks, quotes, newlines):
 * <ul>
 *   <li>every job gets each parameter as the environment variable
 *       {@code DROVER_PARAM_<name>} (e.g. {@code DROVER_PARAM_lr=0.1}), exported like any
 *       {@link Job#env} value;</li>
 *   <li>{@code {name}} in command words, environment values, the working directory and
 *       stdout/stderr paths is replaced by the value itself: these are always quoted (or
 *       checked) before they reach a shell;</li>
 *   <li>{@code {name}} in a script body is replaced by a reference to {@code DROVER_PARAM_<name>},
 *       never by the value: it expands to the value as <em>one word</em>, unquoted or inside
 *       double or single quotes or a here-document ({@code lr={lr}}, {@code "out_{lr}.txt"} and
 *       {@code 'x={lr}'} all work), so the value is never read as shell code. Inside
 *       {@code $(...)} or backticks, write {@code "$DROVER_PARAM_name"} yourself; a script that
 *       hands text to another shell ({@code sh -c}, {@code eval}) must quote it itself.</li>
 * </ul>
 *
 * <pre>{@code
 * Sweep train = Sweep.of(Job.named("train").command("python", "train.py", "--lr={lr}", "--seed={seed}"))
 *         .param("lr", 0.1, 0.01)
 *         .param("seed", 1, 2)
 *         .dependsOn("prep");
 * train.jobs();   // train_0 (--lr=0.1 --seed=1), train_1 (0.1, 2), train_2 (0.01, 1), train_3 (0.01, 2)
 * train.asArray(2);   // submit as one array job, at most 2 tasks at once, where the scheduler can
 * }</pre>
 */
public final class Sweep {
    /** Expanding more jobs than this at once is almost surely a mistake. */
    public static final int MAX_SIZE = 1_000_000;
    /** The prefix of the environment variables that hold the parameters. */
    public static final String ENV_PREFIX = "DROVER_PARAM_";
    static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Job template;
    private final ImmutableMap<String, ImmutableList<String>> params;
    private final boolean array;
    private final int maxRunning;

    private Sweep(Job template, ImmutableMap<String, ImmutableList<String>> params, boolean array, int maxRunning) {
        this.template = template;
        this.params = params;
        this.array = array;
        this.maxRunning = maxRunning;
    }

    /**
     * A sweep over this template; its name is the sweep's name.
     *
     * @param template the template
     * @return a sweep over this template; its name is the sweep's name
     */
    public static Sweep of(Job template) {
        Objects.requireNonNull(template, "template");
        if (template.sweep().isPresent()) {
            throw new IllegalArgumentException("job '" + template.name() + "' is already a member of a sweep");
        }
        return new Sweep(template, ImmutableMap.of(), false, 0);
    }

    /**
     * Adds a parameter and its values (formatted with {@code String.valueOf}, decimals without
     * exponent).
     *
     * @throws IllegalArgumentException for a bad or repeated name, no values, or a null value
     * @param name the name
     * @param values the values
     * @return a new sweep with this change (this one is unchanged)
     */
    public Sweep param(String name, Object... values) {
        return param(name, Arrays.asList(values));
    }

    /**
     * As {@link #param(String, Object...)}.
     *
     * @param name the name
     * @param values the values
     * @return a new sweep with this change (this one is unchanged)
     */
    public Sweep param(String name, Iterable<?> values) {
        if (name == null || !PARAM_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("sweep parameter name '" + Names.printable(name)
                    + "' is not allowed: use A-Z a-z 0-9 _, not starting with a digit");
        }
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("sweep '" + name() + "' already has a parameter '" + name + "'");
        }
        ImmutableList.Builder<String> texts = ImmutableList.builder();
        int count = 0;
        for (Object v : values) {
            if (v == null) {
                throw new IllegalArgumentException("sweep parameter '" + name + "' has a null value at position " + count);
            }
            texts.add(Names.requireText("sweep parameter " + name, format(v)));
            count++;
        }
        if (count == 0) {
            throw new IllegalArgumentException("sweep parameter '" + name + "' has no values");
        }
        long size = (long) size() * count;
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("sweep '" + name() + "' would have " + size
                    + " jobs, more than the limit of " + MAX_SIZE);
        }
        return new Sweep(template, ImmutableMap.<String, ImmutableList<String>>builder()
                .putAll(params).put(name, texts.build()).build(), array, maxRunning);
    }

    private static String format(Object v) {
        if (v instanceof Double || v instanceof Float) {
            String s = v.toString();
            // 1e-5 is "1.0E-5"; stripTrailingZeros makes it 0.00001, not 0.000010.
            return s.contains("E") ? new BigDecimal(s).stripTrailingZeros().toPlainString() : s;
        }
        return String.valueOf(v);
    }

    /**
     * Every job of the sweep depends on these (afterok).
     *
     * @param targets job names, sweep names or patterns with {@code *}
     * @return a new sweep with this change (this one is unchanged)
     */
    public Sweep dependsOn(String... targets) {
        return new Sweep(template.dependsOn(targets), params, array, maxRunning);
    }

    /**
     * Every job of the sweep depends on these, with the given semantics.
     *
     * @param type the dependency type
     * @param targets job names, sweep names or patterns with {@code *}
     * @return a new sweep with this change (this one is unchanged)
     */
    public Sweep dependsOn(DependencyType type, String... targets) {
        return new Sweep(template.dependsOn(type, targets), params, array, maxRunning);
    }

    /**
     * Submit as one array job where the scheduler supports arrays, with no limit on running tasks.
     *
     * @return a new sweep with this change (this one is unchanged)
     */
    public Sweep asArray() {
        return new Sweep(template, params, true, 0);
    }

    /**
     * Submit as one array job, at most {@code maxRunning} tasks running at once (SLURM's {@code %N}).
     *
     * @throws IllegalArgumentException if {@code maxRunning} is below 1
     * @param maxRunning the most tasks running at once (0: no limit)
     * @return a new sweep with this change (this one is unchanged)
     */
    public Sweep asArray(int maxRunning) {
        if (maxRunning < 1) {
            throw new IllegalArgumentException("array maxRunning must be at least 1, got " + maxRunning);
        }
        return new Sweep(template, params, true, maxRunning);
    }

    /**
     * The sweep's name: its template job's name; members are {@code <name>_<index>}.
     *
     * @return the name
     */
    public String name() {
        return template.name();
    }

    /**
     * The environment variable that holds a parameter's value in each job: {@code DROVER_PARAM_<name>}.
     *
     * @param param the param
     * @return the environment variable that holds a parameter's value in each job: {@code DROVER_PARAM_<name>}
     */
    public static String envName(String param) {
        return ENV_PREFIX + param;
    }

    /**
     * The job each member is made from, with {@code {param}} placeholders.
     *
     * @return the template
     */
    public Job template() {
        return template;
    }

    /**
     * Whether the sweep goes to the scheduler as one array job.
     *
     * @return whether it is an array
     */
    public boolean isArray() {
        return array;
    }

    /**
     * The array's limit on running tasks, 0 for none.
     *
     * @return the array's limit on running tasks, 0 for none
     */
    public int maxRunning() {
        return maxRunning;
    }

    /**
     * The parameters and their values, as text, in declaration order.
     *
     * @return the parameters and their values, as text, in declaration order
     */
    public Map<String, List<String>> params() {
        return ImmutableMap.copyOf(params);
    }

    /**
     * The number of jobs: the product of the value counts (1 with no parameter).
     *
     * @return the number of jobs: the product of the value counts (1 with no parameter)
     */
    public int size() {
        int n = 1;
        for (List<String> values : params.values()) {
            n *= values.size();
        }
        return n;
    }

    /**
     * The expanded jobs, in index order.
     *
     * @return the expanded jobs, in index order
     */
    public List<Job> jobs() {
        int size = size();
        List<String> names = new ArrayList<>(params.keySet());
        List<Job> jobs = new ArrayList<>(size);
        for (int index = 0; index < size; index++) {
            Map<String, String> values = new LinkedHashMap<>();
            int rest = index;
            for (int p = names.size() - 1; p >= 0; p--) {
                List<String> options = params.get(names.get(p));
                values.put(names.get(p), options.get(rest % options.size()));
                rest /= options.size();
            }
            Map<String, String> ordered = new LinkedHashMap<>();
            for (String n : names) {
                ordered.put(n, values.get(n));
            }
            jobs.add(expand(index, ordered));
        }
        return jobs;
    }

    private Job expand(int index, Map<String, String> values) {
        String memberName = template.name() + "_" + index;
        if (!Names.NAME.matcher(memberName).matches()) {
            throw new IllegalArgumentException("sweep '" + name() + "' makes job name '" + memberName
                    + "', which is too long; shorten the template's name");
        }
        Job j = template.renamed(memberName);
        if (!template.command().isEmpty()) {
            List<String> words = new ArrayList<>();
            for (String w : template.command()) {
                words.add(ScriptPlaceholders.substituteBraces(w, values));
            }
            j = j.command(words);
        }
        if (template.script().isPresent()) {
            Map<String, String> variables = new LinkedHashMap<>();
            values.keySet().forEach(k -> variables.put(k, envName(k)));
            j = j.script(ScriptPlaceholders.replace(template.script().get(), variables));
        }
        for (Map.Entry<String, String> e : template.env().entrySet()) {
            // The template's names were checked as it was built: none is reserved.
            j = j.withEnv(e.getKey(), ScriptPlaceholders.substituteBraces(e.getValue(), values));
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            j = j.withEnv(envName(e.getKey()), e.getValue());   // reserved for Drover: Job.env refuses it
        }
        if (template.workingDir().isPresent()) {
            j = j.workingDir(ScriptPlaceholders.substituteBraces(template.workingDir().get(), values));
        }
        if (template.stdout().isPresent()) {
            j = j.stdout(ScriptPlaceholders.substituteBraces(template.stdout().get(), values));
        }
        if (template.stderr().isPresent()) {
            j = j.stderr(ScriptPlaceholders.substituteBraces(template.stderr().get(), values));
        }
        return j.inSweep(name(), index, values);
    }

    @Override
    public String toString() {
        return "Sweep[" + name() + " " + params + (array ? ", array" + (maxRunning > 0 ? "%" + maxRunning : "") : "") + "]";
    }
}
