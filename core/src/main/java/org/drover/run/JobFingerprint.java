package org.drover.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.drover.Dependency;
import org.drover.Job;
import org.drover.Resources;

/**
 * A short fingerprint of everything that defines a job (what runs, resources, environment, working
 * directory, output paths, directives, dependencies, requeue, sweep values), kept in each task's
 * {@link TaskRecord} so that a later start tells a changed job from an unchanged one without
 * reading any file.
 *
 * <p>Each field is fed to the hash explicitly (tag, length, value), never through a
 * {@code toString()}, and fields at their defaults are left out: a Drover version that words its output differently, or adds a field, does
 * not change the fingerprint of an unchanged job. Maps and dependencies are sorted: their order
 * means nothing to the scheduler.
 *
 * <pre>{@code
 * JobFingerprint.of(Job.named("a").command("true"));   // 16 hex digits, e.g. "3f2a9c0d5e1b7a44"
 * }</pre>
 */
final class JobFingerprint {
    /** Job's fields, as the encoding below covers them; a test compares it with Job's declared fields. */
    static final int FIELDS_COVERED = 14;

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** The hash so far: 64-bit FNV-1a over the encoding's characters, fed as they are produced (nothing built). */
    private long h = FNV_OFFSET;

    private JobFingerprint() {}

    /**
     * The fingerprint of a job: a 64-bit hash (FNV-1a, then a final mix) of its canonical encoding,
     * as 16 hex digits. Not a cryptographic hash: it tells one definition of a task's job from the
     * next, for a run started again; nobody gains by forging it.
     */
    static String of(Job job) {
        JobFingerprint f = new JobFingerprint();
        f.text('n', job.name());
        if (!job.command().isEmpty()) {
            f.list('c', job.command());
        }
        job.script().ifPresent(s -> f.text('s', s));
        f.resources(job.resources());
        if (!job.env().isEmpty()) {
            f.map('e', job.env());
        }
        job.workingDir().ifPresent(w -> f.text('w', w));
        job.stdout().ifPresent(o -> f.text('o', o));
        job.stderr().ifPresent(e -> f.text('E', e));
        if (!job.directives().isEmpty()) {
            f.list('d', job.directives());
        }
        if (!job.dependencies().isEmpty()) {
            List<String> deps = new ArrayList<>(job.dependencies().size());
            for (Dependency d : job.dependencies()) {
                deps.add(d.type().keyword() + ":" + d.target());
            }
            deps.sort(null);
            f.list('D', deps);
        }
        if (job.requeue()) {
            f.tag('q');
        }
        if (job.sweep().isPresent()) {
            f.text('S', job.sweep().get());
            f.number('i', job.sweepIndex());
            if (!job.params().isEmpty()) {
                f.map('p', job.params());
            }
        }
        return f.hex();
    }

    private void resources(Resources r) {
        if (r.cpus() != 1) {
            number('C', r.cpus());
        }
        r.memory().ifPresent(m -> number('m', m.bytes()));
        if (r.gpus() != 0) {
            number('g', r.gpus());
        }
        if (r.nodes() != 1) {
            number('N', r.nodes());
        }
        if (r.tasks() != 1) {
            number('t', r.tasks());
        }
        r.walltime().ifPresent(w -> number('T', w.getSeconds()));
        r.partition().ifPresent(p -> text('P', p));
        r.account().ifPresent(a -> text('a', a));
        r.qos().ifPresent(q -> text('Q', q));
        if (r.exclusive()) {
            tag('x');
        }
        r.constraint().ifPresent(c -> text('k', c));
    }

    /** A tag, the length and the text: no text can be mistaken for the start of another field. */
    private void text(char tag, String value) {
        tag(tag);
        number(':', value.length());
        for (int i = 0, n = value.length(); i < n; i++) {
            add(value.charAt(i));
        }
    }

    private void list(char tag, List<String> values) {
        number(tag, values.size());
        for (String v : values) {
            text('.', v);
        }
    }

    private void map(char tag, Map<String, String> values) {
        number(tag, values.size());
        Map<String, String> sorted = values.size() == 1 ? values : new TreeMap<>(values);   // order means nothing
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            text('.', e.getKey());
            text('=', e.getValue());
        }
    }

    private void number(char tag, long value) {
        tag(tag);
        for (int shift = 0; shift < 64; shift += 16) {
            add((char) (value >>> shift));
        }
    }

    private void tag(char tag) {
        add(tag);
    }

    private void add(char c) {
        h = (h ^ (c & 0xff)) * FNV_PRIME;
        h = (h ^ (c >>> 8)) * FNV_PRIME;
    }

    private String hex() {
        long x = h;   // a final mix (MurmurHash3's fmix64), so that every bit depends on every input bit
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (x & 0xf)];
            x >>>= 4;
        }
        return new String(out);
    }
}
