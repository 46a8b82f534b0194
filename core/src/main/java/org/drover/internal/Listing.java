package org.drover.internal;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Bounded multi-line listings for {@code toString()}s a JShell user reads: at most a screenful. */
public final class Listing {
    /** How many items a listing shows before {@code ... N more}. */
    public static final int MAX_LINES = 20;

    private Listing() {}

    /**
     * Appends one indented line per item, at most {@link #MAX_LINES}, then {@code ... N more}.
     *
     * @param sb where to append
     * @param items the items
     * @param line how an item reads
     * @param <T> the item type
     * @return {@code sb}
     */
    public static <T> StringBuilder append(StringBuilder sb, List<T> items, Function<T, String> line) {
        int shown = Math.min(items.size(), MAX_LINES);
        for (int i = 0; i < shown; i++) {
            sb.append("\n  ").append(line.apply(items.get(i)));
        }
        if (items.size() > shown) {
            sb.append(String.format(Locale.ROOT, "%n  ... %,d more", items.size() - shown));
        }
        return sb;
    }
}
