package dev.promgate.verdict;

import dev.promgate.image.ImageReference;
import dev.promgate.policy.EnvironmentRules;
import java.util.List;
import java.util.Objects;

/**
 * What to verify: one pinned image in one environment, against the rules of every policy that
 * governs it there (all must pass).
 *
 * @param image       a reference with a digest
 * @param environment the environment being admitted into
 * @param rules       one entry per governing policy
 * @param requirementsFingerprint {@link #fingerprint} of {@code rules}: equal for equal
 *                    requirements, whatever the policy generation
 */
public record VerificationRequest(ImageReference image, String environment, List<PolicyRules> rules,
                                  String requirementsFingerprint) {

  public VerificationRequest {
    Objects.requireNonNull(image.digest(), "verification needs a pinned image");
    rules = List.copyOf(rules);
    Objects.requireNonNull(requirementsFingerprint, "requirementsFingerprint");
  }

  public VerificationRequest(ImageReference image, String environment, List<PolicyRules> rules) {
    this(image, environment, rules, fingerprint(rules));
  }

  /** The rules of one named policy. */
  public record PolicyRules(String policy, EnvironmentRules rules) {}

  /** A digest of all requirements: equal for equal requirements, whatever the policy generation. */
  public static String fingerprint(List<PolicyRules> rules) {
    StringBuilder s = new StringBuilder();
    for (PolicyRules r : rules) {
      s.append(r.policy()).append('=').append(r.rules().fingerprint()).append(';');
    }
    return s.toString();
  }
}
