package dev.promgate.notation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.NotationAuthority;
import dev.promgate.policy.NotationAuthority.VerifyTimestamp;
import dev.promgate.testing.Fixtures;
import dev.promgate.notation.NotationVerifier.NotVerified;
import dev.promgate.notation.NotationVerifier.Result;
import dev.promgate.notation.NotationVerifier.Target;
import dev.promgate.notation.NotationVerifier.Verified;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * notation-go's own envelopes (JWS and COSE, CA-issued chains, RFC 3161 countersignatures by a real
 * GlobalSign TSA) decided as the fixtures' SOURCE.md says notation decides them.
 */
class NotationFixturesTest {

  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  private static final Target MOCK_TARGET = new Target("application/vnd.docker.distribution.manifest.v2+json",
      "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e", 528);
  private static final Target STAMPED_TARGET = new Target("application/vnd.docker.distribution.manifest.v2+json",
      "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda", 528);
  private static final String TEST_ROOT_DN = "CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US";

  static List<X509Certificate> certs(Path... files) throws Exception {
    List<X509Certificate> all = new ArrayList<>();
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        for (var c : factory.generateCertificates(in)) {
          all.add((X509Certificate) c);
        }
      }
    }
    return all;
  }

  static Path go(String... path) {
    return Fixtures.path("notation-go", path);
  }

  static NotationAuthority authority(List<X509Certificate> ca, List<X509Certificate> sa, List<X509Certificate> tsa,
                                     List<String> identities) {
    return new NotationAuthority("acme", ca, sa, tsa, VerifyTimestamp.ALWAYS,
        identities.stream().map(NotationAuthority::trustedIdentity).toList(), "test", "0");
  }

  private static Result verify(String file, Target target, NotationAuthority authority) throws Exception {
    byte[] bytes = Files.readAllBytes(go(file.split("/")));
    String mediaType = bytes[0] == '{' ? NotationVerifier.JWS : NotationVerifier.COSE;
    return NotationVerifier.verify(mediaType, bytes, target, authority, NOW);
  }

  private static NotationAuthority mockPolicy(Path caStore, String identity) throws Exception {
    List<X509Certificate> store = certs(caStore);
    return authority(store, store, List.of(), List.of(identity));
  }

  private static NotVerified failed(Result r, String validation) {
    NotVerified n = assertInstanceOf(NotVerified.class, r, () -> "expected a failure, got " + r);
    assertEquals(validation, n.validation(), n::message);
    return n;
  }

  // ---- mock/: PS384, CA-issued chain --------------------------------------------------------

  @Test
  void caIssuedJwsVerifiesForItsTargetAndIdentity() throws Exception {
    Result r = verify("mock/ca_valid_sig_env.json", MOCK_TARGET,
        mockPolicy(go("truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem"), "x509.subject:" + TEST_ROOT_DN));
    Verified v = assertInstanceOf(Verified.class, r, r::toString);
    assertEquals("JWS", v.format());
    assertEquals("notary.x509", v.signingScheme());
    assertEquals(Instant.parse("2020-11-09T07:00:00Z"), v.signingTime());
  }

  @Test
  void aTrustStoreWithoutTheRootFailsAuthenticity() throws Exception {
    Result r = verify("mock/ca_valid_sig_env.json", MOCK_TARGET,
        mockPolicy(go("truststore", "x509", "ca", "valid-trust-store-2", "GlobalSignRootCA.crt"), "x509.subject:" + TEST_ROOT_DN));
    assertTrue(failed(r, "authenticity").message().contains("does not contain any certificate of the trust store"));
  }

  @Test
  void anotherSubjectFailsTrustedIdentity() throws Exception {
    Result r = verify("mock/ca_valid_sig_env.json", MOCK_TARGET,
        mockPolicy(go("truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem"),
            "x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN"));
    failed(r, "trusted identity");
  }

  @Test
  void anotherDigestSizeOrMediaTypeFailsTheTarget() throws Exception {
    NotationAuthority a = mockPolicy(go("truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem"), "x509.subject:" + TEST_ROOT_DN);
    for (Target other : List.of(
        new Target(MOCK_TARGET.mediaType(), "sha256:" + "0".repeat(64), 528),
        new Target(MOCK_TARGET.mediaType(), MOCK_TARGET.digest(), 529),
        new Target("application/vnd.oci.image.manifest.v1+json", MOCK_TARGET.digest(), 528))) {
      assertTrue(failed(verify("mock/ca_valid_sig_env.json", other, a), "target artifact").message()
          .contains("the signature is for " + MOCK_TARGET.digest()));
    }
  }

  @Test
  void paddedBase64FailsIntegrity() throws Exception {
    NotationAuthority a = mockPolicy(go("truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem"), "x509.subject:" + TEST_ROOT_DN);
    failed(verify("mock/ca_invalid_sig_env.json", MOCK_TARGET, a), "integrity");
    failed(verify("mock/sa_invalid_sig_env.json", MOCK_TARGET, a), "integrity");
  }

  @Test
  void anExpiredSignatureFailsExpiry() throws Exception {
    NotationAuthority a = mockPolicy(go("truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem"), "x509.subject:" + TEST_ROOT_DN);
    assertTrue(failed(verify("mock/ca_expired_sig_env.json", MOCK_TARGET, a), "expiry").message()
        .contains("digital signature has expired on \"Fri, 29 Jul 2022 23:59:00 GMT\""));
  }

  // ---- timestamp/: PS256, RFC 3161 countersignatures ------------------------------------------

  private static List<X509Certificate> globalSignTsa() throws Exception {
    return certs(go("truststore", "x509", "tsa", "test-timestamp", "globalsignRoot.cer"));
  }

  private static List<X509Certificate> digiCertTsa() throws Exception {
    return certs(go("truststore", "x509", "tsa", "test-mismatch", "DigiCertTSARootSHA384.cer"));
  }

  private static List<X509Certificate> alpine() throws Exception {
    return certs(go("truststore", "x509", "ca", "valid-trust-store", "TestTimestamp.crt"));
  }

  private static List<X509Certificate> testTsaLeaf() throws Exception {
    return certs(go("derived", "jwsExpiredWithTimestamp.leaf.pem"));
  }

  @Test
  void aJwsWithATrustedTimestampVerifies() throws Exception {
    Result r = verify("timestamp/sigEnv/jwsWithTimestamp.sig", STAMPED_TARGET,
        authority(alpine(), List.of(), globalSignTsa(), List.of()));
    Verified v = assertInstanceOf(Verified.class, r, r::toString);
    assertTrue(v.timestamp().isPresent());
    assertTrue(Math.abs(v.timestamp().get().getEpochSecond() - Instant.parse("2024-06-18T06:29:37Z").getEpochSecond()) <= 1);
    assertTrue(v.timestampAuthority().orElseThrow().contains("Globalsign TSA"), v::describe);
  }

  @Test
  void aTimestampFromAnUntrustedTsaFails() throws Exception {
    failed(verify("timestamp/sigEnv/jwsWithTimestamp.sig", STAMPED_TARGET,
        authority(alpine(), List.of(), digiCertTsa(), List.of())), "authentic timestamp");
  }

  @Test
  void withoutTsaRootsAValidChainNeedsNoTimestamp() throws Exception {
    assertInstanceOf(Verified.class, verify("timestamp/sigEnv/jwsWithTimestamp.sig", STAMPED_TARGET,
        authority(alpine(), List.of(), List.of(), List.of())));
    assertInstanceOf(Verified.class, verify("timestamp/sigEnv/withoutTimestamp.sig", STAMPED_TARGET,
        authority(alpine(), List.of(), List.of(), List.of())));
  }

  @Test
  void withTsaRootsASignatureWithoutTimestampFails() throws Exception {
    assertTrue(failed(verify("timestamp/sigEnv/withoutTimestamp.sig", STAMPED_TARGET,
        authority(alpine(), List.of(), globalSignTsa(), List.of())), "authentic timestamp").message()
        .contains("no timestamp countersignature was found"));
  }

  @Test
  void anExpiredCertificateCountsWhenTheTimestampFallsInsideItsValidity() throws Exception {
    for (String file : List.of("timestamp/sigEnv/jwsExpiredWithTimestamp.sig", "timestamp/sigEnv/coseExpiredWithTimestamp.sig")) {
      Result r = verify(file, STAMPED_TARGET, authority(testTsaLeaf(), List.of(), globalSignTsa(), List.of()));
      Verified v = assertInstanceOf(Verified.class, r, () -> file + ": " + r);
      assertEquals(file.contains("cose") ? "COSE" : "JWS", v.format());
    }
  }

  @Test
  void anExpiredCertificateWithoutTsaRootsFails() throws Exception {
    for (String file : List.of("timestamp/sigEnv/jwsExpiredWithTimestamp.sig", "timestamp/sigEnv/coseExpiredWithTimestamp.sig")) {
      NotVerified n = failed(verify(file, STAMPED_TARGET, authority(testTsaLeaf(), List.of(), List.of(), List.of())),
          "authentic timestamp");
      assertTrue(n.message().contains("verification time is after certificate")
          && n.message().contains("it was expired at \"Tue, 18 Jun 2024 07:30:31 GMT\""), n::message);
      failed(verify(file, STAMPED_TARGET, authority(testTsaLeaf(), List.of(), digiCertTsa(), List.of())),
          "authentic timestamp");
      failed(verify(file, STAMPED_TARGET, authority(alpine(), List.of(), globalSignTsa(), List.of())), "authenticity");
    }
  }

  @Test
  void aTimestampAfterTheCertificateExpiredFails() throws Exception {
    NotVerified n = failed(verify("timestamp/sigEnv/timestampAfterNotAfter.sig", STAMPED_TARGET,
        authority(certs(go("derived", "timestampAfterNotAfter.leaf.pem")), List.of(), globalSignTsa(), List.of())),
        "authentic timestamp");
    assertTrue(n.message().contains("timestamp can be after certificate"), n::message);
  }

  @Test
  void afterCertExpiryChecksTimestampsOnlyOnceTheChainExpired() throws Exception {
    NotationAuthority lenient = new NotationAuthority("acme", alpine(), List.of(), globalSignTsa(),
        VerifyTimestamp.AFTER_CERT_EXPIRY, List.of(), "test", "0");
    assertInstanceOf(Verified.class, verify("timestamp/sigEnv/withoutTimestamp.sig", STAMPED_TARGET, lenient));
  }

  @Test
  void aTamperedCoseSignatureFailsIntegrity() throws Exception {
    byte[] bytes = Files.readAllBytes(go("timestamp", "sigEnv", "coseExpiredWithTimestamp.sig"));
    // The payload's digest is inside the signed Sig_structure: change one hex digit of it.
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = text.indexOf("c0669ef34cdc");
    bytes[at] = (byte) 'd';
    NotVerified n = failed(NotationVerifier.verify(NotationVerifier.COSE, bytes, STAMPED_TARGET,
        authority(testTsaLeaf(), List.of(), globalSignTsa(), List.of()), NOW), "integrity");
    assertTrue(n.message().startsWith("Notation COSE signature: integrity validation failed"), n::message);
  }

  @Test
  void aJwsReadAsCoseOrAnUnknownMediaTypeFailsIntegrity() throws Exception {
    byte[] jws = Files.readAllBytes(go("mock", "ca_valid_sig_env.json"));
    NotationAuthority a = mockPolicy(go("truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem"), "x509.subject:" + TEST_ROOT_DN);
    failed(NotationVerifier.verify(NotationVerifier.COSE, jws, MOCK_TARGET, a, NOW), "integrity");
    failed(NotationVerifier.verify("application/octet-stream", jws, MOCK_TARGET, a, NOW), "integrity");
  }

  @Test
  void trustedIdentitiesNeedCountryStateAndOrganization() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> NotationAuthority.trustedIdentity("x509.subject:CN=e2e"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> NotationAuthority.trustedIdentity("CN=e2e,O=Notary,ST=WA,C=US"));
  }

  @Test
  void distinguishedNamesCompareByAttribute() {
    Map<String, String> dn = NotationAuthority.distinguishedName("CN=e2e, O=Notary, L=Seattle, ST=WA, C=US");
    assertEquals(Map.of("CN", "e2e", "O", "Notary", "L", "Seattle", "ST", "WA", "C", "US"), dn);
  }
}
