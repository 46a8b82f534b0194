package org.drover.internal;

import java.util.Locale;

/** Counts with their noun for messages: {@code 1 job}, {@code 3 jobs}, {@code 12,000 tasks}. */
public final class Plural {
    private Plural() {}

    /**
     * A count and its noun, plural unless the count is one.
     *
     * @param n the count
     * @param noun the singular noun, made plural by adding {@code s}
     * @return e.g. {@code 1 job} or {@code 2 jobs}
     */
    public static String of(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
