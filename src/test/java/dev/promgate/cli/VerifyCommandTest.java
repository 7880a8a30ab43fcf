package dev.promgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.cli.CommandLineTest.Run;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.Fixtures;
import dev.promgate.testing.SigstoreJs;
import dev.promgate.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code promgate verify} on material made by other tools (the Notary Project's e2e layouts and
 * envelopes, a cosign Sigstore bundle) and by a cosign-format signer: verified, not verified, and
 * input errors, with the exit codes 0, 1 and 2.
 */
class VerifyCommandTest {

  static final String IMAGE = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
  static final String ENVELOPE = "c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50";
  static final String BUNDLE_IMAGE = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";
  static final ObjectMapper JSON = Mappers.JSON;

  @TempDir
  Path dir;
  Path policies;
  final CosignSigner ci = CosignSigner.generate();

  @BeforeEach
  void policies() throws Exception {
    policies = dir.resolve("policies");
    Files.createDirectories(policies);
    Files.writeString(policies.resolve("ci.pub"), ci.publicKeyPem());
    Files.writeString(policies.resolve("verify.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: verify}
        spec:
          images: ["registry.acme.example/**"]
          authorities:
            - name: e2e
              notation:
                trustStore: %s
                trustedIdentities: ["x509.subject: C=US, ST=WA, O=Notary, CN=e2e"]
            - name: ci
              key: {publicKeyFile: ci.pub}
            - name: cody
              keyless:
                trustedRoot: %s
                identities: [{issuer: "https://github.com/login/oauth", subject: cody@soyland.com}]
          environments:
            prod: {signatures: [e2e, ci, cody]}
        """.formatted(Fixtures.path("notation", "config", "localkeys", "e2e.crt"),
        Fixtures.path("cosign", "trusted_root_pgi.json")));
  }

  private Run verify(String authority, String digest, String... files) {
    String[] args = new String[7 + files.length];
    args[0] = "verify";
    args[1] = "--policies";
    args[2] = policies.toString();
    args[3] = "--authority";
    args[4] = authority;
    args[5] = "--digest";
    args[6] = digest;
    System.arraycopy(files, 0, args, 7, files.length);
    return CommandLineTest.run(args);
  }

  private static String layout(String name) {
    return Fixtures.path("notation", "registry", "oci_layout", name).toString();
  }

  @Test
  void aNotationLayoutVerifiesWithItsSignerAndIdentity() {
    Run r = verify("e2e", IMAGE, layout("e2e-valid-signature"));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("VERIFIED      signature "), r.out());
    assertTrue(r.out().contains("by e2e: x509.subject \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\""), r.out());
  }

  @Test
  void anExpiredNotationSignatureIsNotVerifiedAndSaysWhy() {
    Run r = verify("e2e", IMAGE, layout("e2e-expired-signature"));
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.out().contains("Notation JWS signature: expiry validation failed"), r.out());
  }

  @Test
  void anEnvelopeWithItsManifestVerifiesAndReportsAsJson() throws Exception {
    Path blobs = Path.of(layout("e2e-valid-signature"), "blobs", "sha256");
    Run r = verify("e2e", IMAGE, "--output", "json", blobs.resolve(ENVELOPE).toString(),
        blobs.resolve(IMAGE.substring(7)).toString());
    assertEquals(0, r.exit(), r.toString());
    JsonNode json = JSON.readTree(r.out());
    assertTrue(json.path("verified").asBoolean(), r.out());
    assertEquals("e2e", json.path("authority").asText());
    assertTrue(json.path("results").get(0).path("identity").asText().contains("CN=e2e"), r.out());
  }

  @Test
  void anEnvelopeWithoutItsManifestIsAnInputError() {
    Path blobs = Path.of(layout("e2e-valid-signature"), "blobs", "sha256");
    Run r = verify("e2e", IMAGE, blobs.resolve(ENVELOPE).toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("give the manifest file"), r.err());
  }

  @Test
  void anotherDigestIsNotVerified() {
    Run r = verify("e2e", "sha256:" + "0".repeat(64), layout("e2e-valid-signature"));
    assertEquals(1, r.exit(), "nothing in the layout refers to that digest: " + r);
    assertTrue(r.out().contains("no signature material for this digest"), r.out());
  }

  @Test
  void aCosignBundleVerifiesForItsIdentityWithItsLogEntry() {
    Run r = verify("cody", BUNDLE_IMAGE, Fixtures.path("cosign", "oci-attestation.sigstore.json").toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("cody@soyland.com"), r.out());
    assertTrue(r.out().contains("Rekor entry "), r.out());
    Run wrong = verify("e2e", BUNDLE_IMAGE, Fixtures.path("cosign", "oci-attestation.sigstore.json").toString());
    assertEquals(1, wrong.exit(), wrong.toString());
    assertTrue(wrong.out().contains("not a Notation signature"), wrong.out());
  }

  @Test
  void aCosignPayloadAndSignatureVerifyWithTheKey() throws Exception {
    ImageReference image = ImageReference.parse("registry.acme.example/shop/web@sha256:" + "ab".repeat(32));
    TestImages.Layer layer = ci.signature(image);
    Path payload = dir.resolve("payload.json");
    Path signature = dir.resolve("payload.sig");
    Files.write(payload, layer.content());
    Files.writeString(signature, layer.annotations().get("dev.cosignproject.cosign/signature"));
    Run r = verify("ci", image.digest().toString(), payload.toString(), signature.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("key sha256:"), r.out());

    Files.writeString(signature, Base64.getEncoder().encodeToString(new byte[64]));
    Run bad = verify("ci", image.digest().toString(), payload.toString(), signature.toString());
    assertEquals(1, bad.exit(), bad.toString());
    assertTrue(bad.out().contains("not signed with the key of ci"), bad.out());

    Run half = verify("ci", image.digest().toString(), payload.toString());
    assertEquals(2, half.exit(), half.toString());
    assertTrue(half.err().contains("needs its base64 signature file"), half.err());
  }

  @Test
  void aSignatureMadeWithAnEnterpriseCertificateVerifiesAgainstTheChainAuthority() throws Exception {
    // containers/image's BYO-PKI signature (cosign sign --certificate … --certificate-chain …), taken
    // apart into the three files cosign writes with --output-payload/--output-signature/--output-certificate
    Path fixture = Fixtures.path("containers-image", "dir-img-cosign-pki-valid");
    byte[] raw = Files.readAllBytes(fixture.resolve("signature-1"));
    String text = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    JsonNode signed = JSON.readTree(text.substring(text.indexOf('{')));
    Path payload = dir.resolve("payload.json");
    Path signature = dir.resolve("payload.sig");
    Path certificate = dir.resolve("leaf.pem");
    Files.write(payload, Base64.getDecoder().decode(signed.get("payload").asText()));
    Files.writeString(signature, signed.get("annotations").get("dev.cosignproject.cosign/signature").asText()
        .replace("\n", ""));
    Files.writeString(certificate, signed.get("annotations").get("dev.sigstore.cosign/certificate").asText());
    String digest = "sha256:" + sha256(Files.readAllBytes(fixture.resolve("manifest.json")));
    Files.writeString(policies.resolve("pki.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: pki}
        spec:
          images: ["localhost:5000/**"]
          authorities:
            - name: team-a
              certificateChain:
                roots: %s
                intermediates: %s
                identities: [{subject: qiwan@redhat.com}]
            - name: team-b
              certificateChain:
                roots: %s
                intermediates: %s
                identities: [{subject: someone-else@redhat.com}]
          environments:
            prod: {signatures: [team-a]}
        """.formatted(Fixtures.path("containers-image", "pki_root_crts.pem"),
        Fixtures.path("containers-image", "pki_intermediate_crts.pem"),
        Fixtures.path("containers-image", "pki_root_crts.pem"),
        Fixtures.path("containers-image", "pki_intermediate_crts.pem")));

    Run r = verify("team-a", digest, payload.toString(), signature.toString(), certificate.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("qiwan@redhat.com"), r.out());

    Run other = verify("team-b", digest, payload.toString(), signature.toString(), certificate.toString());
    assertEquals(1, other.exit(), other.toString());
    assertTrue(other.out().contains("NOT VERIFIED"), other.out());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void cosignDownloadSignatureOutputWithAnRfc3161TimestampVerifiesWithoutALog() throws Exception {
    SigstoreJs signer = SigstoreJs.require();
    SigstoreJs.Instance instance = signer.trustRoot(dir.resolve("sigstore"), true);
    String digest = "sha256:" + "cd".repeat(32);
    SigstoreJs.LegacySignature sig = signer.cosignSignLegacy(instance, digest, "registry.acme.example/shop/web",
        "alice@acme.example", "https://accounts.acme.example", false);
    Files.writeString(policies.resolve("verify.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: verify}
        spec:
          images: ["registry.acme.example/**"]
          authorities:
            - name: alice
              keyless:
                trustedRoot: %s
                transparencyLog: ignored
                identities: [{issuer: "https://accounts.acme.example", subject: alice@acme.example}]
          environments:
            prod: {signatures: [alice]}
        """.formatted(instance.trustedRoot()));
    // One line of `cosign download signature`: cosign's SignedPayload, as Go writes it.
    var line = JSON.createObjectNode()
        .put("Base64Signature", sig.annotations().get("dev.cosignproject.cosign/signature"))
        .put("Payload", Base64.getEncoder().encodeToString(sig.payload()))
        .put("Cert", sig.annotations().get("dev.sigstore.cosign/certificate"))
        .put("Chain", sig.annotations().get("dev.sigstore.cosign/chain"));
    line.set("RFC3161Timestamp", JSON.readTree(sig.annotations().get("dev.sigstore.cosign/rfc3161timestamp")));
    Path downloaded = dir.resolve("signatures.json");
    Files.writeString(downloaded, JSON.writeValueAsString(line) + "\n");

    Run r = verify("alice", digest, downloaded.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("VERIFIED") && r.out().contains("alice@acme.example"), r.out());

    line.remove("RFC3161Timestamp");
    Files.writeString(downloaded, JSON.writeValueAsString(line) + "\n");
    Run untimed = verify("alice", digest, downloaded.toString());
    assertEquals(1, untimed.exit(), untimed.toString());
    assertTrue(untimed.out().contains("nothing shows when it was signed"), untimed.out());
  }

  @Test
  void unknownAuthoritiesAndDigestsAreInputErrors() {
    assertEquals(2, verify("nobody", IMAGE, layout("e2e-valid-signature")).exit());
    assertEquals(2, verify("e2e", "sha256:nothex", layout("e2e-valid-signature")).exit());
    assertEquals(2, verify("e2e", IMAGE, dir.resolve("missing.json").toString()).exit());
  }
}
