package org.drover.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import org.drover.AttemptRecord;
import org.drover.RunDirectory;
import org.drover.RunRecord;
import org.drover.StateChange;
import org.drover.TaskRecord;

/**
 * Streams a {@link RunRecord} as JSON with the field names and order Jackson's bean serialization
 * of the records uses, minus the fields that read back the same when missing: nulls, empty
 * reasons, and stdout/stderr paths that are the attempt directory's defaults (a 100,000-task
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
    private String lastText;

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
        if (!a.stdout().equals(AttemptRecord.defaultPath(a.attemptDir(), RunDirectory.STDOUT))) {
            string(g, "stdout", a.stdout());
        }
        if (!a.stderr().equals(AttemptRecord.defaultPath(a.attemptDir(), RunDirectory.STDERR))) {
            string(g, "stderr", a.stderr());
        }
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
            lastText = value.toString();
        }
        g.writeStringField(field, lastText);
    }
}
