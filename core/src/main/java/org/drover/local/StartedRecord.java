package org.drover.local;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A local job's {@code started} record: {@code epoch-seconds host pid start-ticks [gpus=0,1]}. The
 * first three fields are those the job wrapper of batch schedulers writes; the start ticks
 * ({@link ProcessIdentity}) and the gpu devices the job was given let a later LocalScheduler, in
 * another JVM, follow the job and keep its devices from others.
 *
 * @param started when the job started
 * @param host the host it runs on
 * @param pid its process id, also its process group id
 * @param startTicks its start time in clock ticks since boot, or null if not recorded
 * @param gpus the gpu devices it was given
 */
record StartedRecord(Instant started, String host, long pid, String startTicks, List<Integer> gpus) {
    /** The record's text, without the line end. */
    String line() {
        StringBuilder sb = new StringBuilder().append(started.getEpochSecond()).append(' ').append(host).append(' ')
                .append(pid).append(' ').append(startTicks == null ? "0" : startTicks);
        sb.append(tail(gpus));
        return sb.toString();
    }

    /** What follows the start ticks: {@code " gpus=0,1"}, or nothing without gpus. */
    static String tail(List<Integer> gpus) {
        if (gpus.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" gpus=");
        for (int i = 0; i < gpus.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(gpus.get(i));
        }
        return sb.toString();
    }

    /** Parses a record; throws IllegalArgumentException naming what is wrong. */
    static StartedRecord parse(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("started record '" + text.trim() + "' has fewer than 3 fields");
        }
        try {
            Instant at = Instant.ofEpochSecond(Long.parseLong(f[0]));
            long pid = Long.parseLong(f[2]);
            String ticks = f.length > 3 && !f[3].equals("0") ? f[3] : null;
            List<Integer> gpus = new ArrayList<>();
            for (int i = 4; i < f.length; i++) {
                if (f[i].startsWith("gpus=")) {
                    for (String g : f[i].substring(5).split(",")) {
                        gpus.add(Integer.valueOf(g));
                    }
                }
            }
            return new StartedRecord(at, f[1], pid, ticks, List.copyOf(gpus));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("started record '" + text.trim() + "' is malformed: " + e.getMessage());
        }
    }
}
