package dev.promgate.verification;

import dev.promgate.image.Digest;
import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.trustroot.TransparencyLog;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A Sigstore bundle (v0.1 to v0.3) found through the referrers of the image: a message signature
 * over the image manifest, or a DSSE envelope with an in-toto statement about the image (an
 * attestation, or with predicate type {@value InTotoStatement#COSIGN_IMAGE_SIGNATURE} cosign 3's
 * image signature).
 *
 * <p>Verification of certificate bundles under public-good rules (log entry and SCT required) goes
 * through sigstore-java's {@code KeylessVerifier} wherever sigstore-java 2.0.0 can read the bundle
 * and its log entry carries a SET: certificate chain and SCT, signature, transparency-log entry
 * consistency, RFC 3161 timestamps, SET, inclusion proof and checkpoint. Everywhere else (see
 * {@link #sigstoreJavaReads} for which bundles it can read; entries without a SET, as Rekor v2
 * writes them, whose log key validity sigstore-java does not check; and authorities that waive the
 * log or the SCT, or trust an enterprise CA) the
 * same checks run by parts ({@link SignerChecks}, {@link TransparencyEvidence}, {@link
 * LogEntryBodies}) on our own reading of the bundle ({@link BundleMaterial}). Nothing is skipped on
 * either path.
 *
 * <p>Checks sigstore-java 2.0.0 lacks, done for every certificate bundle: the Rekor integrated time
 * lies within the certificate's validity and not in the future, and within the validity of the log's
 * key; the trusted root gives the log key a validity start; the first log entry (the one verified)
 * carries a SET or the bundle a timestamp, whose times then lie within the validity of the log's key.
 *
 * <p>Bundles signed with a plain key ({@code verificationMaterial.publicKey}, which sigstore-java
 * 2.0.0 refuses to read) are verified with the authority's key, and, when the authority requires a
 * transparency log, their log entry and timestamps against its trusted root. Every log entry that
 * counts must carry an inclusion proof (the v0.2+ bundle specification requires one); v0.1 bundles
 * with only a SET are therefore refused.
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
  private final BundleMaterial material;
  private final byte[] messageSignature;
  private final DsseEnvelope envelope;
  private final InTotoStatement statement;
  private final String firstLogKind;

  private SigstoreBundleAttachment(String source, String unusable, String claimedPredicateType, Content content,
                                   String json, Digest digest, BundleMaterial material, byte[] messageSignature,
                                   DsseEnvelope envelope, InTotoStatement statement, String firstLogKind) {
    super(source, unusable, claimedPredicateType);
    this.content = content;
    this.json = json;
    this.digest = digest;
    this.material = material;
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
      JsonNode materialNode = Json.object(bundle, "verificationMaterial", "the Sigstore bundle");
      String firstLogKind = firstLogKind(materialNode);
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
        BundleMaterial material = BundleMaterial.read(materialNode);
        return new SigstoreBundleAttachment(found.source(), null, claimed, content, json, digest, material, null,
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
        BundleMaterial material = BundleMaterial.read(materialNode);
        return new SigstoreBundleAttachment(found.source(), null, null, content, json, digest, material, sig,
            null, null, firstLogKind);
      }
      throw new Invalid("the Sigstore bundle has neither a message signature nor a DSSE envelope");
    } catch (Invalid e) {
      return new SigstoreBundleAttachment(found.source(), e.getMessage(), claimed, content, json, digest, null,
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
  String format() {
    return switch (content) {
      case MESSAGE_SIGNATURE -> "Sigstore bundle (message signature)";
      case DSSE -> claimedPredicateType()
          .map(type -> type.equals(InTotoStatement.COSIGN_IMAGE_SIGNATURE) ? "Sigstore bundle (cosign v3 image signature)"
              : "Sigstore bundle (DSSE attestation)")
          .orElse("Sigstore bundle (DSSE)");
      case UNKNOWN -> "Sigstore bundle";
    };
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
    return material.keySigned() && signedWith(key) != null;
  }

  @Override
  Optional<String> verifyKey(SignerTrust.Key trust, Instant now) throws Invalid {
    if (!material.keySigned()) {
      return Optional.empty();
    }
    LogEntryBodies.Expected expected = signedWith(trust.key());
    if (expected == null) {
      return Optional.empty();
    }
    requireInclusionProofs(trust.transparency().map(SignerTrust.Transparency::logRequired).orElse(false));
    return Optional.of(SignerChecks.key(trust, material.evidence(), expected, now));
  }

  @Override
  SignerChecks.CertifiedSigner verifyCertificate(SignerTrust.Certificates trust, Instant now) throws Invalid {
    return verifyCertificate(trust, now, true);
  }

  /** @param preferSigstoreJava false to check every bundle by parts, as tests do to compare both paths */
  CertificateIdentity verifyKeyless(TrustMaterial trust, Instant now, boolean preferSigstoreJava) throws Invalid {
    return verifyCertificate(SignerTrust.Keyless.publicGood(trust), now, preferSigstoreJava).identity();
  }

  private SignerChecks.CertifiedSigner verifyCertificate(SignerTrust.Certificates trust, Instant now,
                                                         boolean preferSigstoreJava) throws Invalid {
    if (material.keySigned()) {
      throw new Invalid("the bundle is signed with a key, not with a certificate");
    }
    X509Certificate leaf = material.certificates().get(0);
    if (trust instanceof SignerTrust.Keyless keyless && keyless.defaults() && preferSigstoreJava
        && !material.entries().isEmpty() && hasSet(material.entries().get(0))) {
      Bundle bundle = sigstoreJavaBundle();
      checkLogEntryTime(bundle, keyless.material(), leaf, now);
      if (sigstoreJavaReads(bundle, keyless.material())) {
        try {
          keyless.material().keyless().verify(digest.bytes(), bundle, VerificationOptions.empty());
        } catch (KeylessVerificationException | RuntimeException e) {
          throw new Invalid(FailureBoundary.describe(e));
        }
        return new SignerChecks.CertifiedSigner(CertificateIdentity.of(leaf), List.of(), Optional.empty());
      }
    }
    LogEntryBodies.Expected expected = signedWith(leaf.getPublicKey());
    if (expected == null) {
      throw new Invalid(envelope != null ? "DSSE signature was not valid" : "Artifact signature was not valid");
    }
    boolean logRequired = trust instanceof SignerTrust.Keyless k ? k.logRequired()
        : ((SignerTrust.Enterprise) trust).transparency().map(SignerTrust.Transparency::logRequired).orElse(false);
    requireInclusionProofs(logRequired);
    return SignerChecks.certificate(material.certificates(), material.evidence(), expected, trust, now);
  }

  /**
   * The log record expected for this bundle's signature if it verifies with {@code key}, else null.
   * A DSSE envelope in a bundle carries exactly one signature.
   */
  private LogEntryBodies.Expected signedWith(PublicKey key) {
    if (envelope != null) {
      if (envelope.signatures().size() != 1) {
        return null;
      }
      byte[] signature = envelope.signatures().get(0);
      return Signatures.verify(key, envelope.pae(), signature) ? new LogEntryBodies.SignedEnvelope(envelope, signature)
          : null;
    }
    return Signatures.verifyDigest(key, digest.bytes(), messageSignature)
        ? new LogEntryBodies.SignedDigest(digest.bytes(), messageSignature) : null;
  }

  private void requireInclusionProofs(boolean logRequired) throws Invalid {
    if (!logRequired) {
      return;
    }
    if (material.entries().isEmpty()) {
      throw new Invalid("the bundle has no transparency log entry, and its authority requires one"
          + " (transparencyLog: required)");
    }
    if (material.entries().get(0).getVerification().getInclusionProof() == null) {
      throw new Invalid("the bundle's transparency log entry has no inclusion proof");
    }
  }

  private Bundle sigstoreJavaBundle() throws Invalid {
    try {
      return Bundle.from(new StringReader(json));
    } catch (BundleParseException | RuntimeException e) {
      throw new Invalid("the bundle cannot be read: " + FailureBoundary.describe(e));
    }
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

  /** The checks sigstore-java 2.0.0 lacks; see the class comment. */
  private static void checkLogEntryTime(Bundle bundle, TrustMaterial trust, X509Certificate leaf, Instant now)
      throws Invalid {
    if (bundle.getEntries().isEmpty()) {
      throw new Invalid("the bundle has no transparency log entry");
    }
    RekorEntry entry = bundle.getEntries().get(0);
    Optional<TransparencyLog> log;
    try {
      log = trust.transparencyLog(HexFormat.of().parseHex(entry.getLogID()));
    } catch (IllegalArgumentException e) {
      throw new Invalid("the bundle's log ID is malformed");
    }
    Instant integrated = Instant.ofEpochSecond(entry.getIntegratedTime());
    if (log.isPresent() && !log.get().getPublicKey().getValidFor().contains(integrated)) {
      throw new Invalid("its Rekor entry was integrated at " + integrated
          + ", outside the validity of that log's key in the " + trust.description());
    }
    TransparencyEvidence.requireValidAt(leaf, List.of(new TransparencyEvidence.TrustedTime(integrated,
        "transparency log time " + integrated)), "");
    if (integrated.isAfter(now.plus(TransparencyEvidence.CLOCK_SKEW))) {
      throw new Invalid("its transparency log time " + integrated + " is in the future");
    }
  }

  /**
   * Whether an entry carries a SET. Only then does sigstore-java 2.0.0 check that the log's key was
   * valid when the entry was made (at its signed integrated time); an entry without one (Rekor v2)
   * is dated by the bundle's timestamps, which {@link TransparencyEvidence} checks against the key's
   * validity and sigstore-java does not.
   */
  private static boolean hasSet(RekorEntry entry) {
    String set = entry.getVerification().getSignedEntryTimestamp();
    return set != null && !set.isEmpty();
  }

  private static String shortHex(byte[] bytes) {
    String hex = HexFormat.of().formatHex(bytes);
    return hex.length() > 12 ? hex.substring(0, 12) + "…" : hex;
  }
}
