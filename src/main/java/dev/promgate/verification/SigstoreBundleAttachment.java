package dev.promgate.verification;

import dev.promgate.image.Digest;
import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampException;
import dev.sigstore.timestamp.client.TimestampVerificationException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A Sigstore bundle (v0.1 to v0.3) found through the referrers of the image: a message signature
 * over the image manifest, or a DSSE envelope with an in-toto statement about the image (an
 * attestation, or with predicate type {@value InTotoStatement#COSIGN_IMAGE_SIGNATURE} cosign 3's
 * image signature).
 *
 * <p>Verification: certificate bundles go through sigstore-java's {@code KeylessVerifier} wherever
 * sigstore-java 2.0.0 can read them: certificate chain and SCT, signature, transparency-log entry
 * consistency, RFC 3161 timestamps, SET, inclusion proof and checkpoint. Where it cannot, the same
 * checks run here on the same building blocks ({@code FulcioVerifier}, {@code TimestampVerifier},
 * {@code RekorVerifier}) plus {@link LogEntryBodies}; see {@link #sigstoreJavaReads()} for which
 * DSSE bundles that is. Nothing is skipped on either path.
 *
 * <p>Checks sigstore-java 2.0.0 lacks, done for every certificate bundle: the Rekor integrated time
 * lies within the certificate's validity and not in the future; the trusted root gives the log key
 * a validity start; the first log entry (the one verified) carries a SET or the bundle a timestamp.
 *
 * <p>Bundles signed with a plain key ({@code verificationMaterial.publicKey}) are verified with the
 * authority's key only: a key authority has no trusted root to check a log entry against.
 * Every bundle must carry an inclusion proof (sigstore-java 2.0.0 refuses any without one, the
 * v0.2+ bundle specification requires one); v0.1 bundles with only a SET are therefore refused.
 */
final class SigstoreBundleAttachment extends Attachment {

  static final Set<String> MEDIA_TYPES = Set.of(
      "application/vnd.dev.sigstore.bundle+json;version=0.1",
      "application/vnd.dev.sigstore.bundle+json;version=0.2",
      "application/vnd.dev.sigstore.bundle+json;version=0.3",
      "application/vnd.dev.sigstore.bundle.v0.3+json");

  private enum Content { MESSAGE_SIGNATURE, DSSE, UNKNOWN }

  private final Content content;
  private final String json;
  private final Digest digest;
  private final boolean keySigned;
  private final byte[] messageSignature;
  private final DsseEnvelope envelope;
  private final InTotoStatement statement;
  private final String firstLogKind;

  private SigstoreBundleAttachment(String source, String unusable, String claimedPredicateType, Content content,
                                   String json, Digest digest, boolean keySigned, byte[] messageSignature,
                                   DsseEnvelope envelope, InTotoStatement statement, String firstLogKind) {
    super(source, unusable, claimedPredicateType);
    this.content = content;
    this.json = json;
    this.digest = digest;
    this.keySigned = keySigned;
    this.messageSignature = messageSignature;
    this.envelope = envelope;
    this.statement = statement;
    this.firstLogKind = firstLogKind;
  }

  static SigstoreBundleAttachment of(SignedContent.SigstoreBundle found, Digest digest) {
    String json = found.json() == null ? "" : new String(found.json(), StandardCharsets.UTF_8);
    Content content = Content.UNKNOWN;
    String claimed = null;
    try {
      JsonNode bundle = Json.parse(found.json(), "the Sigstore bundle");
      if (!bundle.isObject()) {
        throw new Invalid("the Sigstore bundle is not a JSON object");
      }
      String mediaType = Json.text(bundle, "mediaType", "the Sigstore bundle");
      if (!MEDIA_TYPES.contains(mediaType)) {
        throw new Invalid("the bundle's media type " + InTotoStatement.abbreviate(mediaType)
            + " is not a supported Sigstore bundle version (0.1 to 0.3)");
      }
      JsonNode material = Json.object(bundle, "verificationMaterial", "the Sigstore bundle");
      boolean keySigned = material.has("publicKey");
      String firstLogKind = firstLogKind(material);
      if (bundle.hasNonNull("dsseEnvelope")) {
        content = Content.DSSE;
        DsseEnvelope envelope = DsseEnvelope.parse(bundle.get("dsseEnvelope"), "the bundle's DSSE envelope");
        if (!DsseEnvelope.IN_TOTO.equals(envelope.payloadType())) {
          throw new Invalid("the bundle's DSSE payload type is " + InTotoStatement.abbreviate(envelope.payloadType())
              + ", not " + DsseEnvelope.IN_TOTO);
        }
        InTotoStatement statement = InTotoStatement.parse(envelope.payload());
        claimed = statement.predicateType();
        if (!statement.covers(digest)) {
          throw new Invalid("its " + claimed + " statement is about " + statement.describeSubjects() + ", not this digest");
        }
        return new SigstoreBundleAttachment(found.source(), null, claimed, content, json, digest, keySigned, null,
            envelope, statement, firstLogKind);
      }
      if (bundle.hasNonNull("messageSignature")) {
        content = Content.MESSAGE_SIGNATURE;
        JsonNode signature = Json.object(bundle, "messageSignature", "the Sigstore bundle");
        byte[] sig = Json.base64Field(signature, "signature", "the bundle's message signature");
        if (!"sha256".equals(digest.algorithm())) {
          throw new Invalid("a message-signature bundle signs a sha256 digest, and this image digest is "
              + digest.algorithm());
        }
        JsonNode messageDigest = signature.get("messageDigest");
        if (messageDigest != null && !messageDigest.isNull()) {
          String algorithm = Json.text(messageDigest, "algorithm", "the bundle's message digest");
          byte[] signed = Json.base64Field(messageDigest, "digest", "the bundle's message digest");
          if (!"SHA2_256".equals(algorithm) || !MessageDigest.isEqual(signed, digest.bytes())) {
            throw new Invalid("it signs " + ("SHA2_256".equals(algorithm) ? "sha256" : algorithm) + ":"
                + shortHex(signed) + ", not this digest");
          }
        }
        return new SigstoreBundleAttachment(found.source(), null, null, content, json, digest, keySigned, sig,
            null, null, firstLogKind);
      }
      throw new Invalid("the Sigstore bundle has neither a message signature nor a DSSE envelope");
    } catch (Invalid e) {
      return new SigstoreBundleAttachment(found.source(), e.getMessage(), claimed, content, json, digest, false,
          null, null, null, null);
    }
  }

  private static String firstLogKind(JsonNode material) {
    JsonNode entries = material.get("tlogEntries");
    if (entries != null && entries.isArray() && !entries.isEmpty()) {
      JsonNode kind = entries.get(0).path("kindVersion").path("kind");
      if (kind.isTextual()) {
        return kind.textValue();
      }
    }
    return "";
  }

  @Override
  boolean isSignature() {
    return switch (content) {
      case MESSAGE_SIGNATURE, UNKNOWN -> true;
      case DSSE -> claimedPredicateType().map(InTotoStatement.COSIGN_IMAGE_SIGNATURE::equals).orElse(true);
    };
  }

  @Override
  boolean isAttestation() {
    return content != Content.MESSAGE_SIGNATURE;
  }

  @Override
  Optional<InTotoStatement> statement() {
    return Optional.ofNullable(statement);
  }

  @Override
  boolean verifiedBy(PublicKey key) {
    if (!keySigned) {
      return false;
    }
    if (envelope != null) {
      byte[] pae = envelope.pae();
      return envelope.signatures().stream().anyMatch(s -> Signatures.verify(key, pae, s));
    }
    return Signatures.verifyDigest(key, digest.bytes(), messageSignature);
  }

  @Override
  CertificateIdentity verifyKeyless(TrustMaterial trust, Instant now) throws Invalid {
    return verifyKeyless(trust, now, true);
  }

  /** @param preferSigstoreJava false to check every bundle by parts, as tests do to compare both paths */
  CertificateIdentity verifyKeyless(TrustMaterial trust, Instant now, boolean preferSigstoreJava) throws Invalid {
    if (keySigned) {
      throw new Invalid("the bundle is signed with a key, not with a certificate");
    }
    Bundle bundle;
    try {
      bundle = Bundle.from(new StringReader(json));
    } catch (BundleParseException | RuntimeException e) {
      throw new Invalid("the bundle cannot be read: " + FailureBoundary.describe(e));
    }
    var certificates = bundle.getCertPath().getCertificates();
    if (certificates.isEmpty()) {
      throw new Invalid("the bundle's certificate chain is empty");
    }
    X509Certificate leaf = (X509Certificate) certificates.get(0);
    checkLogEntryTime(bundle, trust, leaf, now);
    if (preferSigstoreJava && sigstoreJavaReads(bundle, trust)) {
      try {
        trust.keyless().verify(digest.bytes(), bundle, VerificationOptions.empty());
      } catch (KeylessVerificationException | RuntimeException e) {
        throw new Invalid(FailureBoundary.describe(e));
      }
    } else {
      verifyParts(bundle, leaf, trust);
    }
    return CertificateIdentity.of(leaf);
  }

  /**
   * Whether sigstore-java 2.0.0's {@code KeylessVerifier} can verify this bundle. It cannot when the
   * log's checkpoint names it by host and port (it compares the host only, see
   * {@link LogEntryProofs}), nor, for DSSE bundles, when: a subject has no {@code name} (its
   * statement parser requires one; cosign 3 image signatures have none); the digest is not sha256
   * (it compares sha256 subjects only); the payload is not ASCII (its pre-authentication encoding
   * counts characters, not bytes); the log entry is not of kind {@code dsse} ({@code intoto}, and
   * Rekor v2's hashedrekord-over-DSSE, are unknown to it).
   */
  boolean sigstoreJavaReads(Bundle bundle, TrustMaterial trust) throws Invalid {
    var log = trust.transparencyLog(HexFormat.of().parseHex(bundle.getEntries().get(0).getLogID()));
    if (log.isPresent() && log.get().getBaseUrl().getPort() >= 0) {
      return false;
    }
    if (envelope == null) {
      return true;
    }
    for (byte b : envelope.payload()) {
      if (b < 0) {
        return false;
      }
    }
    return "sha256".equals(digest.algorithm())
        && statement.subjects().stream().allMatch(s -> s.name().isPresent())
        && "dsse".equals(firstLogKind);
  }

  /**
   * sigstore-java's checks, done with its building blocks, {@link LogEntryBodies} and
   * {@link LogEntryProofs}: the certificate chain and SCT, the signature (over the DSSE
   * pre-authentication encoding, or over the digest), the log entry body, the RFC 3161 timestamps
   * and the proofs of the log entry.
   */
  private void verifyParts(Bundle bundle, X509Certificate leaf, TrustMaterial trust) throws Invalid {
    try {
      trust.fulcio().verifySigningCertificate(bundle.getCertPath());
    } catch (FulcioVerificationException | IOException | RuntimeException e) {
      throw new Invalid("Fulcio certificate was not valid: " + FailureBoundary.describe(e));
    }
    byte[] signature;
    LogEntryBodies.Expected expected;
    if (envelope != null) {
      if (envelope.signatures().size() != 1) {
        throw new Invalid("the bundle's DSSE envelope must have exactly one signature, found "
            + envelope.signatures().size());
      }
      signature = envelope.signatures().get(0);
      if (!Signatures.verify(leaf.getPublicKey(), envelope.pae(), signature)) {
        throw new Invalid("DSSE signature was not valid");
      }
      expected = new LogEntryBodies.SignedEnvelope(envelope, signature);
    } else {
      signature = messageSignature;
      if (!Signatures.verifyDigest(leaf.getPublicKey(), digest.bytes(), signature)) {
        throw new Invalid("Artifact signature was not valid");
      }
      expected = new LogEntryBodies.SignedDigest(digest.bytes(), signature);
    }
    RekorEntry entry = bundle.getEntries().get(0);
    LogEntryBodies.check(Json.base64(entry.getBody(), "the log entry body"), expected, leaf);
    for (Bundle.Timestamp timestamp : bundle.getTimestamps()) {
      byte[] token = timestamp.getRfc3161Timestamp();
      if (token == null || token.length == 0) {
        throw new Invalid("the bundle holds an empty RFC 3161 timestamp");
      }
      try {
        var response = ImmutableTimestampResponse.builder().encoded(token).build();
        trust.timestamps().verify(response, signature);
        leaf.checkValidity(response.getGenTime());
      } catch (TimestampException | TimestampVerificationException | CertificateExpiredException
               | CertificateNotYetValidException | RuntimeException e) {
        throw new Invalid("RFC3161 timestamp verification failed: " + FailureBoundary.describe(e));
      }
    }
    try {
      LogEntryProofs.verify(entry, trust);
    } catch (Invalid e) {
      throw new Invalid("Transparency log entry could not be verified: " + e.getMessage());
    }
  }

  /** The checks sigstore-java 2.0.0 lacks; see the class comment. */
  private static void checkLogEntryTime(Bundle bundle, TrustMaterial trust, X509Certificate leaf, Instant now)
      throws Invalid {
    if (bundle.getEntries().isEmpty()) {
      throw new Invalid("the bundle has no transparency log entry");
    }
    RekorEntry entry = bundle.getEntries().get(0);
    try {
      trust.transparencyLog(HexFormat.of().parseHex(entry.getLogID()));
    } catch (IllegalArgumentException e) {
      throw new Invalid("the bundle's log ID is malformed");
    }
    String set = entry.getVerification().getSignedEntryTimestamp();
    if (set != null && !set.isEmpty()) {
      CosignKeyless.checkSigningTime(leaf, Instant.ofEpochSecond(entry.getIntegratedTime()), now);
    } else if (bundle.getTimestamps().isEmpty()) {
      throw new Invalid("the bundle's log entry has no signed entry timestamp and the bundle no RFC 3161 timestamp,"
          + " so nothing shows when it was signed");
    }
  }

  private static String shortHex(byte[] bytes) {
    String hex = HexFormat.of().formatHex(bytes);
    return hex.length() > 12 ? hex.substring(0, 12) + "…" : hex;
  }
}
