package dev.promgate.decision;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * {@link Instant#toString()}'s text ({@code 2026-11-26T10:00:00.123Z}), faster: the date and time
 * up to the second is formatted once per second and kept, the fraction appended by hand. Every
 * decision log line starts with one.
 */
final class Times {

  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);
  /** Years outside 0000–9999 print with a sign in ISO-8601; those go to the JDK. */
  private static final long MIN_SECOND = -62_167_219_200L;
  private static final long MAX_SECOND = 253_402_300_799L;

  private record Second(long epochSecond, String text) {}

  private static volatile Second last = new Second(0, "1970-01-01T00:00:00");

  private Times() {}

  static String iso(Instant at) {
    long second = at.getEpochSecond();
    if (second < MIN_SECOND || second > MAX_SECOND) {
      return at.toString();
    }
    Second known = last;
    if (known.epochSecond() != second) {
      known = new Second(second, SECONDS.format(at));
      last = known;
    }
    int nanos = at.getNano();
    if (nanos == 0) {
      return known.text() + 'Z';
    }
    StringBuilder s = new StringBuilder(known.text().length() + 11).append(known.text()).append('.');
    // As Instant.toString: milli-, micro- or nanoseconds, whichever shows every digit.
    if (nanos % 1_000_000 == 0) {
      pad(s, nanos / 1_000_000, 3);
    } else if (nanos % 1_000 == 0) {
      pad(s, nanos / 1_000, 6);
    } else {
      pad(s, nanos, 9);
    }
    return s.append('Z').toString();
  }

  private static void pad(StringBuilder s, int value, int digits) {
    String text = Integer.toString(value);
    for (int i = text.length(); i < digits; i++) {
      s.append('0');
    }
    s.append(text);
  }
}
