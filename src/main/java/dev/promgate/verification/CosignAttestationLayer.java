package dev.promgate.verification;

import dev.promgate.image.Digest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One layer of a cosign {@code sha256-<hex>.att} manifest: a DSSE envelope holding an in-toto
 * statement, signed over the DSSE pre-authentication encoding; for keyless attestations the
 * certificate, chain and Rekor bundle annotations as on signatures, and an RFC 3161 timestamp
 * annotation over the layer's bytes (cosign timestamps an attestation's payload, the envelope). Early cosign wrote the predicate
 * type as the envelope's payload type instead of {@code application/vnd.in-toto+json}; the payload
 * type is signed either way, and the statement's own {@code predicateType} is what counts.
 */
final class CosignAttestationLayer extends Attachment {

  private final DsseEnvelope envelope;
  /** The layer's bytes: what cosign's timestamp annotation on an attestation is over. */
  private final byte[] envelopeBytes;
  private final InTotoStatement statement;
  private final Map<String, String> annotations;

  private CosignAttestationLayer(String source, String unusable, String claimedPredicateType,
                                 DsseEnvelope envelope, byte[] envelopeBytes, InTotoStatement statement,
                                 Map<String, String> annotations) {
    super(source, unusable, claimedPredicateType);
    this.envelope = envelope;
    this.envelopeBytes = envelopeBytes;
    this.statement = statement;
    this.annotations = annotations;
  }

  static CosignAttestationLayer of(SignedContent.AttestationLayer layer, Digest digest) {
    String claimed = null;
    try {
      DsseEnvelope envelope = DsseEnvelope.parse(Json.parse(layer.envelope(), "the DSSE envelope"), "the DSSE envelope");
      InTotoStatement statement = InTotoStatement.parse(envelope.payload());
      claimed = statement.predicateType();
      // The signature covers the payload type too: what was signed as something else (text/plain, a
      // blob) is no attestation. Early cosign wrote the predicate type there, which still says so.
      if (!DsseEnvelope.IN_TOTO.equals(envelope.payloadType()) && !envelope.payloadType().equals(claimed)) {
        throw new Invalid("its DSSE payload type is " + InTotoStatement.abbreviate(envelope.payloadType())
            + ", neither " + DsseEnvelope.IN_TOTO + " nor the statement's predicate type");
      }
      if (!statement.covers(digest)) {
        throw new Invalid("its " + claimed + " statement is about " + statement.describeSubjects() + ", not this digest");
      }
      return new CosignAttestationLayer(layer.source(), null, claimed, envelope, layer.envelope(), statement,
          layer.annotations());
    } catch (Invalid e) {
      return new CosignAttestationLayer(layer.source(), e.getMessage(), claimed, null, null, null, layer.annotations());
    }
  }

  @Override
  String format() {
    return "cosign attestation";
  }

  @Override
  boolean isSignature() {
    return claimedPredicateType().filter(InTotoStatement.COSIGN_IMAGE_SIGNATURE::equals).isPresent();
  }

  @Override
  boolean isAttestation() {
    return true;
  }

  @Override
  Optional<InTotoStatement> statement() {
    return Optional.ofNullable(statement);
  }

  @Override
  boolean verifiedBy(PublicKey key) {
    byte[] pae = envelope.pae();
    return envelope.signatures().stream().anyMatch(s -> Signatures.verify(key, pae, s));
  }

  @Override
  Optional<String> verifyKey(SignerTrust.Key trust, Instant now) throws Invalid {
    LogEntryBodies.Expected expected = signedWith(trust.key());
    if (expected == null) {
      return Optional.empty();
    }
    return Optional.of(CosignLegacy.verifyKey(annotations, trust, now, expected, envelopeBytes));
  }

  @Override
  SignerChecks.CertifiedSigner verifyCertificate(SignerTrust.Certificates trust, Instant now) throws Invalid {
    return CosignLegacy.verifyCertificate(annotations, trust, now, this::signedWith, envelopeBytes);
  }

  /** The log record expected for the envelope signature that verifies with {@code key}, or null. */
  private LogEntryBodies.Expected signedWith(PublicKey key) {
    byte[] pae = envelope.pae();
    for (byte[] s : envelope.signatures()) {
      if (Signatures.verify(key, pae, s)) {
        return new LogEntryBodies.SignedEnvelope(envelope, s);
      }
    }
    return null;
  }
}
