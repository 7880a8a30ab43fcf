package dev.promgate.verdict;

import java.util.Locale;

/** Where a verdict came from: the decision log's {@code cache} field and the cache's lookup metric. */
public enum CacheSource {
  /** A fresh cached verdict. */
  HIT,
  /** Verified now. */
  MISS,
  /** Joined a verification of the same key already under way. */
  COALESCED,
  /** A verified verdict past its TTL, served because re-verification could not check. */
  STALE,
  /** No verdict was needed: the image failed before verification, or its rules ask for no evidence. */
  NONE;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** {@code hit}, {@code miss}, {@code coalesced}, {@code stale}, {@code none}. */
  public String wireName() {
    return wireName;
  }
}
