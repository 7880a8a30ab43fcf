package dev.promgate.notation;

import dev.promgate.policy.NotationAuthority;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Verifies one Notary Project signature envelope for one image against one {@link NotationAuthority},
 * as {@code notation verify} does under a trust policy of level {@code strict}: every validation
 * is enforced, none only logged.
 *
 * <ol>
 *   <li><b>integrity</b>: the envelope (JWS or COSE) is well formed, its critical headers are the
 *       ones the Notary Project defines, the leaf certificate's key made the signature with the
 *       algorithm its size calls for, and the chain has the shape a code-signing chain must have;</li>
 *   <li><b>target artifact</b>: the signed descriptor's digest, media type and size are the
 *       admitted manifest's;</li>
 *   <li><b>authenticity</b>: the chain contains a certificate of the trust store that goes with
 *       the signing scheme ({@code ca} for {@code notary.x509}, {@code signingAuthority} for
 *       {@code notary.x509.signingAuthority});</li>
 *   <li><b>trusted identity</b>: the leaf's subject contains one of the trusted
 *       {@code x509.subject} names;</li>
 *   <li><b>expiry</b>: the signature's own expiry, if any, is still ahead;</li>
 *   <li><b>authentic timestamp</b>: for {@code notary.x509} with TSA roots (and, with
 *       {@code afterCertExpiry}, once the chain has expired) an RFC 3161 countersignature over the
 *       signature, trusted through those roots, falls within every certificate's validity; without
 *       TSA roots the chain must be valid now. For the signingAuthority scheme, the authentic
 *       signing time falls within every certificate's validity.</li>
 * </ol>
 * Revocation (OCSP/CRL) is not checked: an admission webhook cannot wait on a CA's responders.
 */
public final class NotationVerifier {

  /** The JWS envelope media type. */
  public static final String JWS = "application/jose+json";
  /** The COSE_Sign1 envelope media type. */
  public static final String COSE = "application/cose";

  private static final DateTimeFormatter RFC1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private NotationVerifier() {}

  /** The descriptor of the manifest a signature must be for. */
  public record Target(String mediaType, String digest, long size) {
    @Override
    public String toString() {
      return digest + " (" + mediaType + ", " + size + " bytes)";
    }
  }

  /** What a verification found. */
  public sealed interface Result permits Verified, NotVerified {}

  /**
   * The signature counts.
   *
   * @param subject    the signing certificate's subject
   * @param timestamp  the countersignature's time and TSA, when one was checked
   * @param validUntil when it stops counting: its expiry, and, when its chain was checked as valid
   *                   now (no timestamp counted), the end of the chain's validity
   */
  public record Verified(String format, String signingScheme, String subject, Instant signingTime,
                         Optional<Instant> timestamp, Optional<String> timestampAuthority,
                         Optional<Instant> validUntil) implements Result {
    /** {@code JWS notary.x509 by "CN=e2e,…" signed 2023-06-27T05:30:33Z, timestamped … by …}. */
    public String describe() {
      return format + " " + signingScheme + " signature by \"" + subject + "\", signed " + signingTime
          + timestamp.map(t -> ", timestamped " + t + timestampAuthority.map(a -> " by \"" + a + "\"").orElse(""))
              .orElse("");
    }
  }

  /**
   * The signature does not count.
   *
   * @param format     {@code JWS} or {@code COSE}, or the media type when the envelope could not be read
   * @param validation which validation failed: integrity, target artifact, authenticity, trusted identity,
   *                   expiry, authentic timestamp
   */
  public record NotVerified(String format, String validation, String problem) implements Result {
    /** {@code Notation JWS signature: expiry validation failed: digital signature has expired on …}. */
    public String message() {
      return "Notation " + format + " signature: " + validation + " validation failed: " + problem;
    }
  }

  /** Verifies an envelope of the given media type for {@code target} against {@code authority} at {@code now}. */
  public static Result verify(String envelopeMediaType, byte[] envelope, Target target, NotationAuthority authority,
                              Instant now) {
    String format = JWS.equals(envelopeMediaType) ? "JWS" : COSE.equals(envelopeMediaType) ? "COSE" : "envelope";
    try {
      Envelope e = Envelope.parse(envelopeMediaType, envelope);
      e.verifySignature();
      CodeSigningChain.validate(e.chain());
      checkTarget(e, target);
      checkAuthenticity(e, authority);
      checkIdentity(e, authority);
      checkExpiry(e, now);
      Optional<Countersignature> stamp = checkTimestamp(e, authority, now);
      return new Verified(e.format(), e.signingScheme(), e.leaf().getSubjectX500Principal().getName(),
          e.signingTime(), stamp.map(Countersignature::time), stamp.map(Countersignature::tsa),
          validUntil(e, stamp.isEmpty() && !Envelope.SCHEME_SIGNING_AUTHORITY.equals(e.signingScheme())));
    } catch (Failure f) {
      return new NotVerified(format, f.validation(), f.getMessage());
    }
  }

  private static void checkTarget(Envelope e, Target target) throws Failure {
    JsonNode artifact;
    try {
      artifact = JwsEnvelope.JSON.readTree(e.payload()).path("targetArtifact");
    } catch (JacksonException ex) {
      throw Failure.integrity("the signed payload is not JSON");
    }
    if (!artifact.isObject()) {
      throw Failure.integrity("the signed payload has no targetArtifact");
    }
    Target signed = new Target(artifact.path("mediaType").asText(""), artifact.path("digest").asText(""),
        artifact.path("size").canConvertToLong() ? artifact.path("size").asLong() : -1);
    if (!signed.equals(target)) {
      throw new Failure("target artifact", "the signature is for " + signed + ", not for " + target);
    }
  }

  private static void checkAuthenticity(Envelope e, NotationAuthority authority) throws Failure {
    boolean signingAuthority = Envelope.SCHEME_SIGNING_AUTHORITY.equals(e.signingScheme());
    List<X509Certificate> trusted = signingAuthority ? authority.signingAuthority() : authority.ca();
    if (trusted.isEmpty()) {
      throw Failure.authenticity("the signature uses the " + e.signingScheme() + " scheme and " + authority.name()
          + " has no " + (signingAuthority ? "signingAuthority" : "ca") + " trust store for it");
    }
    for (X509Certificate c : e.chain()) {
      if (trusted.contains(c)) {
        return;
      }
    }
    throw Failure.authenticity("the signature's certificate chain (signed by " + CodeSigningChain.subject(e.leaf())
        + ") does not contain any certificate of the trust store of " + authority.name());
  }

  private static void checkIdentity(Envelope e, NotationAuthority authority) throws Failure {
    String subject = e.leaf().getSubjectX500Principal().getName();
    Map<String, String> dn;
    try {
      dn = NotationAuthority.distinguishedName(subject);
    } catch (IllegalArgumentException ex) {
      throw new Failure("trusted identity", "the signing certificate's subject cannot be read: " + ex.getMessage());
    }
    if (!authority.trusts(dn)) {
      throw new Failure("trusted identity", "the signing certificate \"" + subject
          + "\" does not match the trusted identities of " + authority.name() + " " + identities(authority));
    }
  }

  private static void checkExpiry(Envelope e, Instant now) throws Failure {
    if (e.expiry().isPresent() && !now.isBefore(e.expiry().get())) {
      throw new Failure("expiry", "digital signature has expired on \"" + RFC1123.format(e.expiry().get()) + "\"");
    }
  }

  private static Optional<Countersignature> checkTimestamp(Envelope e, NotationAuthority authority, Instant now)
      throws Failure {
    if (Envelope.SCHEME_SIGNING_AUTHORITY.equals(e.signingScheme())) {
      for (X509Certificate c : e.chain()) {
        if (e.signingTime().isBefore(c.getNotBefore().toInstant()) || e.signingTime().isAfter(c.getNotAfter().toInstant())) {
          throw new Failure("authentic timestamp", "certificate " + CodeSigningChain.subject(c)
              + " was not valid when the digital signature was produced at \"" + RFC1123.format(e.signingTime()) + "\"");
        }
      }
      return Optional.empty();
    }
    boolean stamp = !authority.timestampAuthorities().isEmpty();
    if (stamp && authority.verifyTimestamp() == NotationAuthority.VerifyTimestamp.AFTER_CERT_EXPIRY) {
      stamp = e.chain().stream().anyMatch(c -> now.isAfter(c.getNotAfter().toInstant()));
    }
    if (!stamp) {
      for (X509Certificate c : e.chain()) {
        if (now.isBefore(c.getNotBefore().toInstant())) {
          throw new Failure("authentic timestamp", "verification time is before certificate "
              + CodeSigningChain.subject(c) + " validity period, it will be valid from \""
              + RFC1123.format(c.getNotBefore().toInstant()) + "\"");
        }
        if (now.isAfter(c.getNotAfter().toInstant())) {
          throw new Failure("authentic timestamp", "verification time is after certificate "
              + CodeSigningChain.subject(c) + " validity period, it was expired at \""
              + RFC1123.format(c.getNotAfter().toInstant()) + "\"");
        }
      }
      return Optional.empty();
    }
    if (e.timestampToken().isEmpty()) {
      throw new Failure("authentic timestamp", "no timestamp countersignature was found in the signature envelope");
    }
    Countersignature c = Countersignature.verify(e.timestampToken().get(), e.signature(),
        authority.timestampAuthorities());
    for (X509Certificate cert : e.chain()) {
      if (c.earliest().isBefore(cert.getNotBefore().toInstant())) {
        throw new Failure("authentic timestamp", "timestamp can be before certificate " + CodeSigningChain.subject(cert)
            + " validity period, it will be valid from \"" + RFC1123.format(cert.getNotBefore().toInstant()) + "\"");
      }
      if (c.latest().isAfter(cert.getNotAfter().toInstant())) {
        throw new Failure("authentic timestamp", "timestamp can be after certificate " + CodeSigningChain.subject(cert)
            + " validity period, it was expired at \"" + RFC1123.format(cert.getNotAfter().toInstant()) + "\"");
      }
    }
    return Optional.of(c);
  }

  /**
   * The first moment the signature stops counting: its expiry; and when the chain was checked at the
   * time of verification ({@code checkedNow}), the earliest end of its certificates' validity.
   */
  private static Optional<Instant> validUntil(Envelope e, boolean checkedNow) {
    Optional<Instant> chainEnd = checkedNow
        ? e.chain().stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo) : Optional.empty();
    return java.util.stream.Stream.concat(e.expiry().stream(), chainEnd.stream()).min(Instant::compareTo);
  }

  private static String identities(NotationAuthority authority) {
    return authority.trustedIdentities().stream().map(Object::toString).toList().toString();
  }
}
