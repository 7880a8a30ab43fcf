package dev.promgate.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificatesTest {

  @TempDir Path dir;

  @Test
  void writesACaAndAServingCertificateSignedByIt() throws Exception {
    DevCertificates.Generated generated = DevCertificates.generate(dir,
        DevCertificates.DEFAULT_DNS_NAMES, DevCertificates.DEFAULT_IP_ADDRESSES, DevCertificates.DEFAULT_VALIDITY);

    X509Certificate ca = certificate(dir.resolve("ca.crt"));
    X509Certificate serving = certificate(dir.resolve("tls.crt"));

    // The CA: self-signed, a CA that may sign end-entity certificates, P-256.
    ca.verify(ca.getPublicKey());
    assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
    assertEquals(0, ca.getBasicConstraints(), "CA with path length 0");
    assertTrue(ca.getKeyUsage()[5], "keyCertSign");
    assertTrue(ca.getCriticalExtensionOIDs().contains("2.5.29.19"), "basicConstraints is critical");
    assertP256(ca);
    assertTrue(ca.getSubjectX500Principal().getName().matches("CN=promgate development CA \\d{4}-\\d{2}-\\d{2} [0-9a-f]{8}"),
        ca.getSubjectX500Principal().getName());

    // The serving certificate: signed by the CA, not a CA, serverAuth, the names in the SAN.
    serving.verify(ca.getPublicKey());
    assertEquals(ca.getSubjectX500Principal(), serving.getIssuerX500Principal());
    assertEquals(-1, serving.getBasicConstraints(), "not a CA");
    assertTrue(serving.getKeyUsage()[0], "digitalSignature");
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), serving.getExtendedKeyUsage());
    assertEquals(DevCertificates.DEFAULT_DNS_NAMES, generated.serving().dnsNames());
    assertEquals(List.of("127.0.0.1"), generated.serving().ipAddresses());
    assertTrue(generated.serving().dnsNames().contains("promgate.promgate-system.svc"),
        "the name the API server calls the webhook by");
    assertP256(serving);

    // One year, backdated a little for clocks that lag.
    assertEquals(Duration.ofDays(365).plusMinutes(5),
        Duration.between(serving.getNotBefore().toInstant(), serving.getNotAfter().toInstant()));
    assertEquals(serving.getNotAfter(), ca.getNotAfter());

    // What was written is what was returned.
    assertEquals(Files.readString(dir.resolve("ca.crt")), generated.caCertificatePem());
    assertArrayEquals(Files.readAllBytes(dir.resolve("tls.crt")), generated.serving().certificatePem());
    assertArrayEquals(Files.readAllBytes(dir.resolve("tls.key")), generated.serving().keyPem());
    assertEquals(generated.caCertificatePem(),
        new String(Base64.getDecoder().decode(generated.caBundle()), StandardCharsets.US_ASCII));
    assertTrue(Files.readString(dir.resolve("tls.key")).startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
  }

  @Test
  void writesExactlyThreeFilesAndNoCaKey() throws IOException {
    DevCertificates.generate(dir, List.of("localhost"), List.of(), null);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("ca.crt", "tls.crt", "tls.key"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    for (String file : List.of("ca.crt", "tls.crt")) {
      assertFalse(Files.readString(dir.resolve(file)).contains("PRIVATE KEY"), file);
    }
  }

  @Test
  void keyIsOwnerOnlyCertificatesAreReadable() throws IOException {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
        "file system without POSIX permissions");
    DevCertificates.generate(dir, List.of("localhost"), List.of(), null);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key"))));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.crt"))));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.crt"))));
  }

  @Test
  void refusesToOverwriteUnlessForced() throws IOException {
    DevCertificates.Generated first = DevCertificates.generate(dir, List.of("localhost"), List.of(), null);
    CertificateFilesException e = assertThrows(CertificateFilesException.class,
        () -> DevCertificates.generate(dir, List.of("localhost"), List.of(), null));
    assertEquals("ca.crt, tls.crt, tls.key exist in " + dir
        + "; not replacing them (force replacement, or choose another folder)", e.getMessage());
    assertArrayEquals(first.serving().certificatePem(), Files.readAllBytes(dir.resolve("tls.crt")), "untouched");

    DevCertificates.Generated second = DevCertificates.generate(dir, List.of("localhost"), List.of(), null, true);
    assertNotEquals(first.serving().fingerprint(), second.serving().fingerprint());
    assertArrayEquals(second.serving().certificatePem(), Files.readAllBytes(dir.resolve("tls.crt")));
  }

  @Test
  void refusesWhenAnyOneFileExists() throws IOException {
    Files.writeString(dir.resolve("tls.key"), "mine");
    CertificateFilesException e = assertThrows(CertificateFilesException.class,
        () -> DevCertificates.generate(dir, List.of("localhost"), List.of(), null));
    assertTrue(e.getMessage().startsWith("tls.key exists in "), e.getMessage());
    assertEquals("mine", Files.readString(dir.resolve("tls.key")));
    assertFalse(Files.exists(dir.resolve("ca.crt")));
  }

  @Test
  void createsTheFolder() {
    Path nested = dir.resolve("a/b/certs");
    DevCertificates.generate(nested, List.of(), List.of("::1"), Duration.ofDays(1));
    assertTrue(Files.isRegularFile(nested.resolve("tls.key")));
  }

  @Test
  void customNamesAndValidity() throws Exception {
    DevCertificates.Generated generated = DevCertificates.generate(dir,
        List.of("webhook.example", "*.webhook.example", "webhook.example"), List.of("10.0.0.1", "::1"),
        Duration.ofDays(30));
    assertEquals(List.of("webhook.example", "*.webhook.example"), generated.serving().dnsNames(), "deduplicated");
    assertEquals(List.of("10.0.0.1", "0:0:0:0:0:0:0:1"), generated.serving().ipAddresses());
    assertEquals(Duration.ofDays(30).plusMinutes(5),
        Duration.between(generated.serving().notBefore(), generated.serving().notAfter()));
    assertEquals("CN=webhook.example", generated.serving().subject());
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsWritten() throws IOException {
    assertRefused(List.of("bad name"), List.of(), null, "\"bad name\" is not a DNS name");
    assertRefused(List.of("-x.example"), List.of(), null, "\"-x.example\" is not a DNS name");
    assertRefused(List.of("a".repeat(64) + ".example"), List.of(), null, "is not a DNS name");
    assertRefused(List.of("localhost"), List.of("256.1.1.1"), null, "\"256.1.1.1\" is not an IPv4 or IPv6 address");
    assertRefused(List.of("localhost"), List.of("localhost"), null, "\"localhost\" is not an IPv4 or IPv6 address");
    assertRefused(List.of(), List.of(), null, "at least one DNS name or IP address");
    assertRefused(List.of("localhost"), List.of(), Duration.ZERO, "validity must be positive");
    assertRefused(List.of("localhost"), List.of(), Duration.ofDays(-1), "validity must be positive");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  private void assertRefused(List<String> dns, List<String> ips, Duration validity, String why) {
    CertificateFilesException e = assertThrows(CertificateFilesException.class,
        () -> DevCertificates.generate(dir, dns, ips, validity));
    assertTrue(e.getMessage().contains(why), "expected <" + why + "> in: " + e.getMessage());
  }

  /** The files work with OpenSSL, the tool users inspect and debug certificates with. */
  @Test
  void openSslAgrees() throws Exception {
    Assumptions.assumeTrue(onPath("openssl"),
        "openssl is not installed");
    DevCertificates.generate(dir, DevCertificates.DEFAULT_DNS_NAMES, DevCertificates.DEFAULT_IP_ADDRESSES, null);
    String verify = run("openssl", "verify", "-purpose", "sslserver", "-CAfile", "ca.crt", "tls.crt");
    assertTrue(verify.contains("tls.crt: OK"), verify);
    String text = run("openssl", "x509", "-in", "tls.crt", "-noout", "-text");
    assertTrue(text.contains("DNS:promgate.promgate-system.svc.cluster.local"), text);
    assertTrue(text.contains("IP Address:127.0.0.1"), text);
    assertTrue(text.contains("TLS Web Server Authentication"), text);
    assertTrue(text.contains("prime256v1"), text);
    String key = run("openssl", "pkey", "-in", "tls.key", "-pubout");
    String certificateKey = run("openssl", "x509", "-in", "tls.crt", "-noout", "-pubkey");
    assertEquals(certificateKey, key, "tls.key is the private half of tls.crt");
  }

  private String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
    assertEquals(0, process.exitValue(), output);
    return output;
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(java.io.File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, program)));
  }

  private static X509Certificate certificate(Path file) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
  }

  private static void assertP256(X509Certificate certificate) {
    assertTrue(certificate.getPublicKey() instanceof ECPublicKey);
    Object curve = SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded())
        .getAlgorithm().getParameters();
    assertEquals(new ASN1ObjectIdentifier("1.2.840.10045.3.1.7"), curve, "P-256");
  }
}
