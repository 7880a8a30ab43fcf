package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void readsGoAndKubernetesDurations() {
    assertEquals(Duration.ofHours(720), Durations.parse("720h"));
    assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1.5h"));
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofNanos(2_000), Durations.parse("2us"));
    assertEquals(Duration.ofNanos(2_000), Durations.parse("2µs"));
    assertEquals(Duration.ofNanos(7), Durations.parse("7ns"));
    assertEquals(Duration.ofSeconds(3661), Durations.parse("1h1m1s"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertEquals(Duration.ZERO, Durations.parse("0s"));
    assertEquals(Duration.ofHours(87_600), Durations.parse("87600h"));
  }

  @Test
  void refusesWhatGoWouldRefuseAndSigns() {
    assertEquals("duration \"30d\" has the unknown unit \"d\"; days are not a unit, write 720h (use h, m, s, ms, us or ns)",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("30d")).getMessage());
    assertEquals("duration \"10\" is missing a unit after 10 (use h, m, s or ms)",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("10")).getMessage());
    assertEquals("duration \"-5m\" must not have a sign",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5m")).getMessage());
    assertEquals("duration \"10 m\" must be written without spaces, e.g. 30s, 10m, 1h30m, 720h",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("10 m")).getMessage());
    assertEquals("duration \"5mins\" has the unknown unit \"mins\"; write m (use h, m, s, ms, us or ns)",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5mins")).getMessage());
    assertEquals("duration \"1H\" has the unknown unit \"H\"; units are lower case (use h, m, s, ms, us or ns)",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1H")).getMessage());
    for (String bad : new String[] {"", "h", ".h", "1..2h", "1.2.3s", "forever", "999999999999h"}) {
      assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
    }
  }

  @Test
  void formatsShortestFormThatParsesBack() {
    assertEquals("720h", Durations.format(Duration.ofHours(720)));
    assertEquals("1h30m", Durations.format(Duration.ofMinutes(90)));
    assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    assertEquals("0s", Durations.format(Duration.ZERO));
    assertEquals("1h0.001s", Durations.format(Duration.ofHours(1).plusMillis(1)));
    for (String text : new String[] {"720h", "1h30m", "1.5s", "500ms", "2us", "7ns", "1h1m1s", "10m0.25s"}) {
      assertEquals(Durations.parse(text), Durations.parse(Durations.format(Durations.parse(text))), text);
    }
  }
}
