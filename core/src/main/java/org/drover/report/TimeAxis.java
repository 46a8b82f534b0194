package org.drover.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The chart's time scale: from the first submission to the last end (or the report's time), the
 * position of a time on it in percent, and ticks at round intervals (1 s, 2 s, 5 s, ... 1 day).
 */
final class TimeAxis {
    private static final long[] STEPS = {1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
        600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
        172_800_000, 604_800_000};
    /** The most ticks on the axis. */
    private static final int MAX_TICKS = 10;

    private final long start;
    private final long span;

    /** A scale from {@code start} to {@code end} (epoch ms); an empty or negative span is taken as one second. */
    TimeAxis(long start, long end) {
        this.start = start;
        this.span = Math.max(1_000, end - start);
    }

    long start() {
        return start;
    }

    long span() {
        return span;
    }

    /** Where {@code t} is, in percent of the width, with three decimals (a pixel of a 100,000 px chart). */
    void appendPercent(StringBuilder sb, long t) {
        long thousandths = Math.round((t - start) * 100_000.0 / span);
        appendThousandths(sb, thousandths);
    }

    private static void appendThousandths(StringBuilder sb, long v) {
        if (v < 0) {
            sb.append('-');
            v = -v;
        }
        sb.append(v / 1000);
        long f = v % 1000;
        if (f != 0) {
            sb.append('.');
            if (f < 100) {
                sb.append('0');
            }
            if (f < 10) {
                sb.append('0');
            }
            while (f % 10 == 0) {
                f /= 10;
            }
            sb.append(f);
        }
    }

    /** The ticks, as offsets from the start in ms: 0, step, 2 step, ... up to the span. */
    List<Long> ticks() {
        long step = STEPS[STEPS.length - 1];
        for (long s : STEPS) {
            if (span / s <= MAX_TICKS) {
                step = s;
                break;
            }
        }
        if (span / step > MAX_TICKS) {
            step = (span / MAX_TICKS / 86_400_000 + 1) * 86_400_000;
        }
        List<Long> ticks = new ArrayList<>();
        for (long t = 0; t <= span; t += step) {
            ticks.add(t);
        }
        return ticks;
    }

    /**
     * A duration as people read it: {@code 0.25 s}, {@code 12.3 s}, {@code 1:05}, {@code 1:02:03},
     * {@code 2d 03:04:05}; "" for a negative one (unknown).
     */
    static String duration(long millis) {
        if (millis < 0) {
            return "";
        }
        if (millis < 10_000) {
            return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long s = millis / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dd %02d:%02d:%02d", s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    }

    /** A tick's label: an offset from the start, {@code 0:00}, {@code 0:30}, {@code 1:00:00}, {@code 1d 00:00}. */
    static String tickLabel(long offsetMillis) {
        long s = offsetMillis / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dd %02d:%02d", s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    }
}
