package dev.promgate.verification;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.Authority;
import dev.promgate.verdict.Verdict;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * A certificate-chain authority trusts what its roots issue for code signing: a CA whose extended
 * key usage limits it to something else (TLS servers, say) constrains every certificate below it,
 * as Go's x509 verifier (and so cosign) nests extended key usages. A leaf that names no usage of
 * its own does not escape that constraint.
 */
class CodeSigningUsageTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(Clock.fixed(NOW, ZoneOffset.UTC));
  private final String digest = "sha256:" + "c0".repeat(32);
  private final KeyPair rootKey = TestSigstore.ecKey("secp256r1");
  private final X509Certificate root = certificate("CN=Acme Root", rootKey, "CN=Acme Root", rootKey, true, null);

  private static X509Certificate certificate(String subject, KeyPair subjectKey, String issuer, KeyPair issuerKey,
                                             boolean ca, KeyPurposeId usage) {
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
          BigInteger.valueOf(subject.hashCode() & 0x7fffffffL), Date.from(NOW.minus(Duration.ofDays(30))),
          Date.from(NOW.plus(Duration.ofDays(365))), new X500Name(subject), subjectKey.getPublic());
      if (ca) {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
      } else {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      }
      if (usage != null) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
      }
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A cosign signature of the digest by a leaf without extended key usage, under an intermediate limited to {@code usage}. */
  private Verdict signedUnder(KeyPurposeId usage) throws Exception {
    KeyPair intermediateKey = TestSigstore.ecKey("secp256r1");
    X509Certificate intermediate = certificate("CN=Acme Issuing CA", intermediateKey, "CN=Acme Root", rootKey, true, usage);
    KeyPair leafKey = TestSigstore.ecKey("secp256r1");
    X509Certificate leaf = certificate("CN=build-42,O=Acme", leafKey, "CN=Acme Issuing CA", intermediateKey, false, null);
    byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"registry.acme.example/shop/web\"},"
        + "\"image\":{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
        + "\"optional\":null}").getBytes(StandardCharsets.UTF_8);
    byte[] signature = TestSigstore.sign(leafKey.getPrivate(), "SHA256withECDSA", payload);
    SignedContent.SignatureLayer layer = new SignedContent.SignatureLayer("acme.sig layer 0", CosignSignatureLayer.MEDIA_TYPE,
        payload, Map.of(CosignSignatureLayer.SIGNATURE, TestSigstore.b64(signature),
            CosignLegacy.CERTIFICATE, TestSigstore.pem(leaf), CosignLegacy.CHAIN, TestSigstore.pem(intermediate)));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Authority.CertificateChain acme = new Authority.CertificateChain("acme", List.of(root), List.of(), "acme-root.pem",
        HexFormat.of().formatHex(sha.digest(root.getEncoded())), List.of(), Optional.empty());
    return evaluator.evaluate(TestPolicies.request(digest, TestPolicies.signatures(acme)),
        new SignedContent(List.of(layer), List.of(), List.of()));
  }

  @Test
  void aCaForTlsServersCannotVouchForACodeSignature() throws Exception {
    Verdict v = signedUnder(KeyPurposeId.id_kp_serverAuth);
    String p = assertInstanceOf(Verdict.Rejected.class, v, v::toString).reasons().get(0).problem();
    assertTrue(p.contains("its certificate (O=Acme,CN=build-42) is issued under CN=Acme Issuing CA, whose extended key"
        + " usage does not allow code signing"), p);
  }

  @Test
  void aCaForCodeSigningOrWithoutLimitsCan() throws Exception {
    assertInstanceOf(Verdict.Verified.class, signedUnder(KeyPurposeId.id_kp_codeSigning));
    assertInstanceOf(Verdict.Verified.class, signedUnder(null));
  }
}
