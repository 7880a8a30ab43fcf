package dev.promgate.policy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Durations as Go and Kubernetes write them: a sequence of decimal numbers with a unit each,
 * {@code 720h}, {@code 1h30m}, {@code 1.5h}, {@code 500ms}, {@code 30s}; units {@code ns},
 * {@code us} ({@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}. {@code 0} alone is zero.
 * Unlike Go, a sign is refused: every promgate duration is a length of time, never an offset.
 */
public final class Durations {

  private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
      "ns", 1L,
      "us", 1_000L,
      "µs", 1_000L,
      "μs", 1_000L,
      "ms", 1_000_000L,
      "s", 1_000_000_000L,
      "m", 60_000_000_000L,
      "h", 3_600_000_000_000L);

  /** Beyond ~292 years a long of nanoseconds overflows; no policy needs that much. */
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * Parses a Go-style duration.
   *
   * @throws IllegalArgumentException saying what is wrong and what a valid duration looks like
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("a duration must not be empty (write e.g. 30s, 10m, 720h)");
    }
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (text.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("duration \"" + text + "\" must be written without spaces,"
          + " e.g. 30s, 10m, 1h30m, 720h");
    }
    if (text.charAt(0) == '-' || text.charAt(0) == '+') {
      throw new IllegalArgumentException("duration \"" + text + "\" must not have a sign");
    }
    BigDecimal totalNanos = BigDecimal.ZERO;
    int i = 0;
    while (i < text.length()) {
      int numberStart = i;
      while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
        i++;
      }
      String number = text.substring(numberStart, i);
      int unitStart = i;
      while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
        i++;
      }
      String unit = text.substring(unitStart, i);
      if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
        throw new IllegalArgumentException("duration \"" + text + "\" is not a number followed by a unit"
            + " (write e.g. 30s, 10m, 1h30m, 720h)");
      }
      if (unit.isEmpty()) {
        throw new IllegalArgumentException("duration \"" + text + "\" is missing a unit after " + number
            + " (use h, m, s or ms)");
      }
      Long nanosPerUnit = NANOS_PER_UNIT.get(unit);
      if (nanosPerUnit == null) {
        throw new IllegalArgumentException("duration \"" + text + "\" has the unknown unit \"" + unit + "\""
            + unitHint(unit, number) + " (use h, m, s, ms, us or ns)");
      }
      totalNanos = totalNanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit)));
      if (totalNanos.compareTo(MAX_NANOS) > 0) {
        throw new IllegalArgumentException("duration \"" + text + "\" is too long");
      }
    }
    return Duration.ofNanos(totalNanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
  }

  /**
   * Formats a duration the way {@link #parse} reads it, as short as possible: {@code 720h},
   * {@code 1h30m}, {@code 1.5s}, {@code 500ms}, {@code 0s}.
   */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    StringBuilder s = new StringBuilder();
    long hours = duration.toHours();
    int minutes = duration.toMinutesPart();
    int seconds = duration.toSecondsPart();
    int nanos = duration.toNanosPart();
    if (hours == 0 && minutes == 0 && seconds == 0) {
      if (nanos % 1_000_000 == 0) {
        return nanos / 1_000_000 + "ms";
      }
      if (nanos % 1_000 == 0) {
        return nanos / 1_000 + "us";
      }
      return nanos + "ns";
    }
    if (hours > 0) {
      s.append(hours).append('h');
    }
    if (minutes > 0) {
      s.append(minutes).append('m');
    }
    if (seconds > 0 || nanos > 0) {
      s.append(seconds);
      if (nanos > 0) {
        String fraction = String.format("%09d", nanos).replaceFirst("0+$", "");
        s.append('.').append(fraction);
      }
      s.append('s');
    }
    return s.toString();
  }

  private static String unitHint(String unit, String number) {
    if (unit.equals("d")) {
      try {
        long hours = Math.round(Double.parseDouble(number) * 24);
        return "; days are not a unit, write " + hours + "h";
      } catch (NumberFormatException e) {
        return "; days are not a unit, write hours (1d = 24h)";
      }
    }
    if (unit.equals("w")) {
      return "; weeks are not a unit, write hours (1w = 168h)";
    }
    if (unit.equals("sec") || unit.equals("secs") || unit.equals("second") || unit.equals("seconds")) {
      return "; write s";
    }
    if (unit.equals("min") || unit.equals("mins") || unit.equals("minute") || unit.equals("minutes")) {
      return "; write m";
    }
    if (unit.equals("hr") || unit.equals("hrs") || unit.equals("hour") || unit.equals("hours")) {
      return "; write h";
    }
    if (!unit.equals(unit.toLowerCase(java.util.Locale.ROOT))) {
      return "; units are lower case";
    }
    return "";
  }
}
