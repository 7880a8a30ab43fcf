package dev.promgate.policy;

import java.util.Locale;

/** How a failed requirement is enforced: deny the request, or admit it with warnings (audit). */
public enum Mode {
  ENFORCE,
  AUDIT;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  public String wireName() {
    return wireName;
  }
}
