package org.drover.slurm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SLURM job id forms: plain {@code 123}, array task {@code 123_4}, array range {@code 123_[4-9%2]}, het {@code 123+0}. */
public final class SlurmIds {
    private static final Pattern RANGE = Pattern.compile("(\\d+)_\\[([0-9,\\-]+)(?:%\\d+)?\\]");
    private static final Pattern ID = Pattern.compile("\\d+(?:_\\d+|\\+\\d+)?");

    private SlurmIds() {}

    /** Whether the text is one job id Drover tracks: {@code 123}, {@code 123_4} or {@code 123+0}. */
    public static boolean isId(String id) {
        return ID.matcher(id).matches();
    }

    /** Whether the text is a pending array as squeue prints it: {@code 123_[1-5,7%2]}. */
    public static boolean isRange(String printed) {
        return RANGE.matcher(printed).matches();
    }

    /** The job id before any {@code _task} or {@code +component}. */
    public static String base(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '_' || c == '+') {
                return id.substring(0, i);
            }
        }
        return id;
    }

    /**
     * The task ids a printed id stands for: {@code 123_[4-6%2]} gives 123_4, 123_5, 123_6;
     * anything else gives itself.
     */
    public static List<String> expand(String printed) {
        Matcher m = RANGE.matcher(printed);
        if (!m.matches()) {
            return List.of(printed);
        }
        String base = m.group(1);
        List<String> ids = new ArrayList<>();
        for (String part : m.group(2).split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                ids.add(base + "_" + Long.parseLong(part));
            } else {
                long from = Long.parseLong(part.substring(0, dash));
                long to = Long.parseLong(part.substring(dash + 1));
                if (to - from > 1_000_000) {
                    throw new IllegalArgumentException("array range too large: " + printed);
                }
                for (long i = from; i <= to; i++) {
                    ids.add(base + "_" + i);
                }
            }
        }
        return ids;
    }
}
