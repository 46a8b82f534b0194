package org.drover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryTest {
    private static final long K = 1L << 10;
    private static final long M = 1L << 20;
    private static final long G = 1L << 30;
    private static final long T = 1L << 40;

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource(delimiter = '|', value = {
            "512M    | 536870912",
            "16G     | 17179869184",
            "1.5GB   | 1610612736",
            "16GiB   | 17179869184",
            "2 G     | 2147483648",
            "100B    | 100",
            "1T      | 1099511627776",
            "512 MiB | 536870912",
            "1k      | 1024",
            "4kib    | 4096",
            "1P      | 1125899906842624",
            "0.5K    | 512",
    })
    void parsesHumanForms(String text, long bytes) {
        assertThat(Memory.parse(text).bytes()).isEqualTo(bytes);
    }

    @Test
    void aBareBIsBytesNotKibibytes() {
        // Regression: "KMGTP".indexOf("") is 0, so "100B" was read as 100 KiB (102400 bytes).
        assertThat(Memory.parse("100B").bytes()).isEqualTo(100);
        assertThat(Memory.parse("2048b").bytes()).isEqualTo(2048);
        assertThat(Memory.parse(Memory.ofBytes(1025).toString())).isEqualTo(Memory.ofBytes(1025));
    }

    @Test
    void trimsSurroundingSpace() {
        assertThat(Memory.parse("  16G \t")).isEqualTo(Memory.ofGigabytes(16));
    }

    @Test
    void roundsFractionsUpToWholeBytes() {
        // 1.0000001 KiB is 1024.0001 bytes: a scheduler must get at least that, so 1025.
        assertThat(Memory.parse("1.0000001K").bytes()).isEqualTo(1025);
        assertThat(Memory.parse("0.1B").bytes()).isEqualTo(1);
    }

    @Test
    void formatsTheShortestExactForm() {
        assertThat(Memory.parse("16G")).hasToString("16G");
        assertThat(Memory.parse("1.5GB")).hasToString("1536M");
        assertThat(Memory.parse("100B")).hasToString("100B");
        assertThat(Memory.parse("1024K")).hasToString("1M");
        assertThat(Memory.parse("1T")).hasToString("1T");
        assertThat(Memory.parse("2048T")).hasToString("2P");
        assertThat(Memory.ofBytes(1025)).hasToString("1025B");
        assertThat(Memory.ofBytes(3 * K)).hasToString("3K");
    }

    @Test
    void toStringRoundTripsThroughParse() {
        List<Long> values = new ArrayList<>(List.of(1L, 2L, 100L, 1023L, K, K + 1, 1536 * M, M, G, T, 1L << 50,
                1L << 60, 3L << 60, Long.MAX_VALUE, Long.MAX_VALUE - 1, 7 * (1L << 50), 999 * G));
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            long v = random.nextLong() & Long.MAX_VALUE;
            int shift = random.nextInt(60);
            values.add(Math.max(1, v >>> shift));
            values.add(Math.max(1, (v >>> (shift + 3)) << (10 * random.nextInt(4))));
        }
        for (long v : values) {
            Memory m = Memory.ofBytes(v);
            assertThat(Memory.parse(m.toString())).as("%d bytes as %s", v, m).isEqualTo(m);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"16 GiB?", "-1G", "abc", "1.5XB", "G", "1.G", "1,5G", "16GG", "0x10M", "1e3M", "16 G B"})
    void rejectsTextThatIsNotASizeNamingIt(String text) {
        assertThatThrownBy(() -> Memory.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory '" + text + "'");
    }

    @Test
    void rejectsANumberWithoutUnit() {
        assertThatThrownBy(() -> Memory.parse("512"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'512'")
                .hasMessageContaining("no unit")
                .hasMessageContaining("512M");
    }

    @Test
    void rejectsAnIbWithoutLetter() {
        assertThatThrownBy(() -> Memory.parse("512iB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'512iB'")
                .hasMessageContaining("unknown unit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0M", "0B", "0.0G", "0 T"})
    void rejectsZero(String text) {
        assertThatThrownBy(() -> Memory.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("more than zero");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999P", "8192P", "9223372036854775808B", "99999999999999999999999999G"})
    void rejectsOverflow(String text) {
        assertThatThrownBy(() -> Memory.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("too large");
    }

    @Test
    void largestValueThatFitsIsAccepted() {
        assertThat(Memory.parse("8191P").bytes()).isEqualTo(8191L << 50);
        assertThat(Memory.parse("9223372036854775807B").bytes()).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void rejectsNullAndBlank(String text) {
        assertThatThrownBy(() -> Memory.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("memory ")
                .hasMessageContaining(text == null ? "null" : "'" + text + "'");
    }

    @Test
    void toCeilRoundsUpToTheUnit() {
        Memory m = Memory.parse("1.5G");
        assertThat(m.toCeil('G')).isEqualTo(2);
        assertThat(m.toCeil('g')).isEqualTo(2);
        assertThat(m.toCeil('M')).isEqualTo(1536);
        assertThat(m.toCeil('K')).isEqualTo(1536 * 1024);
        assertThat(m.toCeil('T')).isEqualTo(1);
        assertThat(m.toCeil('P')).isEqualTo(1);
        assertThat(Memory.parse("16G").toCeil('G')).isEqualTo(16);
        assertThat(Memory.ofBytes(G + 1).toCeil('G')).isEqualTo(2);
    }

    @Test
    void toCeilRejectsAnUnknownUnit() {
        assertThatThrownBy(() -> Memory.parse("1G").toCeil('X'))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'X'");
        assertThatThrownBy(() -> Memory.parse("1G").toCeil('B'))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'B'");
    }

    @Test
    void toMegabytesAndKilobytesCeil() {
        assertThat(Memory.parse("100B").toMegabytesCeil()).isEqualTo(1);
        assertThat(Memory.parse("1G").toMegabytesCeil()).isEqualTo(1024);
        assertThat(Memory.parse("1.5GB").toMegabytesCeil()).isEqualTo(1536);
        assertThat(Memory.ofBytes(M).toMegabytesCeil()).isEqualTo(1);
        assertThat(Memory.ofBytes(M + 1).toMegabytesCeil()).isEqualTo(2);
        assertThat(Memory.ofBytes(Long.MAX_VALUE).toMegabytesCeil()).isEqualTo((Long.MAX_VALUE >> 20) + 1);
        assertThat(Memory.parse("100B").toKilobytesCeil()).isEqualTo(1);
        assertThat(Memory.ofBytes(K).toKilobytesCeil()).isEqualTo(1);
        assertThat(Memory.ofBytes(K + 1).toKilobytesCeil()).isEqualTo(2);
    }

    @Test
    void factories() {
        assertThat(Memory.ofMegabytes(512)).isEqualTo(Memory.parse("512M"));
        assertThat(Memory.ofGigabytes(16)).isEqualTo(Memory.parse("16G"));
        assertThatThrownBy(() -> Memory.ofBytes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 bytes");
        assertThatThrownBy(() -> Memory.ofBytes(-5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5 bytes");
        assertThatThrownBy(() -> Memory.ofGigabytes(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalityAndOrder() {
        assertThat(Memory.parse("1G")).isEqualTo(Memory.parse("1024M")).hasSameHashCodeAs(Memory.parse("1024 MiB"));
        assertThat(Memory.parse("1G")).isNotEqualTo(Memory.parse("1025M"));
        assertThat(Memory.parse("1G")).isLessThan(Memory.parse("1025M"));
        assertThat(Memory.parse("2T")).isGreaterThan(Memory.parse("2047G"));
    }
}
