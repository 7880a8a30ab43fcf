package dev.promgate.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-26T10:00:00Z", "2026-11-26T10:00:00.100Z", "2026-11-26T10:00:00.123456Z",
      "2026-11-26T10:00:00.000000001Z", "2026-11-26T10:00:00.120Z", "1970-01-01T00:00:00Z",
      "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z", "-0001-06-01T00:00:00Z"})
  void writesWhatInstantToStringWrites(String text) {
    Instant at = Instant.parse(text);
    assertEquals(at.toString(), Times.iso(at));
  }

  @Test
  void aSecondKeptDoesNotLeakIntoTheNext() {
    Instant first = Instant.parse("2026-11-26T10:00:00.5Z");
    assertEquals(first.toString(), Times.iso(first));
    for (long n = 0; n < 5000; n += 7) {
      Instant at = first.plusNanos(n * 1_234_567L);
      assertEquals(at.toString(), Times.iso(at));
    }
  }

  @Test
  void durationsAreLoggedAsMillisecondsWithMicrosecondDigits() {
    assertEquals("0", DecisionLog.milliseconds(java.time.Duration.ZERO));
    assertEquals("0.125", DecisionLog.milliseconds(java.time.Duration.ofNanos(125_999)));
    assertEquals("0.001", DecisionLog.milliseconds(java.time.Duration.ofNanos(1_000)));
    assertEquals("12", DecisionLog.milliseconds(java.time.Duration.ofMillis(12)));
    assertEquals("1500.25", DecisionLog.milliseconds(java.time.Duration.ofMillis(1500).plusNanos(250_000)));
  }
}
