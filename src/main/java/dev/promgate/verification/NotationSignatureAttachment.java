package dev.promgate.verification;

import dev.promgate.image.Digest;
import dev.promgate.policy.NotationAuthority;
import dev.promgate.notation.NotationVerifier;
import java.security.PublicKey;
import java.time.Instant;

/**
 * A Notary Project signature found as a referrer. Only a {@link NotationAuthority} can verify it
 * (by the rules in {@link NotationVerifier}); key and keyless authorities say it is not theirs.
 */
final class NotationSignatureAttachment extends Attachment {

  private final SignedContent.NotationSignature signature;
  private final NotationVerifier.Target target;

  private NotationSignatureAttachment(SignedContent.NotationSignature signature, NotationVerifier.Target target,
                                      String unusable) {
    super(signature.source(), unusable, null);
    this.signature = signature;
    this.target = target;
  }

  static NotationSignatureAttachment of(SignedContent.NotationSignature signature, Digest digest) {
    if (signature.imageMediaType() == null || signature.imageSize() < 0) {
      return new NotationSignatureAttachment(signature, null,
          "a Notation signature, but the image's manifest media type and size, which it must name, are unknown");
    }
    return new NotationSignatureAttachment(signature,
        new NotationVerifier.Target(signature.imageMediaType(), digest.toString(), signature.imageSize()), null);
  }

  /** Verifies it for {@code authority}: the signer's subject, or what failed. */
  NotationVerifier.Result verify(NotationAuthority authority, Instant now) {
    return NotationVerifier.verify(signature.envelopeMediaType(), signature.envelope(), target, authority, now);
  }

  @Override
  String format() {
    return "Notation signature";
  }

  @Override
  boolean isSignature() {
    return true;
  }

  @Override
  boolean isAttestation() {
    return false;
  }

  @Override
  boolean verifiedBy(PublicKey key) {
    return false;
  }

  @Override
  SignerChecks.CertifiedSigner verifyCertificate(SignerTrust.Certificates trust, Instant now) throws Invalid {
    throw new Invalid("a Notation signature, which only a notation authority verifies");
  }
}
