package dev.promgate.tls;

import static dev.promgate.tls.TestPki.ascii;
import static dev.promgate.tls.TestPki.certificatePem;
import static dev.promgate.tls.TestPki.concat;
import static dev.promgate.tls.TestPki.keyPair;
import static dev.promgate.tls.TestPki.leaf;
import static dev.promgate.tls.TestPki.pkcs8;
import static dev.promgate.tls.TestPki.traditional;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingCertificateTest {

  @TempDir Path dir;
  private CertificateIssuer.Issued ca;
  private KeyPair ec;
  private X509Certificate ecLeaf;

  @BeforeEach
  void pki() {
    ca = TestPki.ca();
    ec = keyPair("EC", 0);
    ecLeaf = leaf(ca, ec.getPublic());
  }

  // ------------------------------------------------------------------ what loads

  @Test
  void loadsAGeneratedPair() {
    DevCertificates.Generated generated =
        DevCertificates.generate(dir, DevCertificates.DEFAULT_DNS_NAMES, DevCertificates.DEFAULT_IP_ADDRESSES, null);
    ServingCertificate loaded = ServingCertificate.load(dir);
    assertEquals(generated.serving().fingerprint(), loaded.fingerprint());
    assertEquals(DevCertificates.DEFAULT_DNS_NAMES, loaded.dnsNames());
    assertEquals(List.of("127.0.0.1"), loaded.ipAddresses());
    assertEquals(generated.serving().notAfter(), loaded.notAfter());
    assertEquals(dir, loaded.directory());
    assertTrue(loaded.fingerprint().matches("sha256:[0-9a-f]{64}"), loaded.fingerprint());
    assertFalse(loaded.toString().contains("PRIVATE"), "toString never shows the key");
    assertTrue(loaded.toString().contains(loaded.fingerprint()));
  }

  @Test
  void ecKeyInSec1FormAndWithTheParametersBlockOpenSslWrites() {
    byte[] sec1 = traditional(ec.getPrivate());
    assertTrue(new String(sec1, StandardCharsets.US_ASCII).startsWith("-----BEGIN EC PRIVATE KEY-----"));
    // `openssl ecparam -genkey -name prime256v1` writes the curve's OID in a block of its own first.
    byte[] withParameters = concat(ascii("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"), sec1);
    for (byte[] key : List.of(sec1, withParameters)) {
      TestPki.write(dir, certificatePem(ecLeaf), key);
      ServingCertificate loaded = ServingCertificate.load(dir);
      assertTrue(new String(loaded.keyPem(), StandardCharsets.US_ASCII).startsWith("-----BEGIN PRIVATE KEY-----\n"),
          "normalised to PKCS#8");
      assertEquals(((ECPrivateKey) ec.getPrivate()).getS(),
          ((ECPrivateKey) Pem.privateKey(dir, loaded.keyPem())).getS(), "the same key");
      assertInstanceOf(PemKeyCertOptions.class, loaded.keyCertOptions());
    }
  }

  @Test
  void rsaKeyInPkcs1AndPkcs8Form() {
    KeyPair rsa = keyPair("RSA", 2048);
    X509Certificate rsaLeaf = leaf(ca, rsa.getPublic());
    byte[] pkcs1 = traditional(rsa.getPrivate());
    assertTrue(new String(pkcs1, StandardCharsets.US_ASCII).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    for (byte[] key : List.of(pkcs1, pkcs8(rsa.getPrivate()))) {
      TestPki.write(dir, certificatePem(rsaLeaf), key);
      ServingCertificate loaded = ServingCertificate.load(dir);
      assertArrayEquals(pkcs8(rsa.getPrivate()), loaded.keyPem());
      assertTrue(loaded.certificate().getKeyUsage()[2], "keyEncipherment for RSA");
    }
  }

  @Test
  void ed25519KeyGetsAKeyStoreBecauseVertxPemCannotReadIt() {
    KeyPair ed = keyPair("Ed25519", 0);
    TestPki.write(dir, certificatePem(leaf(ca, ed.getPublic())), pkcs8(ed.getPrivate()));
    ServingCertificate loaded = ServingCertificate.load(dir);
    assertInstanceOf(KeyStoreOptions.class, loaded.keyCertOptions());
    assertEquals(ServingCertificate.TLS_PROTOCOLS, loaded.serverSslOptions().getEnabledSecureTransportProtocols());
  }

  @Test
  void chainWithIntermediatesKeepsTheLeafFirst() {
    TestPki.write(dir, certificatePem(ecLeaf, ca.certificate()), pkcs8(ec.getPrivate()));
    ServingCertificate loaded = ServingCertificate.load(dir);
    assertEquals(ecLeaf, loaded.certificate());
    assertArrayEquals(certificatePem(ecLeaf, ca.certificate()), loaded.certificatePem());
  }

  @Test
  void fingerprintFollowsEitherFile() throws IOException {
    TestPki.write(dir, certificatePem(ecLeaf), pkcs8(ec.getPrivate()));
    String pkcs8Print = ServingCertificate.load(dir).fingerprint();
    TestPki.write(dir, certificatePem(ecLeaf), traditional(ec.getPrivate()));
    assertNotEquals(pkcs8Print, ServingCertificate.load(dir).fingerprint(), "same key, other bytes");
    TestPki.write(dir, certificatePem(ecLeaf), pkcs8(ec.getPrivate()));
    assertEquals(pkcs8Print, ServingCertificate.load(dir).fingerprint());
  }

  /** Files as OpenSSL makes them, the way many users will. */
  @Test
  void loadsPairsMadeByOpenSsl() throws Exception {
    Assumptions.assumeTrue(onPath("openssl"), "openssl is not installed");
    String[][] keyCommands = {
        {"openssl", "ecparam", "-genkey", "-name", "prime256v1", "-out", "tls.key"},      // EC PARAMETERS + EC PRIVATE KEY
        {"openssl", "genrsa", "-traditional", "-out", "tls.key", "2048"},                 // RSA PRIVATE KEY
        {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "tls.key"},
        {"openssl", "genpkey", "-algorithm", "ED25519", "-out", "tls.key"}};
    String[] expected = {"-----BEGIN EC PARAMETERS-----", "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----"};
    for (int i = 0; i < keyCommands.length; i++) {
      openssl(keyCommands[i]);
      assertTrue(Files.readString(dir.resolve("tls.key")).startsWith(expected[i]), expected[i]);
      openssl("openssl", "req", "-new", "-x509", "-key", "tls.key", "-subj", "/CN=localhost",
          "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2", "-out", "tls.crt");
      ServingCertificate loaded = ServingCertificate.load(dir);
      assertEquals(List.of("localhost"), loaded.dnsNames());
      assertEquals(List.of("127.0.0.1"), loaded.ipAddresses());
    }
    // A key OpenSSL made for something else.
    openssl("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "tls.key");
    assertFails(dir, "does not match");
  }

  private void openssl(String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
    assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
  }

  static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null && Stream.of(path.split(java.io.File.pathSeparator))
        .anyMatch(p -> Files.isExecutable(Path.of(p, program)));
  }

  // ------------------------------------------------------------------ every failure

  @Test
  void missingFolderAndFiles() throws IOException {
    Path absent = dir.resolve("absent");
    assertFails(absent, "certificate folder " + absent + " does not exist");
    assertFails(dir, dir + " has neither tls.crt nor tls.key");
    Files.write(dir.resolve("tls.crt"), certificatePem(ecLeaf));
    assertFails(dir, dir.resolve("tls.key") + " is missing (" + dir.resolve("tls.crt") + " is there; both are needed)");
    Files.delete(dir.resolve("tls.crt"));
    Files.write(dir.resolve("tls.key"), pkcs8(ec.getPrivate()));
    assertFails(dir, dir.resolve("tls.crt") + " is missing (" + dir.resolve("tls.key") + " is there; both are needed)");
    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertFails(file, "certificate folder " + file + " is not a folder");
  }

  @Test
  void notPem() throws Exception {
    byte[] key = pkcs8(ec.getPrivate());
    assertFailsWith(ascii(""), key, dir.resolve("tls.crt") + " is empty");
    assertFailsWith(ascii("hello, world\n"), key,
        dir.resolve("tls.crt") + " is not PEM: it has no -----BEGIN CERTIFICATE----- line");
    assertFailsWith(ecLeaf.getEncoded(), key, "(it looks like binary DER; convert it with openssl x509/pkey -outform pem)");
    assertFailsWith(certificatePem(ecLeaf), ec.getPrivate().getEncoded(),
        dir.resolve("tls.key") + " is not PEM: it has no -----BEGIN PRIVATE KEY----- line");
    byte[] pem = certificatePem(ecLeaf);
    assertFailsWith(Arrays.copyOf(pem, pem.length / 2), key, dir.resolve("tls.crt") + " is not valid PEM: ");
    assertFailsWith(ascii("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n"), key,
        dir.resolve("tls.crt") + " is not valid PEM: ");
    assertFailsWith(ascii("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), key,
        dir.resolve("tls.crt") + " is not valid PEM: ");
    assertFailsWith(ascii("-----BEGIN SOMETHING ELSE-----\nAAAA\n-----END SOMETHING ELSE-----\n"), key,
        dir.resolve("tls.crt") + " is not valid PEM: ");
  }

  @Test
  void swappedOrWrongKindOfBlock() {
    assertFailsWith(pkcs8(ec.getPrivate()), certificatePem(ecLeaf),
        dir.resolve("tls.crt") + " holds no certificate but a private key (are tls.crt and tls.key swapped?)");
    assertFailsWith(certificatePem(ecLeaf), certificatePem(ecLeaf),
        dir.resolve("tls.key") + " holds no private key but a certificate (are tls.crt and tls.key swapped?)");
    assertFailsWith(certificatePem(ecLeaf), Pem.encode("PUBLIC KEY", ec.getPublic().getEncoded()),
        dir.resolve("tls.key") + " holds no private key but a public key");
    assertFailsWith(certificatePem(ecLeaf), concat(pkcs8(ec.getPrivate()), pkcs8(keyPair("EC", 0).getPrivate())),
        dir.resolve("tls.key") + " holds 2 private keys; it must hold exactly one");
  }

  @Test
  void encryptedKey() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JcaPEMWriter writer = new JcaPEMWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII))) {
      writer.writeObject(new JcaPKCS8Generator(ec.getPrivate(),
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
              .setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build()));
    }
    assertTrue(out.toString(StandardCharsets.US_ASCII).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assertFailsWith(certificatePem(ecLeaf), out.toByteArray(),
        dir.resolve("tls.key") + " holds an encrypted private key; promgate needs it unencrypted");
  }

  @Test
  void keyNotMatchingTheCertificate() {
    assertFailsWith(certificatePem(ecLeaf), pkcs8(keyPair("EC", 0).getPrivate()),
        dir.resolve("tls.key") + " does not match " + dir.resolve("tls.crt")
            + ": it is not the private key of the certificate (CN=localhost, serial ");
    assertFailsWith(certificatePem(ecLeaf), pkcs8(keyPair("RSA", 2048).getPrivate()),
        dir.resolve("tls.key") + " does not match " + dir.resolve("tls.crt")
            + ": the key is an RSA key, the certificate (CN=localhost) holds an EC public key");
    // The CA's certificate in tls.crt, a classic mix-up, fails before the key is compared.
    assertFailsWith(certificatePem(ca.certificate()), pkcs8(ec.getPrivate()), "has no subject alternative names");
  }

  @Test
  void outsideTheValidityPeriod() {
    X509Certificate expired = leaf(ca, ec.getPublic(), TestPki.YESTERDAY.minus(Duration.ofDays(30)), TestPki.YESTERDAY);
    assertFailsWith(certificatePem(expired), pkcs8(ec.getPrivate()),
        dir.resolve("tls.crt") + ": the certificate (CN=localhost) expired on " + expired.getNotAfter().toInstant());
    X509Certificate future = leaf(ca, ec.getPublic(), TestPki.NEXT_YEAR, TestPki.NEXT_YEAR.plus(Duration.ofDays(1)));
    assertFailsWith(certificatePem(future), pkcs8(ec.getPrivate()),
        dir.resolve("tls.crt") + ": the certificate (CN=localhost) is not valid until "
            + future.getNotBefore().toInstant() + " (is this machine's clock right?)");
    CertificateIssuer.Issued oldCa = CertificateIssuer.selfSignedCa("old CA", CertificateIssuer.newP256KeyPair(),
        TestPki.YESTERDAY.minus(Duration.ofDays(30)), TestPki.YESTERDAY);
    assertFailsWith(certificatePem(ecLeaf, oldCa.certificate()), pkcs8(ec.getPrivate()),
        dir.resolve("tls.crt") + ": certificate 2 of 2 (CN=old CA) expired on ");
  }

  @Test
  void validityIsJudgedAtTheGivenInstant() {
    TestPki.write(dir, certificatePem(ecLeaf), pkcs8(ec.getPrivate()));
    ServingCertificate.load(dir, TestPki.NOW);
    CertificateFilesException e = assertThrows(CertificateFilesException.class,
        () -> ServingCertificate.load(dir, TestPki.NEXT_YEAR.plusSeconds(1)));
    assertTrue(e.getMessage().contains("expired on"), e.getMessage());
  }

  @Test
  void certificateNotFitForATlsServer() {
    assertFailsWith(certificatePem(TestPki.bare(ca, ec.getPublic(), false, null)), pkcs8(ec.getPrivate()),
        dir.resolve("tls.crt") + ": the certificate (CN=localhost) has no subject alternative names;"
            + " TLS clients, the Kubernetes API server among them, ignore the common name");
    assertFailsWith(certificatePem(TestPki.bare(ca, ec.getPublic(), true, KeyPurposeId.id_kp_clientAuth)),
        pkcs8(ec.getPrivate()),
        dir.resolve("tls.crt") + ": the certificate (CN=localhost) is not for TLS servers: its extended key usage lacks serverAuth");
    // No extended key usage at all means any usage.
    TestPki.write(dir, certificatePem(TestPki.bare(ca, ec.getPublic(), true, null)), pkcs8(ec.getPrivate()));
    ServingCertificate.load(dir);
    // A self-signed CA certificate for the right key is still no serving certificate.
    CertificateIssuer.Issued selfSigned = CertificateIssuer.selfSignedCa("localhost",
        new KeyPair(ec.getPublic(), ec.getPrivate()), TestPki.YESTERDAY, TestPki.NEXT_YEAR);
    assertFailsWith(certificatePem(selfSigned.certificate()), pkcs8(ec.getPrivate()), "has no subject alternative names");
  }

  @Test
  void keyTypesKubernetesCannotUse() {
    KeyPair weak = keyPair("RSA", 1024);
    assertFailsWith(certificatePem(leaf(ca, weak.getPublic())), pkcs8(weak.getPrivate()),
        dir.resolve("tls.crt") + ": the RSA key has 1024 bits; use 2048 or more");
    KeyPair ed448 = keyPair("Ed448", 0);
    assertFailsWith(certificatePem(leaf(ca, ed448.getPublic())), pkcs8(ed448.getPrivate()),
        dir.resolve("tls.crt") + ": Ed448 keys are not accepted by Kubernetes' TLS client");
    KeyPair dsa = keyPair("DSA", 0);
    assertFailsWith(certificatePem(ecLeaf), pkcs8(dsa.getPrivate()),
        dir.resolve("tls.key") + " holds a private key of type 1.2.840.10040.4.1; supported are RSA, EC");
  }

  @Test
  void oversizedOrOddFiles() throws IOException {
    byte[] big = new byte[(1 << 20) + 1];
    Arrays.fill(big, (byte) 'A');
    assertFailsWith(big, pkcs8(ec.getPrivate()),
        dir.resolve("tls.crt") + " is larger than 1 MiB; it is not a certificate or key file");
    Files.delete(dir.resolve("tls.crt"));
    Files.createDirectory(dir.resolve("tls.crt"));
    assertFails(dir, dir.resolve("tls.crt") + " is not a regular file");
  }

  // ------------------------------------------------------------------ ensure

  @Test
  void ensureGeneratesIntoAnEmptyFolderOnceThenLoads() throws IOException {
    Path certs = dir.resolve("certs");
    ServingCertificate.Ensured first = ServingCertificate.ensure(certs);
    assertTrue(first.generated());
    assertTrue(Files.exists(certs.resolve("ca.crt")));
    assertEquals(DevCertificates.DEFAULT_DNS_NAMES, first.certificate().dnsNames());

    ServingCertificate.Ensured second = ServingCertificate.ensure(certs);
    assertFalse(second.generated());
    assertEquals(first.certificate().fingerprint(), second.certificate().fingerprint());
  }

  @Test
  void ensureLoadsWhatIsThereAndReportsItsProblems() {
    TestPki.write(dir, certificatePem(ecLeaf), pkcs8(keyPair("EC", 0).getPrivate()));
    CertificateFilesException e = assertThrows(CertificateFilesException.class, () -> ServingCertificate.ensure(dir));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
  }

  @Test
  void ensureDoesNotGenerateOverHalfAPair() throws IOException {
    Files.write(dir.resolve("tls.crt"), certificatePem(ecLeaf));
    CertificateFilesException e = assertThrows(CertificateFilesException.class, () -> ServingCertificate.ensure(dir));
    assertEquals(dir.resolve("tls.key") + " is missing but " + dir.resolve("tls.crt") + " is there; supply both,"
        + " or remove it to have a development certificate generated (promgate does not generate over half a pair)",
        e.getMessage());
    assertEquals(List.of("tls.crt"), fileNames());

    Files.delete(dir.resolve("tls.crt"));
    Files.write(dir.resolve("tls.key"), pkcs8(ec.getPrivate()));
    e = assertThrows(CertificateFilesException.class, () -> ServingCertificate.ensure(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("tls.crt") + " is missing but " + dir.resolve("tls.key")), e.getMessage());
    assertEquals(List.of("tls.key"), fileNames());
  }

  @Test
  void ensureDoesNotGenerateBesideALeftoverCa() throws IOException {
    Files.write(dir.resolve("ca.crt"), certificatePem(ca.certificate()));
    CertificateFilesException e = assertThrows(CertificateFilesException.class, () -> ServingCertificate.ensure(dir));
    assertTrue(e.getMessage().contains("has ca.crt but neither tls.crt nor tls.key; a development CA's key is not kept"),
        e.getMessage());
    assertEquals(List.of("ca.crt"), fileNames());
  }

  private List<String> fileNames() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private void assertFailsWith(byte[] certificatePem, byte[] keyPem, String why) {
    TestPki.write(dir, certificatePem, keyPem);
    assertFails(dir, why);
  }

  private static void assertFails(Path directory, String why) {
    CertificateFilesException e = assertThrows(CertificateFilesException.class, () -> ServingCertificate.load(directory));
    assertTrue(e.getMessage().contains(why), "expected <" + why + "> in: " + e.getMessage());
  }
}
