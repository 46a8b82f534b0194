package org.drover.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * <p>Each field is written out explicitly, never through a {@code toString()}, and fields at their
 * defaults are left out: a Drover version that words its output differently, or adds a field, does
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
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);   // every JVM must have it
        }
    });

    private JobFingerprint() {}

    /**
     * The fingerprint of a job: the first 64 bits of the SHA-256 of its canonical encoding, as 16
     * hex digits.
     */
    static String of(Job job) {
        StringBuilder sb = new StringBuilder(128);
        text(sb, 'n', job.name());
        if (!job.command().isEmpty()) {
            list(sb, 'c', job.command());
        }
        job.script().ifPresent(s -> text(sb, 's', s));
        resources(sb, job.resources());
        if (!job.env().isEmpty()) {
            map(sb, 'e', job.env());
        }
        job.workingDir().ifPresent(w -> text(sb, 'w', w));
        job.stdout().ifPresent(o -> text(sb, 'o', o));
        job.stderr().ifPresent(e -> text(sb, 'E', e));
        if (!job.directives().isEmpty()) {
            list(sb, 'd', job.directives());
        }
        if (!job.dependencies().isEmpty()) {
            List<String> deps = new ArrayList<>(job.dependencies().size());
            for (Dependency d : job.dependencies()) {
                deps.add(d.type().keyword() + ":" + d.target());
            }
            deps.sort(null);
            list(sb, 'D', deps);
        }
        if (job.requeue()) {
            sb.append('q');
        }
        if (job.sweep().isPresent()) {
            text(sb, 'S', job.sweep().get());
            text(sb, 'i', Integer.toString(job.sweepIndex()));
            if (!job.params().isEmpty()) {
                map(sb, 'p', job.params());
            }
        }
        byte[] hash = SHA256.get().digest(sb.toString().getBytes(StandardCharsets.UTF_8));
        char[] out = new char[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = HEX[(hash[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[hash[i] & 0xf];
        }
        return new String(out);
    }

    private static void resources(StringBuilder sb, Resources r) {
        if (r.cpus() != 1) {
            text(sb, 'C', Integer.toString(r.cpus()));
        }
        r.memory().ifPresent(m -> text(sb, 'm', Long.toString(m.bytes())));
        if (r.gpus() != 0) {
            text(sb, 'g', Integer.toString(r.gpus()));
        }
        if (r.nodes() != 1) {
            text(sb, 'N', Integer.toString(r.nodes()));
        }
        if (r.tasks() != 1) {
            text(sb, 't', Integer.toString(r.tasks()));
        }
        r.walltime().ifPresent(w -> text(sb, 'T', Long.toString(w.getSeconds())));
        r.partition().ifPresent(p -> text(sb, 'P', p));
        r.account().ifPresent(a -> text(sb, 'a', a));
        r.qos().ifPresent(q -> text(sb, 'Q', q));
        if (r.exclusive()) {
            sb.append('x');
        }
        r.constraint().ifPresent(c -> text(sb, 'k', c));
    }

    /** A tag, the length and the text: no text can be mistaken for the start of another field. */
    private static void text(StringBuilder sb, char tag, String value) {
        sb.append(tag).append(value.length()).append(':').append(value);
    }

    private static void list(StringBuilder sb, char tag, List<String> values) {
        sb.append(tag).append(values.size()).append('[');
        for (String v : values) {
            text(sb, '.', v);
        }
    }

    private static void map(StringBuilder sb, char tag, Map<String, String> values) {
        sb.append(tag).append(values.size()).append('{');
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            text(sb, '.', e.getKey());
            text(sb, '=', e.getValue());
        }
    }
}
