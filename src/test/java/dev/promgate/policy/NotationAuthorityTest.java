package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code notation:} authorities: trust stores as files or directories, identities, and every mistake at file:line:column. */
class NotationAuthorityTest {

  @TempDir
  Path dir;

  private PolicyFiles policy(String authority) {
    return new PolicyFiles(dir).write("gate.yaml", PolicyFiles.GATE).write("shop.yaml", PolicyFiles.API + """
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: ["registry.acme.example/shop/**"]
          authorities:
        %s
          environments:
            dev: {signatures: [signers]}
            preprod: {signatures: [signers]}
            prod: {signatures: [signers]}
        """.formatted(authority.indent(4).stripTrailing()));
  }

  private void copy(Path from, String to) throws Exception {
    Files.createDirectories(dir.resolve(to).getParent());
    Files.copy(from, dir.resolve(to));
  }

  @Test
  void readsTrustStoresFromFilesAndDirectories() throws Exception {
    copy(Fixtures.path("notation-go", "truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem"), "ca/root.pem");
    copy(Fixtures.path("notation-go", "truststore", "x509", "ca", "valid-trust-store", "TestTimestamp.crt"), "ca/alpine.crt");
    copy(Fixtures.path("notation-go", "truststore", "x509", "tsa", "test-timestamp", "globalsignRoot.cer"), "tsa.cer");
    PolicySet set = policy("""
        - name: signers
          notation:
            trustStore: ca
            timestampAuthorities: tsa.cer
            verifyTimestamp: afterCertExpiry
            trustedIdentities: ["x509.subject: C=US, ST=WA, O=Notary"]
        """).loaded();
    NotationAuthority a = assertInstanceOf(NotationAuthority.class, set.policies().get(0).authorities().get("signers"));
    assertEquals(2, a.ca().size());
    assertEquals(1, a.timestampAuthorities().size());
    assertEquals(List.of(), a.signingAuthority());
    assertEquals(NotationAuthority.VerifyTimestamp.AFTER_CERT_EXPIRY, a.verifyTimestamp());
    assertEquals(List.of(Map.of("C", "US", "ST", "WA", "O", "Notary")), a.trustedIdentities());
    assertTrue(a.trusts(Map.of("C", "US", "ST", "WA", "O", "Notary", "CN", "alpine")));
    assertTrue(!a.trusts(Map.of("C", "US", "ST", "WA", "O", "Other")));

    String before = a.fingerprint();
    Files.delete(dir.resolve("ca/alpine.crt"));
    NotationAuthority changed = (NotationAuthority) policy("""
        - name: signers
          notation:
            trustStore: ca
            timestampAuthorities: tsa.cer
            verifyTimestamp: afterCertExpiry
            trustedIdentities: ["x509.subject: C=US, ST=WA, O=Notary"]
        """).loaded().policies().get(0).authorities().get("signers");
    assertNotEquals(before, changed.fingerprint(), "a changed trust store changes the fingerprint");
  }

  @Test
  void wildcardTrustsAnyIdentity() throws Exception {
    copy(Fixtures.path("notation", "config", "localkeys", "e2e.crt"), "e2e.crt");
    NotationAuthority a = (NotationAuthority) policy("""
        - name: signers
          notation: {trustStore: e2e.crt, trustedIdentities: ["*"]}
        """).loaded().policies().get(0).authorities().get("signers");
    assertEquals(List.of(), a.trustedIdentities());
    assertTrue(a.trusts(Map.of("CN", "anyone")));
  }

  @Test
  void mistakesArePositioned() throws Exception {
    copy(Fixtures.path("notation", "config", "localkeys", "e2e.crt"), "e2e.crt");
    Files.writeString(dir.resolve("not-a-cert.pem"), "hello");
    Files.createDirectories(dir.resolve("empty"));
    List<String> problems = policy("""
        - name: signers
          notation:
            trustStore: missing.pem
            signingAuthority: not-a-cert.pem
            timestampAuthorities: empty
            verifyTimestamp: sometimes
            trustedIdentities: ["x509.subject: CN=e2e", "CN=e2e,O=Notary,ST=WA,C=US", "*"]
            trustPolicy: strict
        - name: both
          key: {publicKey: x}
          notation: {trustStore: e2e.crt, trustedIdentities: ["*"]}
        """).problems();
    String at = dir + "/";
    assertEquals(List.of(
        "shop.yaml:9:21: trustStore " + at + "missing.pem does not exist",
        "shop.yaml:10:27: signingAuthority " + at + "not-a-cert.pem holds no readable X.509 certificates (PEM or DER)",
        "shop.yaml:11:31: timestampAuthorities " + at + "empty is an empty directory; a trust store needs certificates",
        "shop.yaml:12:26: verifyTimestamp must be always or afterCertExpiry, not \"sometimes\"",
        "shop.yaml:13:28: \"*\" trusts every identity; list it alone or leave it out",
        "shop.yaml:13:29: the trusted identity \"x509.subject: CN=e2e\" lacks C; Notation requires at least C, ST and O,"
            + " so that a name cannot match certificates of other organizations",
        "shop.yaml:13:53: a trusted identity is \"x509.subject: <distinguished name>\" (or \"*\" alone),"
            + " found \"CN=e2e,O=Notary,ST=WA,C=US\"",
        "shop.yaml:14:9: unknown key \"trustPolicy\" in notation (allowed: trustStore, signingAuthority,"
            + " timestampAuthorities, verifyTimestamp, trustedIdentities)",
        "shop.yaml:17:7: an authority is exactly one of key, keyless, certificateChain, notation, not key and notation; split it in two"),
        problems.stream().sorted(java.util.Comparator.comparing((String p) -> Integer.parseInt(p.split(":")[1]))
            .thenComparing(p -> Integer.parseInt(p.split(":")[2]))).toList());
  }

  @Test
  void aNotationAuthorityCannotSignPromotionsOrAttestations() throws Exception {
    copy(Fixtures.path("notation", "config", "localkeys", "e2e.crt"), "e2e.crt");
    List<String> problems = new PolicyFiles(dir).write("gate.yaml", PolicyFiles.GATE).write("shop.yaml", PolicyFiles.API + """
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: ["registry.acme.example/shop/**"]
          authorities:
            - name: signers
              notation: {trustStore: e2e.crt, trustedIdentities: ["*"]}
          environments:
            dev: {signatures: [signers]}
            preprod: {signatures: [signers]}
            prod:
              signatures: [signers]
              promotions: [{environment: prod, signedBy: [signers]}]
        """).problems();
    assertEquals(List.of("shop.yaml:14:51: authority \"signers\" is a Notation authority: Notation signs images,"
        + " not in-toto attestations, so it can be listed under signatures only"), problems);
  }
}
