package dev.promgate.verdict;

import java.time.Instant;
import java.util.Optional;

/**
 * One piece of evidence a verdict rests on, for the decision log and audit annotations.
 *
 * @param kind      what it proves: {@code signature}, {@code promotion} or {@code attestation}
 * @param authority the policy authority that vouched for it
 * @param identity  the key fingerprint or certificate identity that signed it
 * @param detail    what it says, e.g. {@code prod, 2026-11-20T09:00:00Z, alice@acme.example}
 * @param expiresAt when it stops counting (a promotion's promotedAt + maxAge), if ever
 */
public record Evidence(String kind, String authority, String identity, String detail,
                       Optional<Instant> expiresAt) {

  @Override
  public String toString() {
    return kind + " by " + authority + " (" + identity + ")" + (detail.isEmpty() ? "" : ": " + detail);
  }
}
