package dev.promgate.verification;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What an authority trusts, ready for verification: built from a policy {@link
 * dev.promgate.policy.Authority} with its trusted root's verifiers, and handed to each attachment.
 */
sealed interface SignerTrust {

  /** Where a log entry or timestamp is checked, and whether a log entry is required. */
  record Transparency(TrustMaterial material, boolean logRequired) {}

  /** A key; with {@code transparency}, its signatures must be logged (or timestamped) under that root. */
  record Key(PublicKey key, Optional<Transparency> transparency) implements SignerTrust {}

  /** Signing certificates: Fulcio's, or an enterprise CA's. */
  sealed interface Certificates extends SignerTrust permits Keyless, Enterprise {}

  /**
   * Fulcio certificates of a Sigstore trusted root.
   *
   * @param logRequired whether a log entry is required; without one, a timestamp must date the signature
   * @param sctRequired whether the certificate must carry an SCT of a CT log of the root
   */
  record Keyless(TrustMaterial material, boolean logRequired, boolean sctRequired) implements Certificates {
    static Keyless publicGood(TrustMaterial material) {
      return new Keyless(material, true, true);
    }

    boolean defaults() {
      return logRequired && sctRequired;
    }
  }

  /**
   * Certificates that chain to enterprise roots.
   *
   * @param rootsName    how messages name the roots, e.g. {@code roots pki/root.pem}
   * @param transparency where log entries and timestamps are checked; without it the certificate must
   *                     be valid now
   */
  record Enterprise(List<X509Certificate> roots, List<X509Certificate> intermediates, String rootsName,
                    Optional<Transparency> transparency) implements Certificates {}
}
