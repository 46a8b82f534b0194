package org.drover.pbs.internal;

import java.util.Map;
import java.util.Optional;

/**
 * One job as {@code qstat -f} (text form) prints it: its full id with the server suffix
 * ({@code 7.pbshost}, {@code 4[].pbshost}, {@code 4[2].pbshost}) and its attributes in the order
 * printed, with wrapped values joined.
 *
 * @param id the job id as printed
 * @param attributes every {@code key = value} line, keys as printed ({@code job_state},
 *     {@code Resource_List.ncpus}, {@code Exit_status}, ...)
 */
public record PbsJob(String id, Map<String, String> attributes) {
    /** Copies the attributes (in order). */
    public PbsJob {
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    /** An attribute's value, if printed. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /** The {@code job_state} letter, or empty if not printed. */
    public String stateLetter() {
        return attributes.getOrDefault("job_state", "");
    }

    /** {@code Exit_status}, if printed (absent when the job never ran). */
    public Optional<Integer> exitStatus() {
        Optional<Integer> pro = integer("Exit_status");
        return pro.isPresent() ? pro : integer("exit_status");   // Torque spells it in lower case
    }

    /** {@code substate}, if printed. */
    public Optional<Integer> substate() {
        return integer("substate");
    }

    /** {@code comment}, or "". */
    public String comment() {
        return attributes.getOrDefault("comment", "");
    }

    private Optional<Integer> integer(String key) {
        String v = attributes.get(key);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.valueOf(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
