package dev.promgate.judgement;

import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the images of one request are judged against.
 *
 * @param environment  the environment the request is admitted into
 * @param policies     the policy set in force
 * @param modeOverride {@code serve --mode audit}: audit everything, whatever the policies say
 * @param cutoff       when the request must be answered, whatever is still pending
 */
public record Scope(String environment, PolicySet policies, Optional<Mode> modeOverride, Cutoff cutoff) {

  public Scope {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(policies, "policies");
    Objects.requireNonNull(modeOverride, "modeOverride");
    Objects.requireNonNull(cutoff, "cutoff");
  }

  /** A scope whose steps are bounded by {@code deadline} alone, with no timer of its own (the offline commands). */
  public Scope(String environment, PolicySet policies, Optional<Mode> modeOverride, Instant deadline) {
    this(environment, policies, modeOverride, Cutoff.none(deadline));
  }

  /** When the request must be answered. */
  public Instant deadline() {
    return cutoff.at();
  }

  /** How a failure of an image governed by {@code governing} is enforced here. */
  public Mode modeFor(List<PromotionPolicy> governing) {
    return modeOverride.orElseGet(() -> policies.modeFor(environment, governing));
  }
}
