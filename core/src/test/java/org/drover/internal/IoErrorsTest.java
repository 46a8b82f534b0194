package org.drover.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.drover.run.RunRecord;
import org.drover.run.RunStore;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every I/O error message keeps the operating system's reason: Java's file exceptions often carry
 * only the path ({@code cannot create /x/y: /x/y}), which says nothing a person can act on.
 * Real files; the reasons are ones root gets too.
 */
class IoErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void theReasonIsAddedWhereJavaLeftItOut() {
        assertThat(IoErrors.describe(new AccessDeniedException("/runs/x"))).isEqualTo("/runs/x: Permission denied");
        assertThat(IoErrors.describe(new FileSystemException("/a", "/b", "Read-only file system")))
                .isEqualTo("/a -> /b: Read-only file system");
        assertThat(IoErrors.describe(new IOException("Is a directory"))).isEqualTo("Is a directory");
        assertThat(IoErrors.describe(new IOException())).isEqualTo("IOException");
    }

    @Test
    void theShellsMessagesSayWhatTheOperatingSystemSaid() throws IOException {
        Shell shell = LocalShell.create();
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> shell.createDirectories(file))
                .isInstanceOf(UncheckedIOException.class).hasMessage("cannot create " + file + ": " + file + ": File exists");
        assertThatThrownBy(() -> shell.createDirectories(file.resolve("sub")))
                .hasMessage("cannot create " + file.resolve("sub") + ": " + file.resolve("sub") + ": Not a directory");
        Path missing = tmp.resolve("missing/job.json");
        assertThatThrownBy(() -> shell.writeRecord(missing, new byte[] {1}))
                .hasMessageStartingWith("cannot write " + missing + ": ").hasMessageEndingWith(": No such file or directory");
        assertThatThrownBy(() -> shell.writeFile(file.resolve("x"), new byte[] {1}))
                .hasMessageStartingWith("cannot write " + file.resolve("x") + ": ").hasMessageEndingWith(": File exists");
        assertThatThrownBy(() -> shell.readFile(tmp)).hasMessage("cannot read " + tmp + ": Is a directory");
    }

    @Test
    void theRunStoresMessagesSayWhatTheOperatingSystemSaid() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        RunStore store = RunStore.json(file.resolve("run.json"));
        assertThatThrownBy(() -> store.save(new RunRecord("s", "local", "s_1", Instant.now(), List.of())))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot lock run store " + file.resolve("run.json") + ": " + file + ": File exists");
        Path dir = Files.createDirectories(tmp.resolve("store.json"));
        assertThatThrownBy(() -> RunStore.json(dir).load()).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot read run store " + dir + ": ").hasMessageContaining("Is a directory");
    }
}
