package org.drover.local;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Whether the JDK hands a text to a new process as its UTF-8 bytes, as a job's script (written as
 * UTF-8) and the fork server (sent as UTF-8) do. The JDK encodes a process's argument list,
 * environment and directory with the platform's encoding ({@code sun.jnu.encoding}; on Java 17
 * the default charset for arguments and environment): under {@code LC_ALL=C} that is ASCII, and
 * every other character would become {@code ?}. Such text goes through the job's
 * {@code script.sh} instead.
 */
final class NativeText {
    /** Whether both encodings the JDK may use for a new process are UTF-8: then every text is carried. */
    private static final boolean UTF8 = isUtf8(Charset.defaultCharset())
            && isUtf8(System.getProperty("sun.jnu.encoding"));

    private NativeText() {}

    /**
     * Whether ProcessBuilder passes {@code text} as its UTF-8 bytes: always under a UTF-8 locale;
     * otherwise only ASCII (which every platform encoding on Unix writes as ASCII).
     */
    static boolean carries(String text) {
        if (UTF8) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUtf8(String charset) {
        try {
            return charset != null && isUtf8(Charset.forName(charset));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isUtf8(Charset charset) {
        return charset.equals(StandardCharsets.UTF_8);
    }
}
