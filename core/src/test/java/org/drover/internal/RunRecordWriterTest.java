package org.drover.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.drover.run.AttemptRecord;
import org.drover.run.RunRecord;
import org.drover.run.RunStore;
import org.drover.run.StateChange;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecordWriterTest {
    @TempDir
    Path tmp;

    static final Instant T0 = Instant.parse("2026-11-25T10:15:00.123456Z");
    static final Instant T1 = Instant.parse("2026-11-25T10:15:05Z");
    static final Instant T2 = Instant.parse("2026-11-25T10:16:00.5Z");

    /** Every kind of value: nulls, exit codes, a retry time, two attempts, an empty history, characters to escape. */
    static RunRecord sample() {
        AttemptRecord crashed = new AttemptRecord(1, "drv0123456789abcdef", "41", JobState.NODE_FAIL, null,
                "node \"n1\" died\n", T0, T1, "/runs/s/a/1",
                List.of(new StateChange(T0, JobState.PENDING, ""), new StateChange(T0, JobState.RUNNING, "R"),
                        new StateChange(T1, JobState.NODE_FAIL, "node \"n1\" died\n")),
                "/runs/s/a/1/stdout", "/runs/s/a/1/stderr");
        AttemptRecord second = new AttemptRecord(2, "drvfedcba9876543210", "42", JobState.COMPLETED, 0, "", T1, T2,
                "/runs/s/a/2", List.of(new StateChange(T1, JobState.PENDING, ""),
                new StateChange(T2, JobState.COMPLETED, "")), "/runs/s/a/2/out.txt", "/runs/s/a/2/stderr",
                Instant.parse("2026-11-25T10:15:07Z"));   // its start read from its started record
        AttemptRecord unsubmitted = new AttemptRecord(1, "drv00000000000000aa", null, JobState.UNKNOWN, null, "", T2,
                null, "/runs/s/b/1", List.of(), null, null);
        return new RunRecord("study", "slurm", "/runs/s", T2, List.of(
                new TaskRecord("a", TaskState.COMPLETED, "", null, List.of(crashed, second)),
                new TaskRecord("b", TaskState.PENDING, "looking up submission drv00000000000000aa", null,
                        List.of(unsubmitted)),
                new TaskRecord("c", TaskState.RETRY_WAIT, "attempt 1 ended FAILED; retrying", T2, List.of()),
                new TaskRecord("ü-ß", TaskState.WAITING, "", null, List.of()),
                new TaskRecord("d", TaskState.WAITING, "re-run; it had ended FAILED", null, List.of(crashed),
                        "0123456789abcdef", 2, 1)));
    }

    @Test
    void writesWhatBeanSerializationWroteWithoutTheNullFields() throws IOException {
        RunRecord r = sample();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunRecordWriter.write(r, out);

        JsonNode written = JsonRunStore.MAPPER.readTree(out.toByteArray());
        JsonNode beans = withoutDefaults(JsonRunStore.MAPPER.valueToTree(r));
        assertThat(written).isEqualTo(beans);
        assertThat(fieldNames(written.get("tasks").get(0).get("attempts").get(0)))
                .isEqualTo(fieldNames(beans.get("tasks").get(0).get("attempts").get(0)));   // same order
        assertThat(JsonRunStore.MAPPER.readValue(out.toByteArray(), RunRecord.class)).isEqualTo(r);
    }

    @Test
    void instantsAreWrittenExactlyAsInstantToStringWritesThem() {
        java.util.Random random = new java.util.Random(20261202);
        List<Instant> cases = new java.util.ArrayList<>(List.of(Instant.EPOCH, T0, T1, T2,
                Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.parse("2000-02-29T00:00:00.001Z"),
                Instant.parse("2100-03-01T12:00:00.000100Z"), Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.MIN, Instant.MAX));
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong() % 253_402_300_800L;   // years -6000 .. 9999
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            cases.add(Instant.ofEpochSecond(seconds, nanos));
        }
        char[] out = new char[64];
        for (Instant t : cases) {
            int n = RunRecordWriter.isoInstant(t, out);
            assertThat(new String(out, 0, n)).isEqualTo(t.toString());
        }
    }

    @Test
    void aStoreSavedAndLoadedIsTheSameRecord() {
        Path file = tmp.resolve("store.json");
        RunStore store = RunStore.json(file);
        store.save(sample());
        store.close();
        RunStore again = RunStore.json(file);
        assertThat(again.load()).hasValue(sample());
        again.close();
    }

    /** A file as the bean serialization wrote it before the hand-written writer: nulls written out. */
    @Test
    void aStoreWrittenBeforeTheWriterStillLoads() throws IOException {
        String old = "{\"bundle\":\"study\",\"scheduler\":\"slurm\",\"runDirectory\":\"/runs/s\","
                + "\"saved\":\"2026-11-25T10:16:00.500Z\",\"tasks\":["
                + "{\"name\":\"a\",\"state\":\"COMPLETED\",\"reason\":\"\",\"retryAt\":null,\"attempts\":["
                + "{\"number\":1,\"token\":\"drv0123456789abcdef\",\"jobId\":\"41\",\"state\":\"COMPLETED\","
                + "\"exitCode\":0,\"reason\":\"\",\"submitted\":\"2026-11-25T10:15:00.123456Z\","
                + "\"ended\":\"2026-11-25T10:15:05Z\",\"attemptDir\":\"/runs/s/a/1\",\"history\":["
                + "{\"at\":\"2026-11-25T10:15:00.123456Z\",\"state\":\"PENDING\",\"reason\":\"\"},"
                + "{\"at\":\"2026-11-25T10:15:05Z\",\"state\":\"COMPLETED\",\"reason\":\"\"}],"
                + "\"stdout\":null,\"stderr\":null}]},"
                + "{\"name\":\"b\",\"state\":\"RETRY_WAIT\",\"reason\":\"retrying\","
                + "\"retryAt\":\"2026-11-25T10:16:00.500Z\",\"attempts\":["
                + "{\"number\":1,\"token\":\"drv00000000000000aa\",\"jobId\":null,\"state\":\"UNKNOWN\","
                + "\"exitCode\":null,\"reason\":\"\",\"submitted\":\"2026-11-25T10:15:00.123456Z\",\"ended\":null,"
                + "\"attemptDir\":\"/runs/s/b/1\",\"history\":[],\"stdout\":null,\"stderr\":null}]}]}";
        Path file = tmp.resolve("old.json");
        Files.writeString(file, old, StandardCharsets.UTF_8);

        RunStore store = RunStore.json(file);
        RunRecord r = store.load().orElseThrow();
        assertThat(r.saved()).isEqualTo(T2);
        assertThat(r.tasks()).hasSize(2);
        AttemptRecord a = r.tasks().get(0).lastAttempt();
        assertThat(a.exitCode()).isZero();
        assertThat(a.history()).containsExactly(new StateChange(T0, JobState.PENDING, ""),
                new StateChange(T1, JobState.COMPLETED, ""));
        assertThat(a.stdout()).isEqualTo("/runs/s/a/1/stdout");   // a missing path is the attempt directory's
        assertThat(a.stderr()).isEqualTo("/runs/s/a/1/stderr");
        assertThat(r.tasks().get(1).retryAt()).isEqualTo(T2);
        assertThat(r.tasks().get(1).lastAttempt().jobId()).isNull();
        // and it is saved again in the new form, which loads to the same record
        store.save(r);
        store.close();
        RunStore again = RunStore.json(file);
        assertThat(again.load()).hasValue(r);
        again.close();
    }

    /** The bean serialization minus what the writer leaves out: nulls, empty reasons, re-run counts of 0, default output paths. */
    private static JsonNode withoutDefaults(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = (ObjectNode) n;
            String dir = o.hasNonNull("attemptDir") ? o.get("attemptDir").asText() : null;
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                boolean emptyReason = e.getKey().equals("reason") && v.asText().isEmpty();
                boolean defaultPath = dir != null && (e.getKey().equals("stdout") || e.getKey().equals("stderr"))
                        && v.asText().equals(dir + "/" + e.getKey());
                boolean noRerun = (e.getKey().equals("reruns") || e.getKey().equals("rerunAfter")) && v.asInt() == 0;
                if (v.isNull() || emptyReason || defaultPath || noRerun) {
                    it.remove();
                } else {
                    withoutDefaults(v);
                }
            }
        } else if (n.isArray()) {
            n.forEach(RunRecordWriterTest::withoutDefaults);
        }
        return n;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
