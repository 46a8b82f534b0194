package org.drover.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import org.drover.run.AttemptRecord;
import org.drover.run.RunRecord;
import org.drover.run.StateChange;
import org.drover.run.TaskRecord;

/**
 * Streams a {@link RunRecord} as JSON with the field names and order Jackson's bean serialization
 * of the records uses, minus the fields that read back the same when missing: nulls, empty
 * reasons, re-run counts of 0, and stdout/stderr paths that are the attempt directory's defaults (a 100,000-task
 * store is a quarter smaller without them). Written
 * by hand because a 100,000-task store is saved after every change: reflective bean serialization
 * and instant formatting were most of a save. {@link JsonRunStore} reads it with its mapper, so a
 * store written before this writer existed still loads.
 *
 * <pre>{@code
 * RunRecordWriter.write(record, out);   // {"bundle":"study","scheduler":"slurm",...,"tasks":[...]}
 * }</pre>
 */
final class RunRecordWriter {
    private static final JsonFactory FACTORY = JsonRunStore.MAPPER.getFactory();

    /** The instant formatted last: a step stamps every change it makes with the same instant. */
    private Instant lastInstant;
    private final char[] lastText = new char[64];
    private int lastLength;

    private RunRecordWriter() {}

    /** Writes the record to {@code out}, which stays open. */
    static void write(RunRecord record, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            new RunRecordWriter().run(g, record);
        }
    }

    private void run(JsonGenerator g, RunRecord r) throws IOException {
        g.writeStartObject();
        string(g, "bundle", r.bundle());
        string(g, "scheduler", r.scheduler());
        string(g, "runDirectory", r.runDirectory());
        instant(g, "saved", r.saved());
        g.writeArrayFieldStart("tasks");
        for (TaskRecord t : r.tasks()) {
            task(g, t);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void task(JsonGenerator g, TaskRecord t) throws IOException {
        g.writeStartObject();
        string(g, "name", t.name());
        string(g, "state", t.state().name());
        reason(g, t.reason());
        instant(g, "retryAt", t.retryAt());
        g.writeArrayFieldStart("attempts");
        for (AttemptRecord a : t.attempts()) {
            attempt(g, a);
        }
        g.writeEndArray();
        string(g, "fingerprint", t.fingerprint());
        if (t.reruns() != 0) {
            g.writeNumberField("reruns", t.reruns());
        }
        if (t.rerunAfter() != 0) {
            g.writeNumberField("rerunAfter", t.rerunAfter());
        }
        g.writeEndObject();
    }

    private void attempt(JsonGenerator g, AttemptRecord a) throws IOException {
        g.writeStartObject();
        g.writeNumberField("number", a.number());
        string(g, "token", a.token());
        string(g, "jobId", a.jobId());
        string(g, "state", a.state().name());
        if (a.exitCode() != null) {
            g.writeNumberField("exitCode", a.exitCode());
        }
        reason(g, a.reason());
        instant(g, "submitted", a.submitted());
        instant(g, "ended", a.ended());
        string(g, "attemptDir", a.attemptDir());
        List<StateChange> history = a.history();
        g.writeArrayFieldStart("history");
        for (StateChange c : history) {
            g.writeStartObject();
            instant(g, "at", c.at());
            string(g, "state", c.state() == null ? null : c.state().name());
            reason(g, c.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (!a.stdoutIsDefault()) {
            string(g, "stdout", a.stdout());
        }
        if (!a.stderrIsDefault()) {
            string(g, "stderr", a.stderr());
        }
        instant(g, "started", a.started());
        g.writeEndObject();
    }

    /** A reason, unless empty (records read a missing reason as ""). */
    private static void reason(JsonGenerator g, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField("reason", value);
        }
    }

    private static void string(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    /** As the JavaTimeModule writes an instant with timestamps off: {@link Instant#toString()} (ISO_INSTANT). */
    private void instant(JsonGenerator g, String field, Instant value) throws IOException {
        if (value == null) {
            return;
        }
        if (!value.equals(lastInstant)) {
            lastInstant = value;
            lastLength = isoInstant(value, lastText);
        }
        g.writeFieldName(field);
        g.writeString(lastText, 0, lastLength);
    }

    /**
     * Writes {@code value.toString()} into {@code out} without allocating, for years 0000 to 9999
     * (any other instant goes through {@code toString()}): a save formats five instants per task,
     * and {@code Instant.toString} was a third of a 100,000-task save.
     *
     * @return the number of characters written
     */
    static int isoInstant(Instant value, char[] out) {
        long seconds = value.getEpochSecond();
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) {
            String text = value.toString();
            text.getChars(0, text.length(), out, 0);
            return text.length();
        }
        digits(out, 0, (int) year, 4);
        out[4] = '-';
        digits(out, 5, month, 2);
        out[7] = '-';
        digits(out, 8, day, 2);
        out[10] = 'T';
        digits(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        digits(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, secondOfDay % 60, 2);
        int n = 19;
        int nanos = value.getNano();
        if (nanos > 0) {
            out[n++] = '.';
            if (nanos % 1_000_000 == 0) {
                digits(out, n, nanos / 1_000_000, 3);
                n += 3;
            } else if (nanos % 1000 == 0) {
                digits(out, n, nanos / 1000, 6);
                n += 6;
            } else {
                digits(out, n, nanos, 9);
                n += 9;
            }
        }
        out[n++] = 'Z';
        return n;
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
