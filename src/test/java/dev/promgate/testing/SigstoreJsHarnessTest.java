package dev.promgate.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.json.Mappers;
import dev.promgate.testing.SigstoreJs.Image;
import dev.promgate.testing.SigstoreJs.Instance;
import dev.promgate.testing.SigstoreJs.Option;
import dev.promgate.testing.SigstoreJs.Signed;
import dev.promgate.testing.SigstoreJs.Tamper;
import dev.promgate.testing.SigstoreJs.Verification;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions.CertificateMatcher;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.strings.StringMatcher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Proves that what the sigstore-js harness produces is real: sigstore-java 2.0.0 and
 * {@code @sigstore/verify} accept its bundles under its trusted root and reject them for another
 * identity, another trusted root or altered content, and the bundles land in a real registry as
 * referrers.
 */
class SigstoreJsHarnessTest {

  private static final ObjectMapper JSON = Mappers.JSON;
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String ALICE = "alice@acme.example";
  private static final String ACME_ISSUER = "https://accounts.acme.example";
  private static final String WORKFLOW =
      "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";
  private static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
  private static final String PROMOTION_TYPE = "https://promgate.dev/promotion/v1";
  private static final String PROMOTION =
      "{\"environment\":\"prod\",\"promotedAt\":\"2026-11-26T09:00:00Z\",\"approver\":\"alice@acme.example\"}";
  private static final String DIGEST = "sha256:" + "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c";
  private static final Image OFFLINE_IMAGE = new Image("registry.acme.example", "shop/web", DIGEST);

  @TempDir Path tmp;
  private SigstoreJs signer;
  private Instance sigstore;

  @BeforeEach
  void createInstance() {
    signer = SigstoreJs.require();
    sigstore = signer.trustRoot(tmp.resolve("sigstore"));
  }

  @Test
  void attestationVerifiesWithSigstoreJavaAndSigstoreJs() throws Exception {
    Path out = tmp.resolve("promotion.sigstore.json");
    Signed attestation = signer.attestImage(sigstore, OFFLINE_IMAGE, ALICE, ACME_ISSUER, PROMOTION_TYPE, PROMOTION,
        Option.noPush(), Option.out(out));

    assertEquals(SigstoreJs.BUNDLE_MEDIA_TYPE, attestation.bundle().path("mediaType").asText());
    JsonNode statement = attestation.statement();
    assertEquals("https://in-toto.io/Statement/v1", statement.path("_type").asText());
    assertEquals(PROMOTION_TYPE, statement.path("predicateType").asText());
    assertEquals("registry.acme.example/shop/web", statement.path("subject").path(0).path("name").asText());
    assertEquals(DIGEST.substring(7), statement.path("subject").path(0).path("digest").path("sha256").asText());
    assertEquals("prod", statement.path("predicate").path("environment").asText());
    assertEquals(out, attestation.bundlePath().orElseThrow());
    assertTrue(attestation.pushed().isEmpty());

    sigstoreJavaVerify(sigstore.trustedRoot(), Files.readString(out), DIGEST, ALICE, ACME_ISSUER);
    Verification byJs = signer.verify(sigstore.trustedRoot(), out, DIGEST, ALICE, ACME_ISSUER, null);
    assertTrue(byJs.verified(), byJs.error());
    assertEquals(ALICE, byJs.identity());
    assertEquals(ACME_ISSUER, byJs.issuer());
  }

  @Test
  void attestationIsRejectedForAnotherIdentityIssuerOrDigest() {
    Path out = tmp.resolve("promotion.sigstore.json");
    Signed attestation = signer.attestImage(sigstore, OFFLINE_IMAGE, ALICE, ACME_ISSUER, PROMOTION_TYPE, PROMOTION,
        Option.noPush(), Option.out(out));
    String bundle = attestation.bundleJson();
    String otherDigest = "sha256:" + "1".repeat(64);

    assertMessage(sigstoreJavaRejects(sigstore.trustedRoot(), bundle, DIGEST, "mallory@acme.example", ACME_ISSUER),
        "No provided certificate identities matched");
    assertMessage(sigstoreJavaRejects(sigstore.trustedRoot(), bundle, DIGEST, ALICE, "https://evil.example"),
        "No provided certificate identities matched");
    assertMessage(sigstoreJavaRejects(sigstore.trustedRoot(), bundle, otherDigest, ALICE, ACME_ISSUER),
        "does not match any subject");

    assertFalse(signer.verify(sigstore.trustedRoot(), out, DIGEST, "mallory@acme.example", null, null).verified());
    assertFalse(signer.verify(sigstore.trustedRoot(), out, DIGEST, null, "https://evil.example", null).verified());
    assertFalse(signer.verify(sigstore.trustedRoot(), out, otherDigest, null, null, null).verified());
  }

  @Test
  void attestationIsRejectedUnderAForeignTrustedRoot() {
    Instance foreign = signer.trustRoot(tmp.resolve("foreign"));
    Path out = tmp.resolve("promotion.sigstore.json");
    signer.attestImage(sigstore, OFFLINE_IMAGE, ALICE, ACME_ISSUER, PROMOTION_TYPE, PROMOTION,
        Option.noPush(), Option.out(out));

    assertMessage(sigstoreJavaRejects(foreign.trustedRoot(), readString(out), DIGEST, ALICE, ACME_ISSUER),
        "Certificate was not verifiable against CAs");
    Verification byJs = signer.verify(foreign.trustedRoot(), out, DIGEST, ALICE, ACME_ISSUER, null);
    assertFalse(byJs.verified());
    assertNotNull(byJs.error());
  }

  @ParameterizedTest
  @EnumSource(Tamper.class)
  void tamperedAttestationsAreRejected(Tamper how) {
    Path out = tmp.resolve("tampered-" + how + ".sigstore.json");
    Signed tampered = signer.attestImage(sigstore, OFFLINE_IMAGE, ALICE, ACME_ISSUER, PROMOTION_TYPE, PROMOTION,
        Option.noPush(), Option.out(out), Option.tamper(how));

    sigstoreJavaRejects(sigstore.trustedRoot(), tampered.bundleJson(), DIGEST, ALICE, ACME_ISSUER);
    Verification byJs = signer.verify(sigstore.trustedRoot(), out, DIGEST, ALICE, ACME_ISSUER, null);
    assertFalse(byJs.verified(), how + " was accepted by @sigstore/verify");
  }

  @Test
  void cosign3SignatureWithoutSubjectNameIsRefusedBySigstoreJava200() throws Exception {
    Path out = tmp.resolve("signature.sigstore.json");
    Signed signature = signer.signImage(sigstore, OFFLINE_IMAGE, WORKFLOW, GITHUB_ISSUER,
        Option.noPush(), Option.out(out));

    JsonNode statement = signature.statement();
    assertEquals(SigstoreJs.COSIGN_SIGN_PREDICATE_TYPE, statement.path("predicateType").asText());
    assertEquals("https://in-toto.io/Statement/v1", statement.path("_type").asText());
    JsonNode subject = statement.path("subject").path(0);
    assertFalse(subject.has("name"), "cosign 3 writes no subject name");
    assertEquals(DIGEST.substring(7), subject.path("digest").path("sha256").asText());
    assertTrue(statement.path("predicate").isObject() && statement.path("predicate").isEmpty());

    // A known limitation of sigstore-java 2.0.0: its in-toto parser requires subject.name.
    // promgate's verifier has to handle these bundles itself.
    KeylessVerificationException refused =
        sigstoreJavaRejects(sigstore.trustedRoot(), signature.bundleJson(), DIGEST, WORKFLOW, GITHUB_ISSUER);
    assertMessage(refused, "Cannot build Subject");
    assertMessage(refused, "[name]");

    Verification byJs = signer.verify(sigstore.trustedRoot(), out, DIGEST, WORKFLOW, GITHUB_ISSUER, null);
    assertTrue(byJs.verified(), byJs.error());
  }

  @Test
  void messageSignatureOverTheManifestVerifies() throws Exception {
    byte[] manifest = imageManifest(configBlob("message-signature")).getBytes(StandardCharsets.UTF_8);
    Path manifestFile = Files.write(tmp.resolve("manifest.json"), manifest);
    String digest = sha256(manifest);
    Path out = tmp.resolve("message.sigstore.json");
    Signed signature = signer.signImage(sigstore, new Image(null, "shop/web", digest), ALICE, ACME_ISSUER,
        Option.messageSignature(), Option.manifest(manifestFile), Option.noPush(), Option.out(out));

    JsonNode bundle = signature.bundle();
    assertEquals(SigstoreJs.BUNDLE_MEDIA_TYPE, bundle.path("mediaType").asText());
    assertTrue(bundle.path("verificationMaterial").has("certificate"));
    assertEquals("hashedrekord", bundle.at("/verificationMaterial/tlogEntries/0/kindVersion/kind").asText());
    assertArrayEquals(HexFormat.of().parseHex(digest.substring(7)),
        Base64.getDecoder().decode(bundle.at("/messageSignature/messageDigest/digest").asText()));
    assertNull(signature.statement());

    sigstoreJavaVerify(sigstore.trustedRoot(), signature.bundleJson(), digest, ALICE, ACME_ISSUER);
    Verification byJs = signer.verify(sigstore.trustedRoot(), out, digest, ALICE, ACME_ISSUER, manifestFile);
    assertTrue(byJs.verified(), byJs.error());
  }

  @Test
  void instanceWithTimestampAuthorityAddsVerifiableTimestamps() throws Exception {
    Instance withTsa = signer.trustRoot(tmp.resolve("with-tsa"), true);
    assertTrue(withTsa.withTsa());
    assertEquals(1, readJson(withTsa.trustedRoot()).path("timestampAuthorities").size());

    Signed provenance = signer.attestImage(withTsa, OFFLINE_IMAGE, WORKFLOW, GITHUB_ISSUER,
        "https://slsa.dev/provenance/v1", "{\"buildDefinition\":{\"buildType\":\"https://acme.example/build/v1\"}}",
        Option.noPush(), Option.statementVersion("v0.1"));

    assertEquals("https://in-toto.io/Statement/v0.1", provenance.statement().path("_type").asText());
    assertEquals(1, provenance.bundle().at("/verificationMaterial/timestampVerificationData/rfc3161Timestamps").size());
    sigstoreJavaVerify(withTsa.trustedRoot(), provenance.bundleJson(), DIGEST, WORKFLOW, GITHUB_ISSUER);
  }

  @Test
  void certificateChainsToTheTrustedRootAndCarriesTheIssuer() throws Exception {
    Signed email = signer.attestImage(sigstore, OFFLINE_IMAGE, ALICE, ACME_ISSUER, PROMOTION_TYPE, PROMOTION,
        Option.noPush());
    Signed uri = signer.signImage(sigstore, OFFLINE_IMAGE, WORKFLOW, GITHUB_ISSUER, Option.noPush());

    JsonNode chain = readJson(sigstore.trustedRoot()).at("/certificateAuthorities/0/certChain/certificates");
    assertEquals(2, chain.size(), "root and intermediate");
    X509Certificate intermediate = certificate(Base64.getDecoder().decode(chain.path(0).path("rawBytes").asText()));
    X509Certificate root = certificate(Base64.getDecoder().decode(chain.path(1).path("rawBytes").asText()));
    root.verify(root.getPublicKey());
    intermediate.verify(root.getPublicKey());
    assertTrue(intermediate.getBasicConstraints() >= 0, "the intermediate is a CA");

    X509Certificate emailLeaf = certificate(email.certificatePem().getBytes(StandardCharsets.US_ASCII));
    emailLeaf.verify(intermediate.getPublicKey());
    assertEquals(intermediate.getSubjectX500Principal(), emailLeaf.getIssuerX500Principal());
    assertEquals(List.of(List.of(1, ALICE)), sans(emailLeaf), "an rfc822Name SAN");
    assertExtensionContains(emailLeaf, "1.3.6.1.4.1.57264.1.1", ACME_ISSUER);
    assertExtensionContains(emailLeaf, "1.3.6.1.4.1.57264.1.8", ACME_ISSUER);
    assertTrue(emailLeaf.getCriticalExtensionOIDs().contains("2.5.29.17"), "the SAN is critical, as Fulcio writes it");

    X509Certificate uriLeaf = certificate(uri.certificatePem().getBytes(StandardCharsets.US_ASCII));
    assertEquals(List.of(List.of(6, WORKFLOW)), sans(uriLeaf), "a URI SAN");
    assertExtensionContains(uriLeaf, "1.3.6.1.4.1.57264.1.8", GITHUB_ISSUER);
  }

  @Test
  void reusingTheDirectoryKeepsTheInstance() throws Exception {
    byte[] first = Files.readAllBytes(sigstore.trustedRoot());
    Instance again = signer.trustRoot(sigstore.dir());

    assertTrue(sigstore.created());
    assertFalse(again.created());
    assertArrayEquals(first, Files.readAllBytes(again.trustedRoot()));
    Signed later = signer.attestImage(again, OFFLINE_IMAGE, ALICE, ACME_ISSUER, PROMOTION_TYPE, PROMOTION,
        Option.noPush());
    sigstoreJavaVerify(sigstore.trustedRoot(), later.bundleJson(), DIGEST, ALICE, ACME_ISSUER);
  }

  @Test
  void bundlesPushedToARegistryWithoutReferrersApiLandInTheReferrersTagIndex() throws Exception {
    try (PrivateRegistry registry = PrivateRegistry.start(tmp.resolve("registry"))) {
      String digest = registry.pushImage("shop/web", configBlob("pushed"));
      Image image = new Image(registry.hostPort(), "shop/web", digest);

      Signed signature = signer.signImage(sigstore, image, WORKFLOW, GITHUB_ISSUER);
      Signed promotion = signer.attestImage(sigstore, image, ALICE, ACME_ISSUER, PROMOTION_TYPE, PROMOTION);

      String referrersTag = "sha256-" + digest.substring(7);
      assertEquals(referrersTag, signature.pushed().orElseThrow().referrersTag());
      assertEquals(registry.hostPort() + "/shop/web", promotion.pushed().orElseThrow().image());
      assertEquals(registry.hostPort() + "/shop/web", promotion.statement().at("/subject/0/name").asText());

      HttpResponse<byte[]> tagged = registry.get("/v2/shop/web/manifests/" + referrersTag, OCI_INDEX);
      assertEquals(200, tagged.statusCode());
      JsonNode index = JSON.readTree(tagged.body());
      assertEquals(OCI_INDEX, index.path("mediaType").asText());
      List<String> listed = new ArrayList<>();
      for (JsonNode descriptor : index.path("manifests")) {
        assertEquals(SigstoreJs.BUNDLE_MEDIA_TYPE, descriptor.path("artifactType").asText());
        listed.add(descriptor.path("digest").asText());
      }
      assertEquals(List.of(signature.pushed().orElseThrow().manifestDigest(),
          promotion.pushed().orElseThrow().manifestDigest()), listed);
      assertEquals(PROMOTION_TYPE,
          index.at("/manifests/1/annotations").path("dev.sigstore.bundle.predicateType").asText());

      for (Signed pushed : List.of(signature, promotion)) {
        HttpResponse<byte[]> manifestResponse =
            registry.get("/v2/shop/web/manifests/" + pushed.pushed().orElseThrow().manifestDigest(), OCI_MANIFEST);
        assertEquals(200, manifestResponse.statusCode());
        assertEquals(pushed.pushed().orElseThrow().manifestDigest(), sha256(manifestResponse.body()));
        JsonNode manifest = JSON.readTree(manifestResponse.body());
        assertEquals(digest, manifest.at("/subject/digest").asText());
        assertEquals(SigstoreJs.BUNDLE_MEDIA_TYPE, manifest.path("artifactType").asText());
        JsonNode layer = manifest.at("/layers/0");
        assertEquals(SigstoreJs.BUNDLE_MEDIA_TYPE, layer.path("mediaType").asText());

        HttpResponse<byte[]> blob = registry.get("/v2/shop/web/blobs/" + layer.path("digest").asText(), "*/*");
        assertEquals(200, blob.statusCode());
        assertEquals(layer.path("digest").asText(), sha256(blob.body()));
        assertEquals(pushed.bundle(), JSON.readTree(blob.body()));
      }
      String promotionFromRegistry = new String(registry.blobOf(promotion), StandardCharsets.UTF_8);
      sigstoreJavaVerify(sigstore.trustedRoot(), promotionFromRegistry, digest, ALICE, ACME_ISSUER);
    }
  }

  // ------------------------------------------------------------------------------------------
  // sigstore-java
  // ------------------------------------------------------------------------------------------

  private static void sigstoreJavaVerify(Path trustedRoot, String bundleJson, String digest, String san,
      String issuer) throws Exception {
    KeylessVerifier verifier =
        KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build();
    verifier.verify(HexFormat.of().parseHex(digest.substring("sha256:".length())),
        Bundle.from(new StringReader(bundleJson)), identity(san, issuer));
  }

  private static KeylessVerificationException sigstoreJavaRejects(Path trustedRoot, String bundleJson,
      String digest, String san, String issuer) {
    return assertThrows(KeylessVerificationException.class,
        () -> sigstoreJavaVerify(trustedRoot, bundleJson, digest, san, issuer));
  }

  private static VerificationOptions identity(String san, String issuer) {
    CertificateMatcher matcher = CertificateMatcher.fulcio()
        .subjectAlternativeName(StringMatcher.string(san))
        .issuer(StringMatcher.string(issuer))
        .build();
    return VerificationOptions.builder().addCertificateMatchers(matcher).build();
  }

  private static void assertMessage(Throwable thrown, String expected) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      messages.append(t).append('\n');
    }
    assertTrue(messages.toString().contains(expected), "expected \"" + expected + "\" in:\n" + messages);
  }

  // ------------------------------------------------------------------------------------------
  // Certificates, digests, files
  // ------------------------------------------------------------------------------------------

  private static X509Certificate certificate(byte[] derOrPem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(derOrPem));
  }

  private static List<List<Object>> sans(X509Certificate certificate) throws Exception {
    List<List<Object>> sans = new ArrayList<>();
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    for (List<?> name : names) {
      sans.add(List.of(name.get(0), name.get(1)));
    }
    return sans;
  }

  private static void assertExtensionContains(X509Certificate certificate, String oid, String text) {
    byte[] value = certificate.getExtensionValue(oid);
    assertNotNull(value, "extension " + oid + " missing");
    assertTrue(new String(value, StandardCharsets.ISO_8859_1).contains(text), "extension " + oid + " lacks " + text);
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static JsonNode readJson(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A distinct image config per call, so that every test image has its own digest. */
  private static String configBlob(String label) {
    return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"test\":\"" + label + "-"
        + UUID.randomUUID() + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
  }

  private static String imageManifest(String config) throws NoSuchAlgorithmException {
    byte[] bytes = config.getBytes(StandardCharsets.UTF_8);
    return "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(bytes) + "\",\"size\":"
        + bytes.length + "},\"layers\":[]}";
  }

  // ------------------------------------------------------------------------------------------
  // A private registry: Debian's docker-registry (distribution 2.8, no referrers API)
  // ------------------------------------------------------------------------------------------

  /** Debian's {@code docker-registry} on an ephemeral 127.0.0.1 port, its storage in a temp dir. */
  private static final class PrivateRegistry implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final Set<Integer> CREATED = Set.of(201);

    private final Process process;
    private final String hostPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrivateRegistry(Process process, String hostPort) {
      this.process = process;
      this.hostPort = hostPort;
    }

    static PrivateRegistry start(Path dir) throws Exception {
      if (!Files.isExecutable(BINARY)) {
        String message = BINARY + " is not installed (Debian package docker-registry)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          throw new AssertionError(message + "; under CI=true it is required");
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
      }
      Files.createDirectories(dir);
      // A free port can be taken by someone else before the registry binds it: try a few.
      for (int attempt = 1; attempt <= 3; attempt++) {
        int port = freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
            "version: 0.1",
            "log:",
            "  level: warn",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + dir.resolve("data"),
            "http:",
            "  addr: 127.0.0.1:" + port,
            ""));
        Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry-" + attempt + ".log").toFile())
            .start();
        PrivateRegistry registry = new PrivateRegistry(process, "127.0.0.1:" + port);
        if (registry.awaitReady()) {
          return registry;
        }
        registry.close();
      }
      throw new AssertionError("docker-registry did not start; see the logs in " + dir);
    }

    String hostPort() {
      return hostPort;
    }

    /** Pushes an image (the config blob, no layers) and returns its manifest digest. */
    String pushImage(String repository, String config) throws Exception {
      byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
      uploadBlob(repository, configBytes);
      byte[] manifest = imageManifest(config).getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/latest"))
              .header("Content-Type", OCI_MANIFEST)
              .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      expect(put, CREATED);
      return sha256(manifest);
    }

    HttpResponse<byte[]> get(String path, String accept) throws Exception {
      return http.send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).timeout(Duration.ofSeconds(10))
          .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The bundle blob of a pushed signature, read back through its artifact manifest. */
    byte[] blobOf(Signed signed) throws Exception {
      SigstoreJs.Pushed pushed = signed.pushed().orElseThrow();
      String repository = pushed.image().substring(hostPort.length() + 1);
      JsonNode manifest = JSON.readTree(get("/v2/" + repository + "/manifests/" + pushed.manifestDigest(),
          OCI_MANIFEST).body());
      return get("/v2/" + repository + "/blobs/" + manifest.at("/layers/0/digest").asText(), "*/*").body();
    }

    private void uploadBlob(String repository, byte[] blob) throws Exception {
      HttpResponse<String> started = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
              .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      expect(started, Set.of(202));
      String location = started.headers().firstValue("Location").orElseThrow();
      URI upload = URI.create(location.startsWith("/") ? "http://" + hostPort + location : location);
      String separator = upload.getQuery() == null ? "?" : "&";
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + sha256(blob)))
              .header("Content-Type", "application/octet-stream")
              .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      expect(put, CREATED);
    }

    private boolean awaitReady() throws InterruptedException {
      Instant deadline = Instant.now().plus(STARTUP);
      while (Instant.now().isBefore(deadline) && process.isAlive()) {
        try {
          HttpResponse<Void> ping = http.send(HttpRequest.newBuilder(uri("/v2/")).timeout(Duration.ofSeconds(2))
              .GET().build(), HttpResponse.BodyHandlers.discarding());
          if (ping.statusCode() == 200) {
            return true;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(50);
      }
      return false;
    }

    private URI uri(String path) {
      return URI.create("http://" + hostPort + path);
    }

    private static void expect(HttpResponse<String> response, Set<Integer> statuses) {
      if (!statuses.contains(response.statusCode())) {
        throw new AssertionError(response.request().method() + " " + response.uri() + " answered "
            + response.statusCode() + ": " + response.body());
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
