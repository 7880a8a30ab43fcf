package dev.promgate.verdict;

import java.util.List;
import java.util.Objects;

/**
 * A verdict, where it came from, and its evidence as a decision shows it.
 *
 * @param source   {@link CacheSource#HIT}, {@link CacheSource#MISS}, {@link CacheSource#COALESCED} or
 *                 {@link CacheSource#STALE}
 * @param evidence the verdict's evidence (a rejection's too: what did hold), rendered
 */
public record Lookup(Verdict verdict, CacheSource source, RenderedEvidence evidence) {

  public Lookup {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(evidence, "evidence");
  }

  /** Renders the verdict's evidence now. */
  public Lookup(Verdict verdict, CacheSource source) {
    this(verdict, source, RenderedEvidence.of(evidenceOf(verdict)));
  }

  private static List<Evidence> evidenceOf(Verdict verdict) {
    if (verdict instanceof Verdict.Verified v) {
      return v.evidence();
    }
    if (verdict instanceof Verdict.Rejected r) {
      return r.evidence();
    }
    return List.of();
  }
}
