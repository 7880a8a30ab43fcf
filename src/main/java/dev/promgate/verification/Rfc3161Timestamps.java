package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.trustroot.CertificateAuthority;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * RFC 3161 timestamps over a signature, checked against the timestamp authorities of a Sigstore
 * trusted root. sigstore-java 2.0.0 has a {@code TimestampVerifier}, but only reaches it for bundles
 * it can read, and those must have a transparency-log entry; GitHub's Sigstore instance writes
 * bundles whose only trusted time is such a timestamp. The checks, in order:
 * <ol>
 *   <li>the token parses (a {@code TimeStampResp}, as Sigstore bundles hold it, or a bare
 *       {@code TimeStampToken}) and, for a response, its status is "granted";</li>
 *   <li>its signer is the leaf certificate of one of the root's timestamp authorities (a certificate
 *       embedded in the token must be that same certificate);</li>
 *   <li>the CMS signature verifies with that certificate, which was valid at the token's time and is
 *       for time stamping only (BouncyCastle's {@code TimeStampToken.validate});</li>
 *   <li>the authority's chain from the root is valid at that time, and that time lies within the
 *       authority's validity in the trusted root;</li>
 *   <li>the message imprint is the hash of exactly the signature being timestamped.</li>
 * </ol>
 * The token's time then counts as a time at which the signature existed.
 */
final class Rfc3161Timestamps {

  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  private static final Map<ASN1ObjectIdentifier, String> HASHES = Map.of(
      NISTObjectIdentifiers.id_sha256, "SHA-256",
      NISTObjectIdentifiers.id_sha384, "SHA-384",
      NISTObjectIdentifiers.id_sha512, "SHA-512");
  private static final Set<Integer> GRANTED = Set.of(0, 1);

  private Rfc3161Timestamps() {}

  /** A verified timestamp: when, and by which authority (its certificate subject). */
  record Verified(Instant time, String authority) {
    @Override
    public String toString() {
      return "RFC 3161 timestamp " + time + " by " + authority;
    }
  }

  /**
   * @param encoded   the DER timestamp response or token
   * @param signature the signature bytes the timestamp must be over
   * @param tsas      the trusted root's timestamp authorities
   * @param rootName  how messages name the trusted root
   * @throws Invalid saying which check failed
   */
  static Verified verify(byte[] encoded, byte[] signature, List<CertificateAuthority> tsas, String rootName)
      throws Invalid {
    TimeStampToken token = parse(encoded);
    Date genTime = token.getTimeStampInfo().getGenTime();
    Instant time = genTime.toInstant();
    if (tsas.isEmpty()) {
      throw new Invalid("its RFC 3161 timestamp cannot be checked: the " + rootName + " lists no timestamp authority");
    }
    List<String> tried = new ArrayList<>();
    for (CertificateAuthority tsa : tsas) {
      List<X509Certificate> chain = chain(tsa.getCertPath());
      if (chain.isEmpty()) {
        continue;
      }
      X509Certificate leaf = chain.get(0);
      if (!token.getSID().match(holder(leaf))) {
        tried.add(subject(leaf));
        continue;
      }
      requireEmbeddedSignerIs(token, leaf);
      try {
        token.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(leaf));
      } catch (TSPException | OperatorCreationException | RuntimeException e) {
        throw new Invalid("its RFC 3161 timestamp does not verify with the certificate of timestamp authority "
            + subject(leaf) + ": " + FailureBoundary.describe(e));
      }
      validateChain(chain, genTime, subject(leaf));
      if (!tsa.getValidFor().contains(time)) {
        throw new Invalid("its RFC 3161 timestamp was made at " + time + ", outside the validity of timestamp authority "
            + subject(leaf) + " in the " + rootName + " (" + tsa.getValidFor().getStart() + " to "
            + tsa.getValidFor().getEnd().map(Instant::toString).orElse("now") + ")");
      }
      requireImprintOf(token, signature);
      return new Verified(time, subject(leaf));
    }
    throw new Invalid("its RFC 3161 timestamp is signed by " + token.getSID().getIssuer()
        + (token.getSID().getSerialNumber() == null ? "" : " (serial " + token.getSID().getSerialNumber().toString(16) + ")")
        + ", which is no timestamp authority of the " + rootName
        + (tried.isEmpty() ? "" : " (" + String.join("; ", tried.stream().distinct().toList()) + ")"));
  }

  private static TimeStampToken parse(byte[] encoded) throws Invalid {
    if (encoded == null || encoded.length == 0) {
      throw new Invalid("its RFC 3161 timestamp is empty");
    }
    try {
      TimeStampResponse response = new TimeStampResponse(encoded);
      if (!GRANTED.contains(response.getStatus())) {
        throw new Invalid("its RFC 3161 timestamp response has status " + response.getStatus() + " ("
            + response.getStatusString() + "), not granted");
      }
      if (response.getTimeStampToken() == null) {
        throw new Invalid("its RFC 3161 timestamp response holds no token");
      }
      return response.getTimeStampToken();
    } catch (TSPException | IOException | RuntimeException notAResponse) {
      try {
        return new TimeStampToken(new CMSSignedData(encoded));
      } catch (TSPException | CMSException | IOException | RuntimeException e) {
        throw new Invalid("its RFC 3161 timestamp cannot be read: " + FailureBoundary.describe(notAResponse));
      }
    }
  }

  /** A certificate the token carries for its signer must be the trusted one, not a look-alike. */
  @SuppressWarnings("unchecked")
  private static void requireEmbeddedSignerIs(TimeStampToken token, X509Certificate trusted) throws Invalid {
    var embedded = token.getCertificates();
    if (embedded == null) {
      return;
    }
    X509CertificateHolder expected = holder(trusted);
    for (X509CertificateHolder candidate : (java.util.Collection<X509CertificateHolder>) embedded.getMatches(token.getSID())) {
      if (!candidate.equals(expected)) {
        throw new Invalid("its RFC 3161 timestamp embeds a signer certificate (" + candidate.getSubject()
            + ") that is not the trusted timestamp authority's");
      }
    }
  }

  private static void validateChain(List<X509Certificate> chain, Date at, String authority) throws Invalid {
    X509Certificate anchor = chain.get(chain.size() - 1);
    if (chain.size() == 1) {
      try {
        anchor.checkValidity(at);
        return;
      } catch (CertificateException e) {
        throw new Invalid("the certificate of timestamp authority " + authority + " was not valid at " + at.toInstant());
      }
    }
    try {
      CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, chain.size() - 1));
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      parameters.setRevocationEnabled(false);
      parameters.setDate(at);
      CertPathValidator.getInstance("PKIX").validate(path, parameters);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new Invalid("the certificate chain of timestamp authority " + authority + " is not valid at "
          + at.toInstant() + ": " + FailureBoundary.describe(e));
    }
  }

  private static void requireImprintOf(TimeStampToken token, byte[] signature) throws Invalid {
    ASN1ObjectIdentifier algorithm = token.getTimeStampInfo().getMessageImprintAlgOID();
    String hash = HASHES.get(algorithm);
    if (hash == null) {
      throw new Invalid("its RFC 3161 timestamp hashes with " + algorithm + ", not SHA-256, SHA-384 or SHA-512");
    }
    byte[] expected;
    try {
      expected = MessageDigest.getInstance(hash).digest(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + hash, e);
    }
    if (!MessageDigest.isEqual(expected, token.getTimeStampInfo().getMessageImprintDigest())) {
      throw new Invalid("its RFC 3161 timestamp is over other data than this signature (message imprint mismatch)");
    }
  }

  private static List<X509Certificate> chain(CertPath path) {
    List<X509Certificate> chain = new ArrayList<>();
    for (var c : path.getCertificates()) {
      chain.add((X509Certificate) c);
    }
    return chain;
  }

  private static X509CertificateHolder holder(X509Certificate certificate) throws Invalid {
    try {
      return new X509CertificateHolder(certificate.getEncoded());
    } catch (CertificateEncodingException | IOException e) {
      throw new Invalid("a timestamp authority certificate cannot be encoded");
    }
  }

  private static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
