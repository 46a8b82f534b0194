package org.drover;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats walltimes, the wall-clock limit of a job.
 *
 * <p>Accepted forms, as SLURM reads them: {@code "90"} (minutes), {@code "MM:SS"},
 * {@code "HH:MM:SS"}, {@code "D-HH"}, {@code "D-HH:MM"}, {@code "D-HH:MM:SS"}, and ISO-8601
 * durations such as {@code "PT1H30M"}. Minutes and seconds after the first field must be below
 * 60, hours below 24 when days are given.
 *
 * <pre>{@code
 * Walltime.parse("01:30:00")     // PT1H30M
 * Walltime.parse("2-00:00:00")   // PT48H
 * Walltime.parse("25:61:00")     // IllegalArgumentException: walltime '25:61:00': minutes 61 must be below 60
 * Walltime.format(Duration.ofMinutes(90))   // "01:30:00"
 * }</pre>
 */
public final class Walltime {
    private static final Pattern DAYS = Pattern.compile("(\\d+)-(\\d+)(?::(\\d+))?(?::(\\d+))?");
    private static final Pattern CLOCK = Pattern.compile("(\\d+)(?::(\\d+))?(?::(\\d+))?");

    private Walltime() {}

    /**
     * Parses a walltime.
     *
     * @return the walltime
     * @throws IllegalArgumentException naming the text if it is malformed, out of range or zero
     * @param text the text to parse
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("walltime must not be null");
        }
        String t = text.trim();
        Duration d;
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                d = Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("walltime '" + text + "' is not an ISO-8601 duration");
            }
        } else {
            try {
                d = parseClock(text, t);
            } catch (ArithmeticException e) { // e.g. "9223372036854775807" minutes overflow Duration
                throw new IllegalArgumentException("walltime '" + text + "' is too large");
            }
        }
        return requirePositive(d, text);
    }

    /**
     * Checks a walltime given as a Duration.
     *
     * @return the duration, unchanged
     * @throws IllegalArgumentException if it is zero, negative, or has a fraction of a second
     * @param d the d
     */
    public static Duration requireValid(Duration d) {
        if (d == null) {
            throw new IllegalArgumentException("walltime must not be null");
        }
        return requirePositive(d, d.toString());
    }

    private static Duration requirePositive(Duration d, String text) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("walltime '" + text + "' must be more than zero");
        }
        if (d.getNano() != 0) {
            throw new IllegalArgumentException("walltime '" + text + "' must be whole seconds");
        }
        return d;
    }

    private static Duration parseClock(String original, String t) {
        Matcher m = DAYS.matcher(t);
        if (m.matches()) {
            long days = number(original, m.group(1));
            long hours = field(original, "hours", m.group(2), 24);
            long minutes = m.group(3) == null ? 0 : field(original, "minutes", m.group(3), 60);
            long seconds = m.group(4) == null ? 0 : field(original, "seconds", m.group(4), 60);
            return Duration.ofDays(days).plusHours(hours).plusMinutes(minutes).plusSeconds(seconds);
        }
        m = CLOCK.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("walltime '" + original
                    + "' is not a walltime; write minutes (90), HH:MM:SS (01:30:00) or D-HH:MM:SS (2-00:00:00)");
        }
        if (m.group(2) == null) {
            return Duration.ofMinutes(number(original, m.group(1)));
        }
        if (m.group(3) == null) { // MM:SS
            return Duration.ofMinutes(number(original, m.group(1)))
                    .plusSeconds(field(original, "seconds", m.group(2), 60));
        }
        return Duration.ofHours(number(original, m.group(1)))
                .plusMinutes(field(original, "minutes", m.group(2), 60))
                .plusSeconds(field(original, "seconds", m.group(3), 60));
    }

    private static long number(String original, String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("walltime '" + original + "' is too large");
        }
    }

    private static long field(String original, String what, String digits, int bound) {
        long v = number(original, digits);
        if (v >= bound) {
            throw new IllegalArgumentException(
                    "walltime '" + original + "': " + what + " " + v + " must be below " + bound);
        }
        return v;
    }

    /**
     * Formats as {@code HH:MM:SS} (hours may exceed 24), the form SLURM and PBS both accept.
     *
     * @param d the d
     * @return the walltime as text
     */
    public static String format(Duration d) {
        long s = d.getSeconds();
        return String.format("%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }

    /**
     * Formats as SLURM's {@code D-HH:MM:SS} when at least a day, else {@code HH:MM:SS}.
     *
     * @param d the d
     * @return the walltime as text
     */
    public static String formatWithDays(Duration d) {
        long s = d.getSeconds();
        long days = s / 86_400;
        String clock = format(Duration.ofSeconds(s % 86_400));
        return days == 0 ? clock : days + "-" + clock;
    }
}
