package dev.promgate.notation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.NotationAuthority;
import dev.promgate.policy.NotationAuthority.VerifyTimestamp;
import dev.promgate.notation.NotationVerifier.NotVerified;
import dev.promgate.notation.NotationVerifier.Result;
import dev.promgate.notation.NotationVerifier.Target;
import dev.promgate.notation.NotationVerifier.Verified;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * What the notation-go fixtures do not cover, signed here the way notation-core-go signs: ECDSA
 * (r||s signatures) in JWS and COSE, the {@code notary.x509.signingAuthority} scheme with its
 * authentic signing time and trust store type, and the chain and header rules.
 */
class NotationSignedHereTest {

  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final Target TARGET = new Target("application/vnd.oci.image.manifest.v1+json", "sha256:" + "ab".repeat(32), 1234);
  static final byte[] PAYLOAD = ("{\"targetArtifact\":{\"mediaType\":\"" + TARGET.mediaType() + "\",\"digest\":\""
      + TARGET.digest() + "\",\"size\":1234}}").getBytes(StandardCharsets.UTF_8);

  record Pki(KeyPair rootKey, X509Certificate root, KeyPair leafKey, X509Certificate leaf) {}

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  static X509Certificate certificate(String subject, KeyPair subjectKey, String issuer, PrivateKey issuerKey,
                                     boolean ca, Instant from, Instant to) throws Exception {
    var builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(System.nanoTime()),
        Date.from(from), Date.from(to), new X500Name(subject), subjectKey.getPublic());
    if (ca) {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
    } else {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
    }
    String alg = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
  }

  static Pki pki(String curve, Instant from, Instant to, boolean leafIsCa) throws Exception {
    KeyPair rootKey = ec("secp256r1");
    String rootName = "C=US,ST=WA,O=Acme,CN=Acme Root";
    X509Certificate root = certificate(rootName, rootKey, rootName, rootKey.getPrivate(), true, from, to);
    KeyPair leafKey = ec(curve);
    X509Certificate leaf = certificate("C=US,ST=WA,O=Acme,CN=release", leafKey, rootName, rootKey.getPrivate(),
        leafIsCa, from, to);
    return new Pki(rootKey, root, leafKey, leaf);
  }

  static byte[] sign(String jca, PrivateKey key, byte[] input) throws Exception {
    Signature s = Signature.getInstance(jca);
    s.initSign(key);
    s.update(input);
    return s.sign();
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A JWS envelope as notation-core-go writes it. */
  static byte[] jws(Pki pki, String protectedJson) throws Exception {
    String protectedPart = b64(protectedJson.getBytes(StandardCharsets.UTF_8));
    String payloadPart = b64(PAYLOAD);
    byte[] sig = sign("SHA256withECDSAinP1363Format", pki.leafKey().getPrivate(),
        (protectedPart + "." + payloadPart).getBytes(StandardCharsets.US_ASCII));
    return ("{\"payload\":\"" + payloadPart + "\",\"protected\":\"" + protectedPart + "\",\"header\":{\"x5c\":[\""
        + Base64.getEncoder().encodeToString(pki.leaf().getEncoded()) + "\",\""
        + Base64.getEncoder().encodeToString(pki.root().getEncoded()) + "\"]},\"signature\":\"" + b64(sig) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static NotationAuthority authority(List<X509Certificate> ca, List<X509Certificate> sa) {
    return new NotationAuthority("acme", ca, sa, List.of(), VerifyTimestamp.ALWAYS,
        List.of(NotationAuthority.trustedIdentity("x509.subject: C=US, ST=WA, O=Acme")), "test", "0");
  }

  static NotVerified failed(Result r, String validation) {
    NotVerified n = assertInstanceOf(NotVerified.class, r, r::toString);
    assertEquals(validation, n.validation(), n::message);
    return n;
  }

  static final String SA_HEADER = "{\"alg\":\"ES256\",\"crit\":[\"io.cncf.notary.signingScheme\","
      + "\"io.cncf.notary.authenticSigningTime\"],\"cty\":\"application/vnd.cncf.notary.payload.v1+json\","
      + "\"io.cncf.notary.signingScheme\":\"notary.x509.signingAuthority\","
      + "\"io.cncf.notary.authenticSigningTime\":\"%s\"}";

  @Test
  void aSigningAuthoritySignatureVerifiesAgainstTheSigningAuthorityStoreOnly() throws Exception {
    Pki pki = pki("secp256r1", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(30)), false);
    byte[] envelope = jws(pki, SA_HEADER.formatted(NOW.minus(Duration.ofDays(1))));

    Verified v = assertInstanceOf(Verified.class, NotationVerifier.verify(NotationVerifier.JWS, envelope, TARGET,
        authority(List.of(), List.of(pki.root())), NOW));
    assertEquals("notary.x509.signingAuthority", v.signingScheme());
    assertEquals("CN=release,O=Acme,ST=WA,C=US", v.subject());

    assertTrue(failed(NotationVerifier.verify(NotationVerifier.JWS, envelope, TARGET,
        authority(List.of(pki.root()), List.of()), NOW), "authenticity").problem().contains("no signingAuthority trust store"));
  }

  @Test
  void anAuthenticSigningTimeOutsideTheChainsValidityFails() throws Exception {
    Pki pki = pki("secp256r1", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(30)), false);
    byte[] envelope = jws(pki, SA_HEADER.formatted(NOW.minus(Duration.ofDays(60))));
    assertTrue(failed(NotationVerifier.verify(NotationVerifier.JWS, envelope, TARGET,
        authority(List.of(), List.of(pki.root())), NOW), "authentic timestamp").problem()
        .contains("was not valid when the digital signature was produced"));
  }

  @Test
  void headerAndChainRulesAreEnforced() throws Exception {
    Pki pki = pki("secp256r1", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(30)), false);
    NotationAuthority trusted = authority(List.of(pki.root()), List.of(pki.root()));
    String time = NOW.minus(Duration.ofDays(1)).toString();
    String unknownCritical = "{\"alg\":\"ES256\",\"crit\":[\"io.cncf.notary.signingScheme\",\"io.cncf.notary.verificationPlugin\"],"
        + "\"cty\":\"application/vnd.cncf.notary.payload.v1+json\",\"io.cncf.notary.signingScheme\":\"notary.x509\","
        + "\"io.cncf.notary.verificationPlugin\":\"com.example.plugin\",\"io.cncf.notary.signingTime\":\"" + time + "\"}";
    assertTrue(failed(NotationVerifier.verify(NotationVerifier.JWS, jws(pki, unknownCritical), TARGET, trusted, NOW),
        "integrity").problem().contains("is not one promgate can process"));
    String schemeNotCritical = "{\"alg\":\"ES256\",\"crit\":[\"io.cncf.notary.expiry\"],"
        + "\"cty\":\"application/vnd.cncf.notary.payload.v1+json\",\"io.cncf.notary.signingScheme\":\"notary.x509\","
        + "\"io.cncf.notary.signingTime\":\"" + time + "\",\"io.cncf.notary.expiry\":\"" + NOW.plus(Duration.ofDays(1)) + "\"}";
    assertTrue(failed(NotationVerifier.verify(NotationVerifier.JWS, jws(pki, schemeNotCritical), TARGET, trusted, NOW),
        "integrity").problem().contains("not marked as critical"));
    String wrongAlg = SA_HEADER.formatted(time).replace("ES256", "ES384");
    assertTrue(failed(NotationVerifier.verify(NotationVerifier.JWS, jws(pki, wrongAlg), TARGET, trusted, NOW),
        "integrity").problem().contains("calls for ES256"));

    Pki caLeaf = pki("secp256r1", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(30)), true);
    assertTrue(failed(NotationVerifier.verify(NotationVerifier.JWS, jws(caLeaf, SA_HEADER.formatted(time)), TARGET,
        authority(List.of(caLeaf.root()), List.of(caLeaf.root())), NOW), "integrity").problem().contains("is a CA certificate"));
  }

  // ---- COSE, ES384 ----------------------------------------------------------------------------

  /** Just enough CBOR to write a COSE_Sign1 as notation-core-go does. */
  static final class Out {
    final ByteArrayOutputStream b = new ByteArrayOutputStream();

    Out head(int major, long n) {
      b.writeBytes(Cbor.header(major, n));
      return this;
    }

    Out value(Object v) {
      if (v instanceof Long l) {
        return l >= 0 ? head(0, l) : head(1, -1 - l);
      }
      if (v instanceof String s) {
        byte[] t = s.getBytes(StandardCharsets.UTF_8);
        head(3, t.length);
        b.writeBytes(t);
        return this;
      }
      if (v instanceof byte[] bytes) {
        head(2, bytes.length);
        b.writeBytes(bytes);
        return this;
      }
      if (v instanceof List<?> list) {
        head(4, list.size());
        list.forEach(this::value);
        return this;
      }
      if (v instanceof Map<?, ?> map) {
        head(5, map.size());
        map.forEach((k, x) -> value(k).value(x));
        return this;
      }
      if (v instanceof Cbor.Tagged t) {
        return head(6, t.tag()).value(t.value());
      }
      throw new IllegalArgumentException(String.valueOf(v));
    }

    byte[] bytes() {
      return b.toByteArray();
    }
  }

  static byte[] cose(Pki pki, long alg, Instant signingTime, Instant expiry) throws Exception {
    Map<Object, Object> p = new LinkedHashMap<>();
    p.put(1L, alg);
    p.put(2L, expiry == null ? List.of("io.cncf.notary.signingScheme")
        : List.of("io.cncf.notary.signingScheme", "io.cncf.notary.expiry"));
    p.put(3L, "application/vnd.cncf.notary.payload.v1+json");
    p.put("io.cncf.notary.signingScheme", "notary.x509");
    p.put("io.cncf.notary.signingTime", new Cbor.Tagged(1, signingTime.getEpochSecond()));
    if (expiry != null) {
      p.put("io.cncf.notary.expiry", new Cbor.Tagged(1, expiry.getEpochSecond()));
    }
    byte[] protectedBytes = new Out().value(p).bytes();
    byte[] signature = sign("SHA384withECDSAinP1363Format", pki.leafKey().getPrivate(),
        CoseEnvelope.sigStructure(protectedBytes, PAYLOAD));
    Map<Object, Object> unprotected = new LinkedHashMap<>();
    unprotected.put(33L, List.of(pki.leaf().getEncoded(), pki.root().getEncoded()));
    return new Out().value(new Cbor.Tagged(18, List.of(protectedBytes, unprotected, PAYLOAD, signature))).bytes();
  }

  @Test
  void anEs384CoseSignatureVerifiesAndItsExpiryIsHonoured() throws Exception {
    Pki pki = pki("secp384r1", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(30)), false);
    NotationAuthority trusted = authority(List.of(pki.root()), List.of());
    Verified v = assertInstanceOf(Verified.class, NotationVerifier.verify(NotationVerifier.COSE,
        cose(pki, -35, NOW.minus(Duration.ofDays(1)), null), TARGET, trusted, NOW));
    assertEquals("COSE", v.format());

    failed(NotationVerifier.verify(NotationVerifier.COSE, cose(pki, -35, NOW.minus(Duration.ofDays(2)),
        NOW.minus(Duration.ofDays(1))), TARGET, trusted, NOW), "expiry");
    failed(NotationVerifier.verify(NotationVerifier.COSE, cose(pki, -7, NOW.minus(Duration.ofDays(1)), null),
        TARGET, trusted, NOW), "integrity");
  }

  @Test
  void aChainNotValidNowFailsWithoutTimestampAuthorities() throws Exception {
    Pki expired = pki("secp384r1", NOW.minus(Duration.ofDays(60)), NOW.minus(Duration.ofDays(30)), false);
    NotVerified n = failed(NotationVerifier.verify(NotationVerifier.COSE,
        cose(expired, -35, NOW.minus(Duration.ofDays(40)), null), TARGET, authority(List.of(expired.root()), List.of()), NOW),
        "authentic timestamp");
    assertTrue(n.problem().contains("verification time is after certificate"), n::message);
  }
}
