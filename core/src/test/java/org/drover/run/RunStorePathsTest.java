package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The run store keeps its paths relative to the runs root, so a runs root can move (or be another
 * path on another machine); a store with absolute paths, as written before, still loads; and a
 * store edited into something the manager cannot trust is refused, naming the task and the field.
 * Real processes (LocalScheduler) and real store files.
 */
class RunStorePathsTest {
    @TempDir
    Path tmp;

    private static final Bundle TWO = Bundle.named("two")
            .add(Job.named("a").command("sh", "-c", "echo a-ran"))
            .add(Job.named("b").command("sh", "-c", "echo b-ran").stdout("b.out").dependsOn("a"));

    private static RunManager.Builder manager(Bundle b, LocalScheduler local, Path runsRoot, Path store) {
        return RunManager.of(b).on(local).runsRoot(runsRoot).store(store).pollInterval(Duration.ofMillis(50));
    }

    /** Runs TWO to its end under {@code runs}, store {@code store.json} beside it; returns the store's text. */
    private String finishedRun(Path runs, Path store) throws IOException {
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
             RunManager m = manager(TWO, local, runs, store).start()) {
            assertThat(m.awaitCompletion(Duration.ofSeconds(30)).isSuccess()).isTrue();
        }
        return Files.readString(store);
    }

    @Test
    void theStoreHoldsPathsRelativeToTheRunsRoot() throws IOException {
        Path runs = tmp.resolve("runs");
        String json = finishedRun(runs, tmp.resolve("store.json"));
        RunRecord r = RunStore.json(tmp.resolve("store.json")).load().orElseThrow();

        String name;
        try (var dirs = Files.list(runs)) {
            name = dirs.filter(Files::isDirectory).findFirst().orElseThrow().getFileName().toString();
        }
        assertThat(r.runDirectory()).isEqualTo(name);
        assertThat(r.tasks().get(0).lastAttempt().attemptDir()).isEqualTo(name + "/a/1");
        assertThat(r.tasks().get(1).lastAttempt().attemptDir()).isEqualTo(name + "/b/1");
        assertThat(r.tasks().get(1).lastAttempt().stdout()).isEqualTo(name + "/b/1/b.out");
        assertThat(json).doesNotContain(tmp.toString());
        RunDirectory dir = RunDirectory.at(runs.resolve(name), "two");
        assertThat(dir.resolveStored(r.tasks().get(1).lastAttempt().stdout())).hasContent("b-ran");
        assertThat(RunDirectory.resolveStored(runs, r.runDirectory())).isEqualTo(dir.path());
    }

    @Test
    void aRunsRootMovedWithItsStoreIsResumedInItsNewPlace() throws IOException {
        Path runs = tmp.resolve("old/runs");
        Path store = tmp.resolve("old/store.json");
        Bundle b = Bundle.named("moved").add(Job.named("a").command("sh", "-c", "echo a-ran"))
                .add(Job.named("b").command("sh", "-c", "echo b-ran").dependsOn("a"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build()) {
            RunManager first = manager(b, local, runs, store).build();
            first.step();   // submits a; the manager goes away before it sees a end
            Path aDir = first.runDirectory().resolveStored(first.record().tasks().get(0).lastAttempt().attemptDir());
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(aDir.resolve(RunDirectory.EXIT_CODE)));
            first.close();
        }
        Files.move(tmp.resolve("old"), tmp.resolve("new"));

        // A new manager and scheduler, given the runs root's new place: a's end is read from its
        // exit-code file there, b runs in the same (moved) run directory, nothing is made in the old place.
        Path newRuns = tmp.resolve("new/runs");
        try (LocalScheduler fresh = LocalScheduler.builder().cpus(1).build();
             RunManager second = manager(b, fresh, newRuns, tmp.resolve("new/store.json")).build()) {
            RunReport end = second.awaitCompletion(Duration.ofSeconds(30));
            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(second.runDirectory().path().getParent()).isEqualTo(newRuns);
            TaskRecord bRec = second.record().tasks().get(1);
            assertThat(second.record().tasks().get(0).attempts()).hasSize(1);
            assertThat(second.runDirectory().resolveStored(bRec.lastAttempt().stdout())).hasContent("b-ran");
        }
        assertThat(tmp.resolve("old")).doesNotExist();
    }

    @Test
    void aStoreWithAbsolutePathsAsWrittenBeforeStillLoads() throws IOException {
        Path runs = tmp.resolve("runs");
        Path store = tmp.resolve("store.json");
        String json = finishedRun(runs, store);
        RunRecord r = RunStore.json(store).load().orElseThrow();
        String abs = runs.toAbsolutePath() + "/" + r.runDirectory();
        // The format before paths were relative: every path absolute.
        Files.writeString(store, json.replace("\"" + r.runDirectory(), "\"" + abs));
        assertThat(RunStore.json(store).load().orElseThrow().tasks().get(0).lastAttempt().attemptDir())
                .isEqualTo(abs + "/a/1");

        // A manager with another runs root (the default, ./runs) loads it: absolute paths stay as they are.
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build();
             RunManager m = RunManager.of(TWO).on(local).store(store).build()) {
            assertThat(m.awaitCompletion(Duration.ofSeconds(10)).isSuccess()).isTrue();
            assertThat(m.runDirectory().path()).isEqualTo(Path.of(abs));
            AttemptRecord bAttempt = m.record().tasks().get(1).lastAttempt();
            assertThat(m.runDirectory().resolveStored(bAttempt.stdout())).hasContent("b-ran");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a run directory that does not exist | "runDirectory":"RUN"         | "runDirectory":"TMP/gone/RUN"     | has runDirectory 'TMP/gone/RUN', which is TMP/gone/RUN (relative paths are relative to the runs root ROOT): no such directory
            no run directory                    | "runDirectory":"RUN"         | "runDirectory":""                 | has no runDirectory
            a task twice                        | "name":"b"                   | "name":"a"                        | has task 'a' twice (tasks[0] and tasks[1])
            an attempt directory outside        | "attemptDir":"RUN/a/1"       | "attemptDir":"../a/1"             | has task 'a' attempt 1 with attemptDir '../a/1', which is TMP/a/1, outside the run directory ROOT/RUN
            another run's attempt directory     | "attemptDir":"RUN/a/1"       | "attemptDir":"two_1/a/1"          | has task 'a' attempt 1 with attemptDir 'two_1/a/1', which is ROOT/two_1/a/1, outside the run directory ROOT/RUN
            the run directory as attempt        | "attemptDir":"RUN/a/1"       | "attemptDir":"RUN"                | has task 'a' attempt 1 with attemptDir 'RUN', which is ROOT/RUN, outside the run directory ROOT/RUN
            an attempt number out of order      | "number":1,"token"           | "number":2,"token"                | has task 'a' with attempt number 2 at attempts[0]; attempts are numbered 1, 2, ... in order
            an output file leaving the root     | "stdout":"RUN/b/1/b.out"     | "stdout":"../../etc/b.out"        | has task 'b' attempt 1 with stdout '../../etc/b.out', which leaves the runs root ROOT
            """)
    void anInconsistentStoreIsRefusedNamingTheTaskAndTheField(String what, String from, String to, String expected)
            throws IOException {
        Path runs = tmp.resolve("runs");
        Path store = tmp.resolve("store.json");
        String json = finishedRun(runs, store);
        String run = RunStore.json(store).load().orElseThrow().runDirectory();
        String edited = json.replaceFirst(java.util.regex.Pattern.quote(from.replace("RUN", run)),
                java.util.regex.Matcher.quoteReplacement(to.replace("RUN", run).replace("TMP", tmp.toString())));
        assertThat(edited).as("the edit applies").isNotEqualTo(json);
        Files.writeString(store, edited, StandardCharsets.UTF_8);

        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build()) {
            RunManager m = manager(TWO, local, runs, store).build();
            assertThatThrownBy(m::step).isInstanceOf(RunStoreException.class)
                    .hasMessageStartingWith("the run store of bundle 'two' (RunStore.json(" + store + ")) "
                            + expected.replace("ROOT", runs.toString()).replace("TMP", tmp.toString())
                                    .replace("RUN", run));
        }
        assertThat(tmp.resolve("gone")).as("nothing made where the store pointed").doesNotExist();
    }
}
