package dev.promgate.verdict;

import dev.promgate.policy.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of verifying one image digest against the requirements of one environment.
 * Three cases that users, metrics and the cache treat differently:
 * <ul>
 *   <li>{@link Verified}: every requirement holds; cached long, capped by the evidence's expiry;</li>
 *   <li>{@link Rejected}: the image fails a requirement (unsigned, unpromoted, wrong signer…);
 *       cached briefly so a fresh promotion takes effect quickly;</li>
 *   <li>{@link Unverifiable}: promgate could not find out (registry down, timeout, credentials
 *       refused); never cached as a denial, and never reported as "unsigned".</li>
 * </ul>
 */
public sealed interface Verdict permits Verdict.Verified, Verdict.Rejected, Verdict.Unverifiable {

  /** A short name for logs and metrics: verified, rejected, unverifiable. */
  String outcome();

  record Verified(List<Evidence> evidence) implements Verdict {
    public Verified {
      evidence = List.copyOf(evidence);
    }

    /** The earliest expiry among the evidence; after it the verdict must not be used. */
    public Optional<Instant> expiresAt() {
      return evidence.stream().flatMap(e -> e.expiresAt().stream()).min(Instant::compareTo);
    }

    @Override
    public String outcome() {
      return "verified";
    }
  }

  /**
   * @param reasons  every failed requirement, each saying what was expected, what was found and
   *                 how to fix it
   * @param evidence what did hold, for the log
   */
  record Rejected(List<Reason> reasons, List<Evidence> evidence) implements Verdict {
    public Rejected {
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("a rejection needs at least one reason");
      }
      reasons = List.copyOf(reasons);
      evidence = List.copyOf(evidence);
    }

    public static Rejected because(String problem, String fix) {
      return new Rejected(List.of(new Reason(problem, fix)), List.of());
    }

    @Override
    public String outcome() {
      return "rejected";
    }
  }

  /**
   * @param category why it could not be checked, as a stable token for messages and metrics
   * @param cause    what went wrong, naming the registry or component
   */
  record Unverifiable(Category category, String cause) implements Verdict {
    public Unverifiable {
      java.util.Objects.requireNonNull(category, "category");
      java.util.Objects.requireNonNull(cause, "cause");
    }

    @Override
    public String outcome() {
      return "unverifiable";
    }

    /** The admission request's time ran out before {@code image} was verified. */
    public static Unverifiable overBudget(Object image, Duration budget) {
      return new Unverifiable(Category.TIMEOUT, "verifying " + image + " did not finish within the verification "
          + "budget of " + Durations.format(budget) + " (GateConfig spec.timeouts.verification), "
          + "counted from the request's arrival; the verification goes on and its verdict is cached for a retry");
    }

    /** Why a digest could not be checked. */
    public enum Category {
      /** The verification did not finish within the time budget. */
      TIMEOUT,
      /** The registry could not be reached (connection refused or reset, DNS, TLS). */
      UNREACHABLE,
      /** The registry refused the configured credentials. */
      UNAUTHORIZED,
      /** The registry kept answering 429. */
      RATE_LIMITED,
      /** The registry kept failing with 5xx. */
      SERVER_ERROR,
      /** The registry served bytes that do not hash to the digest asked for. */
      INTEGRITY,
      /** An answer larger than its cap. */
      TOO_LARGE,
      /** A malformed or unexpected answer. */
      PROTOCOL,
      /** The registry is outside the registry client's allow-list (not yet caught up with a reload). */
      NOT_ALLOWED,
      /** The registry lists content it does not serve, and without it the requirements do not hold. */
      UNAVAILABLE,
      /**
       * A trusted root the check needs cannot be used: kept current through TUF and not verified from
       * its mirror yet, or past its {@code maxAge}; or trust material sigstore-java cannot read.
       */
      TRUSTED_ROOT,
      /** Checking the evidence itself broke: a bug, never an expected input. */
      VERIFICATION_ERROR,
      /** Anything else that broke on the way to a verdict: a bug. */
      INTERNAL;

      private final String wireName = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

      /** {@code timeout}, {@code rate-limited}, {@code verification-error}, …. */
      public String wireName() {
        return wireName;
      }
    }
  }

  /**
   * One failed requirement.
   *
   * @param problem what failed, e.g. {@code has no promotion to prod signed by release-managers
   *                (found: preprod, 2026-11-20, alice@acme.example)}
   * @param fix     what to do about it; may be empty
   */
  record Reason(String problem, String fix) {
    @Override
    public String toString() {
      return fix == null || fix.isEmpty() ? problem : problem + "; fix: " + fix;
    }
  }
}
