package dev.promgate.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Image strings already parsed, so that a repeat decision does not run the grammar again: a
 * cluster runs few distinct images, and parsing one with every check costs more than looking up
 * its cached verdict.
 *
 * <p>Memory: the strings come from whoever creates a pod, and the API server does not limit their
 * length. Only valid references are kept — their length is bounded by the grammar
 * ({@link ImageReference#MAX_LENGTH}) — and the cache is weighed by the characters it holds, with
 * a cap. A parse failure is never kept: it is recomputed (cheaply: the grammar's checks cap every
 * part's length before a pattern sees it), so a stream of distinct
 * invalid strings leaves nothing behind.
 */
public final class ParsedReferences {

  /** Characters of image strings kept by default: some 30,000 typical references, a few MiB. */
  public static final long DEFAULT_MAX_CHARACTERS = 4L << 20;
  /** Per-entry overhead counted besides the string itself (the parsed record and the cache node). */
  static final int ENTRY_OVERHEAD = 128;

  private final Cache<String, ImageReference> parsed;

  public ParsedReferences() {
    this(DEFAULT_MAX_CHARACTERS);
  }

  /** @param maxCharacters the cap on what the cache holds, string lengths plus a fixed overhead per entry */
  public ParsedReferences(long maxCharacters) {
    if (maxCharacters < 1) {
      throw new IllegalArgumentException("maxCharacters must be positive, not " + maxCharacters);
    }
    this.parsed = Caffeine.newBuilder()
        .maximumWeight(maxCharacters)
        .weigher((String image, ImageReference ref) -> weight(image))
        .build();
  }

  /**
   * The reference an image string names.
   *
   * @throws InvalidReferenceException what is wrong with it, as {@link ImageReference#parse} says
   */
  public ImageReference parse(String image) {
    if (image == null || image.length() > ImageReference.MAX_LENGTH) {
      return ImageReference.parse(image);
    }
    ImageReference known = parsed.getIfPresent(image);
    if (known != null) {
      return known;
    }
    ImageReference ref = ImageReference.parse(image);
    parsed.put(image, ref);
    return ref;
  }

  /** What the cache holds now, in the units of its cap; for tests and metrics. */
  public long weight() {
    parsed.cleanUp();
    return parsed.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  static int weight(String image) {
    return image.length() + ENTRY_OVERHEAD;
  }
}
