package org.drover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of memory, held exactly in bytes.
 *
 * <p>Units are binary, as every batch scheduler reads them: {@code K}, {@code M}, {@code G},
 * {@code T} and their spellings {@code KB}/{@code KiB}, {@code MB}/{@code MiB}, ... all mean
 * powers of 1024. A number without a unit is rejected, because schedulers disagree about what
 * it means (SLURM reads megabytes, PBS bytes).
 *
 * <pre>{@code
 * Memory.parse("16G").bytes()      // 17179869184
 * Memory.parse("1.5GB")            // 1536M
 * Memory.parse("512 MiB")          // 512M
 * Memory.parse("16 GiB?")          // IllegalArgumentException: memory '16 GiB?' is not a size ...
 * }</pre>
 *
 * Schedulers format it in their own syntax ({@link #toMegabytesCeil()} and friends).
 */
public final class Memory implements Comparable<Memory> {
    private static final Pattern FORM =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTP]?)(I?B)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGTP";

    private final long bytes;

    private Memory(long bytes) {
        this.bytes = bytes;
    }

    /**
     * An amount of bytes.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     * @param bytes the size in bytes
     * @return the memory
     */
    public static Memory ofBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memory must be positive, got " + bytes + " bytes");
        }
        return new Memory(bytes);
    }

    /**
     * {@code megabytes} MiB.
     *
     * @param megabytes the size in MiB
     * @return the memory
     */
    public static Memory ofMegabytes(long megabytes) {
        return ofBytes(Math.multiplyExact(megabytes, 1L << 20));
    }

    /**
     * {@code gigabytes} GiB.
     *
     * @param gigabytes the size in GiB
     * @return the memory
     */
    public static Memory ofGigabytes(long gigabytes) {
        return ofBytes(Math.multiplyExact(gigabytes, 1L << 30));
    }

    /**
     * Parses a human form: a positive number, optional spaces, and a binary unit.
     *
     * @return the memory
     * @throws IllegalArgumentException naming the text when it is not a size, has no unit, is
     *     zero, or is too large
     * @param text the text to parse
     */
    @JsonCreator
    public static Memory parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("memory must not be null");
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("memory '" + text
                    + "' is not a size; write a number and a unit, e.g. 512M, 16G, 1.5GB");
        }
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        if (unit.isEmpty() && m.group(3) == null) {
            throw new IllegalArgumentException("memory '" + text
                    + "' has no unit; write e.g. " + m.group(1) + "M or " + m.group(1) + "G");
        }
        if (unit.isEmpty() && m.group(3).length() > 1) {
            throw new IllegalArgumentException("memory '" + text + "' has an unknown unit");
        }
        // "".indexOf would be 0 (K): a bare B must stay bytes.
        int power = unit.isEmpty() ? 0 : UNITS.indexOf(unit) + 1;
        BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(2).pow(10 * power));
        BigDecimal rounded = value.setScale(0, RoundingMode.CEILING);
        if (rounded.signum() <= 0) {
            throw new IllegalArgumentException("memory '" + text + "' must be more than zero");
        }
        if (rounded.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("memory '" + text + "' is too large");
        }
        return new Memory(rounded.longValueExact());
    }

    /**
     * The size in bytes.
     *
     * @return the bytes
     */
    public long bytes() {
        return bytes;
    }

    /**
     * Whole MiB, rounded up (a scheduler must never get less than asked).
     *
     * @return the size in MiB, rounded up
     */
    public long toMegabytesCeil() {
        return ceilDiv(bytes, 1L << 20);
    }

    /**
     * Whole KiB, rounded up.
     *
     * @return the size in KiB, rounded up
     */
    public long toKilobytesCeil() {
        return ceilDiv(bytes, 1L << 10);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * The shortest exact form with one letter unit, e.g. {@code 16G}, {@code 1536M}, {@code 100B}
     * for a count of bytes that is not a whole KiB. {@link #parse} reads it back to the same value.
     */
    @JsonValue
    @Override
    public String toString() {
        int power = 0;
        long value = bytes;
        while (power < UNITS.length() && value % 1024 == 0) {
            value /= 1024;
            power++;
        }
        return power == 0 ? value + "B" : value + String.valueOf(UNITS.charAt(power - 1));
    }

    /**
     * This amount in the given unit letter ({@code K}, {@code M}, {@code G}, {@code T}), rounded
     * up: {@code Memory.parse("1.5G").toCeil('G')} is 2.
     *
     * @param unit {@code K}, {@code M}, {@code G} or {@code T}
     * @return this amount in the given unit letter ({@code K}, {@code M}, {@code G}, {@code T}), rounded up: {@code Memory.parse("1.5G").toCeil('G')} is 2
     */
    public long toCeil(char unit) {
        int power = UNITS.indexOf(Character.toUpperCase(unit)) + 1;
        if (power == 0) {
            throw new IllegalArgumentException("unit must be one of K, M, G, T, P; got '" + unit + "'");
        }
        return ceilDiv(bytes, 1L << (10 * power));
    }

    @Override
    public int compareTo(Memory other) {
        return Long.compare(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Memory && ((Memory) o).bytes == bytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bytes);
    }
}
