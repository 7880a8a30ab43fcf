package dev.promgate.promotion;

import dev.promgate.image.ImageReference;
import dev.promgate.verification.FoundPromotion;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code promgate status} shows for a repository: per environment, the digests promoted there,
 * newest promotion first, whether each is admissible now, and which one to roll back to.
 *
 * @param repository   {@code registry/repository}
 * @param at           when the report was made (admissibility is as of then)
 * @param environments along the promotion chain, earliest first
 * @param unverified   promotions found that the policies do not count (wrong signer, no authority for
 *                     their environment, dated in the future), newest first
 * @param notes        what could not be read or was left out
 */
public record StatusReport(String repository, Instant at, List<EnvironmentStatus> environments,
                           List<Unverified> unverified, List<String> notes) {

  public StatusReport {
    environments = List.copyOf(environments);
    unverified = List.copyOf(unverified);
    notes = List.copyOf(notes);
  }

  /**
   * One environment.
   *
   * @param entries one per digest with a promotion to the environment that counts, ordered by the
   *                newest such promotion, newest first
   */
  public record EnvironmentStatus(String environment, List<Entry> entries) {
    public EnvironmentStatus {
      entries = List.copyOf(entries);
    }

    /** The digest promoted last: what the environment runs once deployments follow promotions. */
    public Optional<Entry> current() {
      return entries.stream().findFirst();
    }

    /**
     * The previous known-good digest: the newest one before the current that is admissible now, so
     * that rolling back to it passes the webhook without a new promotion.
     */
    public Optional<Entry> rollbackTarget() {
      return entries.stream().skip(1).filter(Entry::admissible).findFirst();
    }
  }

  /**
   * One digest in one environment.
   *
   * @param image      {@code registry/repository@digest}
   * @param newest     its newest counted promotion to the environment
   * @param promotions how many counted promotions to the environment it has
   * @param exists     whether the registry still has the image manifest
   * @param admissible whether the webhook would admit it in the environment now
   * @param reasons    why not, each with its fix
   * @param tags       the repository's tags that point at the digest now
   */
  public record Entry(ImageReference image, FoundPromotion newest, int promotions, boolean exists, boolean admissible,
                      List<String> reasons, List<String> tags) {
    public Entry {
      reasons = List.copyOf(reasons);
      tags = List.copyOf(tags);
    }
  }

  /** A promotion found that does not count, with why ({@link FoundPromotion#problem()}). */
  public record Unverified(ImageReference image, FoundPromotion promotion) {}
}
