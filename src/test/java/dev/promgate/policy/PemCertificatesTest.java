package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.tls.DevCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files read as certificates hold certificates and nothing else: never a private key. */
class PemCertificatesTest {

  @TempDir
  Path dir;
  String ca;
  String serving;
  String key;

  @BeforeEach
  void certificates() throws Exception {
    DevCertificates.generate(dir.resolve("certs"), List.of("promgate.example"), List.of(), DevCertificates.DEFAULT_VALIDITY);
    ca = Files.readString(dir.resolve("certs/ca.crt"));
    serving = Files.readString(dir.resolve("certs/tls.crt"));
    key = Files.readString(dir.resolve("certs/tls.key"));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void certificatesAreReadInFileOrderWithCommentsBetween() throws Exception {
    var read = PemCertificates.read("bundle.pem", bytes("# the CA\n" + ca + "\nsubject=serving\n" + serving));
    assertEquals(2, read.size());
    assertTrue(read.get(0).getSubjectX500Principal().getName().contains("promgate"), read.get(0).toString());
  }

  @Test
  void aPrivateKeyIsRefusedWithItsLineEvenNextToACertificate() {
    var alone = assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("tls.key", bytes(key)));
    assertTrue(alone.getMessage().startsWith("tls.key:1 holds a private key (-----BEGIN PRIVATE KEY-----)"),
        alone.getMessage());
    int keyLine = (int) ca.lines().count() + 1;
    var mixed = assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("ca.crt", bytes(ca + key)));
    assertTrue(mixed.getMessage().startsWith("ca.crt:" + keyLine + " holds a private key"), mixed.getMessage());
    for (String type : List.of("EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY")) {
      String block = "-----BEGIN " + type + "-----\nAAAA\n-----END " + type + "-----\n";
      var e = assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("x.pem", bytes(block)));
      assertTrue(e.getMessage().contains("holds a private key (-----BEGIN " + type + "-----)"), e.getMessage());
    }
  }

  @Test
  void otherBlocksEmptyFilesDerAndDamageAreRefused() {
    String publicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    assertTrue(assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("k.pub", bytes(publicKey)))
        .getMessage().contains("holds a PUBLIC KEY block; only CERTIFICATE blocks are accepted"));
    assertTrue(assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("e.pem", new byte[0]))
        .getMessage().contains("e.pem is empty"));
    byte[] der = Base64.getMimeDecoder().decode(ca.replaceAll("-----[A-Z ]+-----", ""));
    assertTrue(assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("ca.der", der))
        .getMessage().contains("looks like binary DER"));
    String truncated = ca.substring(0, ca.indexOf("-----END"));
    assertTrue(assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("t.pem", bytes(truncated)))
        .getMessage().contains("without its -----END CERTIFICATE----- line"));
    String garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assertTrue(assertThrows(PemCertificates.Invalid.class, () -> PemCertificates.read("g.pem", bytes(garbage)))
        .getMessage().contains("g.pem:1 is not a valid X.509 certificate"));
  }

  @Test
  void aRegistryCaFileHoldingAKeyIsAPolicyProblem() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), ca + key);
    PolicyFiles files = PolicyFiles.standard(dir).write("gate.yaml", PolicyFiles.GATE + """
          registries:
            - host: registry.acme.example
              caFile: ca.pem
        """);
    List<String> problems = files.problems();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("ca.pem:" + ((int) ca.lines().count() + 1) + " holds a private key"),
        problems.toString());
  }

  @Test
  void aServingCertificateFileHoldingTheKeyTooIsRefused() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("combined"));
    Files.writeString(certs.resolve("tls.crt"), serving + key);
    Files.writeString(certs.resolve("tls.key"), key);
    var e = assertThrows(dev.promgate.tls.CertificateFilesException.class,
        () -> dev.promgate.tls.ServingCertificate.load(certs));
    assertTrue(e.getMessage().contains("tls.crt holds a private key next to its certificates"), e.getMessage());
  }
}
