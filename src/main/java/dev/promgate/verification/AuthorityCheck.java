package dev.promgate.verification;

import java.util.Optional;

/**
 * Whether one authority signed one piece of signature material, checked exactly as the webhook
 * checks it: for {@code promgate verify}, which tries an authority on material in hand.
 *
 * @param source   where the material came from (a file, a layout path)
 * @param kind     {@code signature}, or {@code attestation <predicate type>}
 * @param identity who signed it, when it verified: {@code key sha256:…}, a certificate identity,
 *                 an {@code x509.subject} (with the timestamp that counted, for Notation)
 * @param problem  what failed, when it did not verify
 */
public record AuthorityCheck(String source, String kind, boolean verified, Optional<String> identity,
                             Optional<String> problem) {

  static AuthorityCheck verified(String source, String kind, String identity) {
    return new AuthorityCheck(source, kind, true, Optional.of(identity), Optional.empty());
  }

  static AuthorityCheck failed(String source, String kind, String problem) {
    return new AuthorityCheck(source, kind, false, Optional.empty(), Optional.of(problem));
  }
}
