package dev.promgate.verification;

import dev.promgate.image.Digest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One layer of a cosign {@code sha256-<hex>.sig} manifest: a simple-signing payload, its signature
 * in the {@value #SIGNATURE} annotation, and for keyless signatures the certificate, chain and Rekor
 * bundle annotations; with {@code cosign sign --timestamp-server-url}, an RFC 3161 timestamp
 * annotation over the raw signature bytes. It counts for the image when the payload's {@code docker-manifest-digest} is
 * the image digest.
 */
final class CosignSignatureLayer extends Attachment {

  static final String MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
  static final String SIGNATURE = "dev.cosignproject.cosign/signature";

  private final byte[] payload;
  private final byte[] signature;
  private final Map<String, String> annotations;
  private final String dockerReference;

  private CosignSignatureLayer(String source, String unusable, byte[] payload, byte[] signature,
                               Map<String, String> annotations, String dockerReference) {
    super(source, unusable, null);
    this.payload = payload;
    this.signature = signature;
    this.annotations = annotations;
    this.dockerReference = dockerReference;
  }

  static CosignSignatureLayer of(SignedContent.SignatureLayer layer, Digest digest) {
    Map<String, String> annotations = layer.annotations();
    try {
      if (layer.mediaType() != null && !layer.mediaType().isEmpty() && !MEDIA_TYPE.equals(layer.mediaType())) {
        throw new Invalid("its media type is " + InTotoStatement.abbreviate(layer.mediaType())
            + ", not a cosign simple-signing payload (" + MEDIA_TYPE + ")");
      }
      String encoded = annotations.get(SIGNATURE);
      if (encoded == null || encoded.isBlank()) {
        throw new Invalid("it has no " + SIGNATURE + " annotation");
      }
      byte[] signature = Json.base64(encoded, "its " + SIGNATURE + " annotation");
      SimpleSigningPayload parsed = SimpleSigningPayload.parse(layer.payload());
      if (!parsed.manifestDigest().equals(digest)) {
        throw new Invalid("it signs " + parsed.manifestDigest().shortForm() + ", not this digest");
      }
      return new CosignSignatureLayer(layer.source(), null, layer.payload(), signature, annotations,
          parsed.dockerReference());
    } catch (Invalid e) {
      return new CosignSignatureLayer(layer.source(), e.getMessage(), null, null, annotations, "");
    }
  }

  /** The docker reference it was signed as is logged, not compared (see {@link SimpleSigningPayload}). */
  @Override
  String evidenceDetail() {
    return dockerReference.isEmpty() ? source() : source() + " (signed as " + dockerReference + ")";
  }

  @Override
  String format() {
    return "cosign signature";
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
    return Signatures.verify(key, payload, signature);
  }

  @Override
  Optional<String> verifyKey(SignerTrust.Key trust, Instant now) throws Invalid {
    if (!verifiedBy(trust.key())) {
      return Optional.empty();
    }
    return Optional.of(CosignLegacy.verifyKey(annotations, trust, now, expected(), signature));
  }

  @Override
  SignerChecks.CertifiedSigner verifyCertificate(SignerTrust.Certificates trust, Instant now) throws Invalid {
    return CosignLegacy.verifyCertificate(annotations, trust, now, CosignLegacy.SignatureCheck.of(
        key -> Signatures.verify(key, payload, signature), expected()), signature);
  }

  private LogEntryBodies.Expected expected() {
    return new LogEntryBodies.SignedDigest(LogEntryBodies.sha256(payload), signature);
  }
}
