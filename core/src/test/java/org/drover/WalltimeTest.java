package org.drover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class WalltimeTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "90          | PT1H30M",
            "1           | PT1M",
            "01:30:00    | PT1H30M",
            "2-00:00:00  | PT48H",
            "1-12        | PT36H",
            "1-12:30     | PT36H30M",
            "1-12:30:15  | PT36H30M15S",
            "0-00:00:01  | PT1S",
            "45:30       | PT45M30S",
            "00:59       | PT59S",
            "100:00:00   | PT100H",
            "25:59:59    | PT25H59M59S",
            "PT1H30M     | PT1H30M",
            "pt1h        | PT1H",
            "P2D         | PT48H",
            "P1DT1S      | PT24H0M1S",
            "' 90 '      | PT1H30M",
    })
    void parsesAcceptedForms(String text, String iso) {
        assertThat(Walltime.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @Test
    void minutesAreNotBoundedWithoutHours() {
        assertThat(Walltime.parse("1440")).isEqualTo(Duration.ofDays(1));
        assertThat(Walltime.parse("120:00")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void rejectsMinutesAbove59NamingThem() {
        assertThatThrownBy(() -> Walltime.parse("25:61:00"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'25:61:00'")
                .hasMessageContaining("minutes 61")
                .hasMessageContaining("below 60");
    }

    @Test
    void rejectsSecondsAbove59NamingThem() {
        assertThatThrownBy(() -> Walltime.parse("12:60"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'12:60'")
                .hasMessageContaining("seconds 60");
        assertThatThrownBy(() -> Walltime.parse("01:00:75"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seconds 75");
    }

    @Test
    void rejectsHours24WithDays() {
        assertThatThrownBy(() -> Walltime.parse("1-24:00:00"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1-24:00:00'")
                .hasMessageContaining("hours 24")
                .hasMessageContaining("below 24");
        assertThatThrownBy(() -> Walltime.parse("1-12:60"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minutes 60");
    }

    @ParameterizedTest
    @ValueSource(strings = {"00:00:00", "0", "0-00", "00:00", "PT0S", "0-00:00:00"})
    void rejectsZero(String text) {
        assertThatThrownBy(() -> Walltime.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("more than zero");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "abc", "1:2:3:4", "1-2-3", "1h", "01:30:00.5", "1 - 12", "1-", ":30", "P1M", "PTxH"})
    void rejectsMalformedTextNamingIt(String text) {
        assertThatThrownBy(() -> Walltime.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("walltime '" + text + "'");
    }

    @Test
    void rejectsNegativeIsoDuration() {
        assertThatThrownBy(() -> Walltime.parse("PT-1H"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'PT-1H'")
                .hasMessageContaining("more than zero");
    }

    @Test
    void rejectsFractionalIsoSeconds() {
        assertThatThrownBy(() -> Walltime.parse("PT0.5S"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'PT0.5S'")
                .hasMessageContaining("whole seconds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775807", "99999999999999999999", "9223372036854775807:00:00",
            "99999999999999999-00"})
    void rejectsOverflowAsTooLarge(String text) {
        // Before the fix, "9223372036854775807" escaped as an ArithmeticException from Duration.ofMinutes.
        assertThatThrownBy(() -> Walltime.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("too large");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void rejectsNullAndEmpty(String text) {
        assertThatThrownBy(() -> Walltime.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("walltime ");
    }

    @Test
    void acceptsValidDurations() {
        Duration d = Duration.ofMinutes(90);
        assertThat(Walltime.requireValid(d)).isSameAs(d);
        assertThat(Walltime.requireValid(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(Walltime.requireValid(Duration.ofDays(30))).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void rejectsInvalidDurations() {
        assertThatThrownBy(() -> Walltime.requireValid(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT1.5S")
                .hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> Walltime.requireValid(Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> Walltime.requireValid(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S")
                .hasMessageContaining("more than zero");
        assertThatThrownBy(() -> Walltime.requireValid(Duration.ofMinutes(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-5M");
        assertThatThrownBy(() -> Walltime.requireValid(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void formatsAsHoursMinutesSeconds() {
        assertThat(Walltime.format(Duration.ofMinutes(90))).isEqualTo("01:30:00");
        assertThat(Walltime.format(Duration.ofSeconds(59))).isEqualTo("00:00:59");
        assertThat(Walltime.format(Duration.ofHours(48))).isEqualTo("48:00:00");
        assertThat(Walltime.format(Duration.ofHours(100).plusSeconds(61))).isEqualTo("100:01:01");
    }

    @Test
    void formatsWithDaysFromOneDay() {
        assertThat(Walltime.formatWithDays(Duration.ofMinutes(90))).isEqualTo("01:30:00");
        assertThat(Walltime.formatWithDays(Duration.ofHours(23).plusMinutes(59).plusSeconds(59))).isEqualTo("23:59:59");
        assertThat(Walltime.formatWithDays(Duration.ofHours(24))).isEqualTo("1-00:00:00");
        assertThat(Walltime.formatWithDays(Duration.ofHours(48))).isEqualTo("2-00:00:00");
        assertThat(Walltime.formatWithDays(Duration.ofDays(1).plusHours(1).plusMinutes(1).plusSeconds(1)))
                .isEqualTo("1-01:01:01");
        assertThat(Walltime.formatWithDays(Duration.ofDays(400))).isEqualTo("400-00:00:00");
    }

    @Test
    void formattedFormsParseBack() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            Duration d = Duration.ofSeconds(1 + (long) random.nextInt(Integer.MAX_VALUE));
            assertThat(Walltime.parse(Walltime.format(d))).as(Walltime.format(d)).isEqualTo(d);
            assertThat(Walltime.parse(Walltime.formatWithDays(d))).as(Walltime.formatWithDays(d)).isEqualTo(d);
        }
    }
}
