package dev.promgate.verdict;

/**
 * A verdict and where it came from.
 *
 * @param source {@link CacheSource#HIT}, {@link CacheSource#MISS}, {@link CacheSource#COALESCED} or
 *               {@link CacheSource#STALE}
 */
public record Lookup(Verdict verdict, CacheSource source) {}
