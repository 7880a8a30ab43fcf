package dev.promgate.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.FailureBoundary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Signature checks, base64 and JSON reading, DSSE encoding, certificate identities. */
class PrimitivesTest {

  private static X509Certificate certificate(Path pem) throws Invalid {
    return CertificateIdentity.parsePem(TestPolicies.read(pem), pem.getFileName().toString()).get(0);
  }

  private static boolean detachedSignatureVerifies(String certificateOf, String blob) throws Invalid {
    Path assets = Fixtures.path("sigstore-python");
    X509Certificate cert = certificate(assets.resolve(certificateOf + ".crt"));
    byte[] signature = Json.base64(TestPolicies.read(assets.resolve(blob + ".sig")), "signature");
    return Signatures.verify(cert.getPublicKey(), TestPolicies.bytes(assets.resolve(blob)), signature);
  }

  @Test
  void sigstorePythonDetachedSignatures() throws Invalid {
    for (String blob : List.of("a.txt", "b.txt", "c.txt", "offline-rekor.txt")) {
      assertTrue(detachedSignatureVerifies(blob, blob), blob);
    }
    assertFalse(detachedSignatureVerifies("bad.txt", "bad.txt"), "bad.txt was modified after signing");
    assertFalse(detachedSignatureVerifies("a.txt", "b.txt"), "a's certificate, b's signature");
  }

  @Test
  void certificateIdentities() throws Invalid {
    Path assets = Fixtures.path("sigstore-python");
    CertificateIdentity william = CertificateIdentity.of(certificate(assets.resolve("a.txt.crt")));
    assertEquals("william@yossarian.net", william.subject());
    assertEquals("https://github.com/login/oauth", william.issuer());
    assertEquals("https://github.com/sigstore/sigstore-python/.github/workflows/ci.yml@refs/pull/288/merge",
        CertificateIdentity.of(certificate(assets.resolve("c.txt.crt"))).subject());
    // issuer only in the pre-2023 extension 1.3.6.1.4.1.57264.1.1
    CertificateIdentity mitr = CertificateIdentity.of(certificate(Fixtures.path("containers-image", "fulcio-cert")));
    assertEquals("mitr@redhat.com (issuer https://github.com/login/oauth)", mitr.toString());
    // a BYO-PKI certificate with two names is not a Fulcio identity
    Invalid twoNames = assertThrows(Invalid.class,
        () -> CertificateIdentity.of(certificate(Fixtures.path("containers-image", "pki-cert"))));
    assertTrue(twoNames.getMessage().contains("has 2 subject alternative names"), twoNames.getMessage());
  }

  @Test
  void base64IsLenientAboutLayoutOnly() throws Invalid {
    byte[] bytes = "promgate verifies signatures".getBytes(StandardCharsets.UTF_8);
    String standard = Base64.getEncoder().encodeToString(bytes);
    assertArrayEquals(bytes, Json.base64(standard, "x"));
    assertArrayEquals(bytes, Json.base64(standard.substring(0, 10) + "\r\n" + standard.substring(10), "x"));
    assertArrayEquals(bytes, Json.base64(standard.replace("=", ""), "x"));
    assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, Json.base64("-_8", "x"));
    Invalid bang = assertThrows(Invalid.class, () -> Json.base64("MEUC!IQ==", "the signature"));
    assertEquals("the signature is not valid base64", bang.getMessage());
  }

  @Test
  void jsonRefusesDuplicateKeysAndTrailingData() {
    assertTrue(assertThrows(Invalid.class, () -> Json.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8), "x"))
        .getMessage().contains("Duplicate Object property \"a\""));
    assertTrue(assertThrows(Invalid.class, () -> Json.parse("{} {}".getBytes(StandardCharsets.UTF_8), "x"))
        .getMessage().contains("is not valid JSON"));
  }

  @Test
  void preAuthenticationEncodingCountsBytes() {
    DsseEnvelope envelope = new DsseEnvelope("application/vnd.in-toto+json",
        "{\"ä\":1}".getBytes(StandardCharsets.UTF_8), List.of());
    // 7 characters, 8 bytes
    assertEquals("DSSEv1 28 application/vnd.in-toto+json 8 {\"ä\":1}",
        new String(envelope.pae(), StandardCharsets.UTF_8));
  }

  @Test
  void exceptionMessagesBecomeOneLine() {
    var e = new RuntimeException("outer: Provided artifact digest does not match\nprovided(hex) : ab\nverification(hex) : cd",
        new IllegalStateException("inner"));
    assertEquals("outer: Provided artifact digest does not match provided(hex) : ab verification(hex) : cd: inner",
        FailureBoundary.describe(e));
  }
}
