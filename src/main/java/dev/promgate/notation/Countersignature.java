package dev.promgate.notation;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.GenTimeAccuracy;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

/**
 * An RFC 3161 timestamp countersignature over a Notary Project signature: a TSA's signed statement
 * that the signature bytes existed at a time. It counts only when its message imprint is the hash
 * of exactly those bytes, its CMS signature verifies with the TSA certificate it carries, that
 * certificate is a timestamping certificate, and it chains, at the time stamped, to one of the
 * authority's TSA roots.
 *
 * @param earliest the stamped time minus its accuracy
 * @param latest   the stamped time plus its accuracy
 * @param time     the stamped time
 * @param tsa      the TSA certificate's subject, for messages and evidence
 */
record Countersignature(Instant time, Instant earliest, Instant latest, String tsa) {

  /** Without an accuracy in the token, the time is taken to be exact to the second, as notation does. */
  private static final Duration DEFAULT_ACCURACY = Duration.ofSeconds(1);
  private static final Map<String, String> DIGESTS = Map.of(
      "2.16.840.1.101.3.4.2.1", "SHA-256", "2.16.840.1.101.3.4.2.2", "SHA-384", "2.16.840.1.101.3.4.2.3", "SHA-512");

  /**
   * @throws Failure (authentic timestamp) saying which of the conditions above does not hold
   */
  static Countersignature verify(byte[] token, byte[] signature, List<X509Certificate> tsaRoots) throws Failure {
    TimeStampToken stamp;
    try {
      stamp = new TimeStampToken(new CMSSignedData(token));
    } catch (Exception e) {
      throw fail("the timestamp countersignature cannot be read as an RFC 3161 token");
    }
    TimeStampTokenInfo info = stamp.getTimeStampInfo();
    String digest = DIGESTS.get(info.getMessageImprintAlgOID().getId());
    if (digest == null) {
      throw fail("the timestamp countersignature uses the unsupported hash " + info.getMessageImprintAlgOID());
    }
    try {
      if (!MessageDigest.isEqual(MessageDigest.getInstance(digest).digest(signature), info.getMessageImprintDigest())) {
        throw fail("the timestamp countersignature is over other bytes than this signature");
      }
    } catch (GeneralSecurityException e) {
      throw fail("the timestamp's hash " + digest + " is not available");
    }
    List<X509Certificate> carried = new ArrayList<>();
    X509Certificate signer = null;
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try {
      for (X509CertificateHolder holder : stamp.getCertificates().getMatches(null)) {
        X509Certificate c = converter.getCertificate(holder);
        carried.add(c);
        if (stamp.getSID().match(holder)) {
          signer = c;
        }
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw fail("a certificate in the timestamp countersignature cannot be read");
    }
    if (signer == null) {
      throw fail("the timestamp countersignature does not carry its TSA certificate");
    }
    try {
      // Checks the CMS signature, that the certificate was valid at the stamped time, and that it
      // is a timestamping certificate (critical extended key usage id-kp-timeStamping only).
      stamp.validate(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
    } catch (Exception e) {
      throw fail("the timestamp countersignature does not verify: " + e.getMessage());
    }
    Instant time = info.getGenTime().toInstant();
    chain(signer, carried, tsaRoots, time);
    Duration accuracy = accuracy(info.getGenTimeAccuracy());
    return new Countersignature(time, time.minus(accuracy), time.plus(accuracy),
        signer.getSubjectX500Principal().getName());
  }

  private static void chain(X509Certificate signer, List<X509Certificate> carried, List<X509Certificate> roots,
                            Instant at) throws Failure {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate root : roots) {
      anchors.add(new TrustAnchor(root, null));
      if (root.equals(signer)) {
        return;
      }
    }
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(signer);
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(at));
      parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(carried)));
      PKIXCertPathBuilderResult ignored =
          (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(parameters);
    } catch (GeneralSecurityException e) {
      throw fail("the timestamp countersignature's certificate "
          + CodeSigningChain.subject(signer) + " does not chain to a trusted TSA root at " + at);
    }
  }

  private static Duration accuracy(GenTimeAccuracy accuracy) {
    if (accuracy == null) {
      return DEFAULT_ACCURACY;
    }
    return Duration.ofSeconds(accuracy.getSeconds()).plusMillis(accuracy.getMillis())
        .plusNanos(accuracy.getMicros() * 1000L);
  }

  private static Failure fail(String message) {
    return new Failure("authentic timestamp", message);
  }
}
