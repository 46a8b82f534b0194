package org.drover.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Timestamps for record and run directory names: {@code yyyyMMdd-HHmmss-SSS} in UTC, made unique
 * by creating the file or directory atomically and moving on by a millisecond when it exists.
 */
public final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    private static final Pattern STAMP = Pattern.compile("\\d{8}-\\d{6}-\\d{3}");

    private Timestamps() {}

    public static String format(Instant t) {
        return FORMAT.format(t);
    }

    /**
     * Creates {@code dir/<prefix><stamp><suffix>}, a file or a directory, that did not exist,
     * and returns it.
     */
    public static Path createUnique(Path dir, String prefix, String suffix, boolean directory) throws IOException {
        Instant t = Instant.now();
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + format(t) + suffix);
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100_000) {
                    throw e;
                }
                t = t.plusMillis(1);
            }
        }
    }

    /** Whether {@code fileName} is {@code <prefix><stamp><suffix>}. */
    public static boolean isStamped(String fileName, String prefix, String suffix) {
        if (!fileName.startsWith(prefix) || !fileName.endsWith(suffix)
                || fileName.length() != prefix.length() + 19 + suffix.length()) {
            return false;
        }
        return STAMP.matcher(fileName.substring(prefix.length(), prefix.length() + 19)).matches();
    }
}
