package dev.promgate.registry;

/** Byte counts for messages: {@code 4 MiB}, {@code 1.5 KiB}, {@code 312 bytes}. */
final class Sizes {

  static final long KIB = 1024;
  static final long MIB = 1024 * KIB;

  private Sizes() {}

  static String human(long bytes) {
    if (bytes >= MIB) {
      return format(bytes / (double) MIB) + " MiB";
    }
    if (bytes >= KIB) {
      return format(bytes / (double) KIB) + " KiB";
    }
    return bytes + " bytes";
  }

  private static String format(double value) {
    return value == Math.rint(value)
        ? String.valueOf((long) value) : String.format(java.util.Locale.ROOT, "%.1f", value);
  }
}
