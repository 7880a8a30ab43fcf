package dev.promgate.testing;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pushes real content to a {@link LocalRegistry} through the registry API (with the JDK's own
 * HTTP client, independent of the code under test): random OCI images, multi-arch indexes,
 * cosign-style {@code .sig}/{@code .att} manifests with the layers and annotations a test gives,
 * and OCI 1.1 referrers recorded in the referrers tag schema ({@code sha256-<hex>} index), which
 * is what clients write for registries without the referrers API, such as distribution 2.8.
 *
 * <pre>{@code
 * TestImages images = new TestImages(registry);
 * Pushed web = images.pushImage("shop/web", "1.0");
 * images.pushCosignSignatures(web.reference(), List.of(
 *     Layer.of(COSIGN_SIMPLE_SIGNING, TestImages.simpleSigningPayload(web.reference()))
 *         .annotate("dev.cosignproject.cosign/signature", base64Signature)));
 * images.pushReferrer(web, SIGSTORE_BUNDLE_V03, List.of(Layer.of(SIGSTORE_BUNDLE_V03, bundleJson)), Map.of());
 * }</pre>
 *
 * Every method blocks until the registry has accepted the content and throws
 * {@link IllegalStateException} with the registry's answer otherwise.
 */
public final class TestImages {

  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
  public static final String SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

  private static final ObjectMapper JSON = Mappers.JSON;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

  private final LocalRegistry registry;
  private final HttpClient http;

  public TestImages(LocalRegistry registry) {
    this.registry = Objects.requireNonNull(registry);
    this.http = registry.httpClient();
  }

  /** A blob in a repository. */
  public record Blob(String mediaType, Digest digest, byte[] content) {
    public long size() {
      return content.length;
    }
  }

  /** A layer to push: media type, content, annotations (for cosign: signature, certificate, predicate type…). */
  public record Layer(String mediaType, byte[] content, Map<String, String> annotations) {
    public Layer {
      annotations = Map.copyOf(annotations);
    }

    public static Layer of(String mediaType, byte[] content) {
      return new Layer(mediaType, content, Map.of());
    }

    public static Layer of(String mediaType, String content) {
      return of(mediaType, content.getBytes(StandardCharsets.UTF_8));
    }

    /** The same layer with one more annotation. */
    public Layer annotate(String key, String value) {
      Map<String, String> more = new LinkedHashMap<>(annotations);
      more.put(key, value);
      return new Layer(mediaType, content, more);
    }
  }

  /**
   * A pushed manifest or index.
   *
   * @param reference {@code host/repository@digest} (plus the tag it was pushed under, if any)
   * @param platform  {@code os/architecture} of an image, if known
   */
  public record Pushed(ImageReference reference, String mediaType, byte[] manifest, Optional<String> platform) {
    public Digest digest() {
      return reference.digest();
    }

    public long size() {
      return manifest.length;
    }

    /** {@code host/repository@digest}, without the tag. */
    public ImageReference pinned() {
      return reference.withDigest(reference.digest());
    }
  }

  /** {@code size} random bytes. */
  public static byte[] randomBytes(int size) {
    byte[] b = new byte[size];
    RANDOM.nextBytes(b);
    return b;
  }

  /** cosign's simple-signing payload for an image: what a {@code .sig} layer holds and the signature covers. */
  public static byte[] simpleSigningPayload(ImageReference image) {
    ObjectNode payload = JSON.createObjectNode();
    ObjectNode critical = payload.putObject("critical");
    critical.putObject("identity").put("docker-reference", image.name());
    critical.putObject("image").put("docker-manifest-digest", image.digest().toString());
    critical.put("type", "cosign container image signature");
    payload.putNull("optional");
    return bytes(payload);
  }

  /** Uploads a blob (POST, then a monolithic PUT). */
  public Blob pushBlob(String repository, String mediaType, byte[] content) {
    Digest digest = Digest.sha256Of(content);
    HttpResponse<String> start = send(repository, HttpRequest.newBuilder(
        registry.uri("/v2/" + repository + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()));
    expect(start, 202, "start blob upload to " + repository);
    String location = start.headers().firstValue("Location")
        .orElseThrow(() -> new IllegalStateException("blob upload answered without Location"));
    URI target = registry.uri("/").resolve(location);
    String put = target + (target.getRawQuery() == null ? "?" : "&") + "digest=" + digest;
    HttpResponse<String> done = send(repository, HttpRequest.newBuilder(URI.create(put))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
    expect(done, 201, "upload blob " + digest + " to " + repository);
    return new Blob(mediaType, digest, content);
  }

  /** Stores a manifest under a tag or digest; returns the digest of its bytes. */
  public Digest pushManifest(String repository, String reference, String mediaType, byte[] manifest) {
    HttpResponse<String> r = send(repository, HttpRequest.newBuilder(
            registry.uri("/v2/" + repository + "/manifests/" + reference))
        .header("Content-Type", mediaType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
    expect(r, 201, "push manifest " + repository + ":" + reference);
    return Digest.sha256Of(manifest);
  }

  /** A random linux/amd64 OCI image (config + one random layer) under a tag. */
  public Pushed pushImage(String repository, String tag) {
    return pushImage(repository, tag, "linux", "amd64");
  }

  /** A random OCI image for a platform (config + one random layer) under a tag (or none when null). */
  public Pushed pushImage(String repository, String tag, String os, String architecture) {
    Blob layer = pushBlob(repository, OCI_LAYER, randomBytes(512));
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", architecture).put("os", os);
    config.putObject("config");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(layer.digest().toString());
    config.put("created", "2026-01-01T00:00:00Z");
    Blob configBlob = pushBlob(repository, OCI_CONFIG, bytes(config));
    ObjectNode manifest = manifest(OCI_MANIFEST, null, configBlob);
    manifest.putArray("layers").add(descriptor(layer, Map.of()));
    return push(repository, tag, OCI_MANIFEST, bytes(manifest), Optional.of(os + "/" + architecture));
  }

  /** An OCI index over pushed images (with their platforms), under a tag (or by digest when null). */
  public Pushed pushIndex(String repository, String tag, List<Pushed> images) {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2).put("mediaType", OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (Pushed image : images) {
      ObjectNode d = descriptor(image);
      image.platform().ifPresent(p -> {
        String[] parts = p.split("/");
        d.putObject("platform").put("architecture", parts[1]).put("os", parts[0]);
      });
      manifests.add(d);
    }
    return push(repository, tag, OCI_INDEX, bytes(index), Optional.empty());
  }

  /** cosign's signature manifest for a pinned image: tag {@code sha256-<hex>.sig}, these layers. */
  public Pushed pushCosignSignatures(ImageReference image, List<Layer> layers) {
    return pushCosign(image, ".sig", layers);
  }

  /** cosign's attestation manifest for a pinned image: tag {@code sha256-<hex>.att}, these layers. */
  public Pushed pushCosignAttestations(ImageReference image, List<Layer> layers) {
    return pushCosign(image, ".att", layers);
  }

  private Pushed pushCosign(ImageReference image, String suffix, List<Layer> layers) {
    Digest subject = Objects.requireNonNull(image.digest(), "cosign attaches to a pinned image");
    String repository = image.repository();
    ArrayNode layerDescriptors = JSON.createArrayNode();
    ArrayNode diffIds = JSON.createArrayNode();
    for (Layer layer : layers) {
      Blob blob = pushBlob(repository, layer.mediaType(), layer.content());
      layerDescriptors.add(descriptor(blob, layer.annotations()));
      diffIds.add(blob.digest().toString());
    }
    // cosign's minimal config, as `cosign sign` writes it.
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "").put("created", "0001-01-01T00:00:00Z");
    config.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
    config.put("os", "");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.set("diff_ids", diffIds);
    config.putObject("config");
    Blob configBlob = pushBlob(repository, OCI_CONFIG, bytes(config));
    ObjectNode manifest = manifest(OCI_MANIFEST, null, configBlob);
    manifest.set("layers", layerDescriptors);
    return push(repository, subject.tagPrefix() + suffix, OCI_MANIFEST, bytes(manifest), Optional.empty());
  }

  /**
   * An OCI 1.1 referrer of {@code subject} (a manifest with {@code artifactType}, the empty config,
   * these layers and a {@code subject}), pushed by digest and added to the subject's referrers
   * tag-schema index {@code sha256-<hex>}.
   */
  public Pushed pushReferrer(Pushed subject, String artifactType, List<Layer> layers, Map<String, String> annotations) {
    Pushed referrer = pushReferrerManifest(subject, artifactType, layers, annotations);
    addToReferrersTag(subject, referrer, artifactType, annotations);
    return referrer;
  }

  /** The referrer manifest alone, pushed by digest, without touching the referrers tag. */
  public Pushed pushReferrerManifest(Pushed subject, String artifactType, List<Layer> layers,
                                     Map<String, String> annotations) {
    String repository = subject.reference().repository();
    Blob empty = pushBlob(repository, OCI_EMPTY, EMPTY_JSON);
    ObjectNode manifest = manifest(OCI_MANIFEST, artifactType, empty);
    ArrayNode layerDescriptors = manifest.putArray("layers");
    for (Layer layer : layers) {
      layerDescriptors.add(descriptor(pushBlob(repository, layer.mediaType(), layer.content()), layer.annotations()));
    }
    manifest.set("subject", descriptor(subject));
    if (!annotations.isEmpty()) {
      manifest.set("annotations", JSON.valueToTree(annotations));
    }
    return push(repository, null, OCI_MANIFEST, bytes(manifest), Optional.empty());
  }

  /**
   * Appends a referrer to the subject's referrers tag-schema index {@code sha256-<hex>} (creating
   * it), as clients do for registries without the referrers API.
   */
  public Pushed addToReferrersTag(Pushed subject, Pushed referrer, String artifactType,
                                  Map<String, String> annotations) {
    String repository = subject.reference().repository();
    Digest d = subject.digest();
    // OCI distribution 1.1: <alg>-<hex>, the hex cut to 64 characters (sha256-<hex> for sha256).
    String tag = d.algorithm() + "-" + d.hex().substring(0, Math.min(64, d.hex().length()));
    ObjectNode index;
    HttpResponse<String> existing = send(repository, HttpRequest.newBuilder(
        registry.uri("/v2/" + repository + "/manifests/" + tag)).header("Accept", OCI_INDEX).GET());
    if (existing.statusCode() == 404) {
      index = JSON.createObjectNode();
      index.put("schemaVersion", 2).put("mediaType", OCI_INDEX);
      index.putArray("manifests");
    } else {
      expect(existing, 200, "read referrers tag " + tag);
      index = (ObjectNode) JSON.readTree(existing.body());
    }
    ObjectNode entry = descriptor(referrer);
    entry.put("artifactType", artifactType);
    if (!annotations.isEmpty()) {
      entry.set("annotations", JSON.valueToTree(annotations));
    }
    ((ArrayNode) index.get("manifests")).add(entry);
    return push(repository, tag, OCI_INDEX, bytes(index), Optional.empty());
  }

  /** Pushes under {@code tag}, or by digest when the tag is null. */
  private Pushed push(String repository, String tag, String mediaType, byte[] manifest, Optional<String> platform) {
    Digest digest = Digest.sha256Of(manifest);
    pushManifest(repository, tag == null ? digest.toString() : tag, mediaType, manifest);
    return new Pushed(registry.reference(repository + (tag == null ? "" : ":" + tag) + "@" + digest), mediaType,
        manifest, platform);
  }

  private static ObjectNode manifest(String mediaType, String artifactType, Blob config) {
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2).put("mediaType", mediaType);
    if (artifactType != null) {
      m.put("artifactType", artifactType);
    }
    m.set("config", descriptor(config, Map.of()));
    return m;
  }

  private static ObjectNode descriptor(Blob blob, Map<String, String> annotations) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", blob.mediaType()).put("digest", blob.digest().toString()).put("size", blob.size());
    if (!annotations.isEmpty()) {
      d.set("annotations", JSON.valueToTree(new TreeMap<>(annotations)));
    }
    return d;
  }

  private static ObjectNode descriptor(Pushed pushed) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", pushed.mediaType()).put("digest", pushed.digest().toString()).put("size", pushed.size());
    return d;
  }

  private static byte[] bytes(JsonNode node) {
    return JSON.writeValueAsBytes(node);
  }

  private HttpResponse<String> send(String repository, HttpRequest.Builder request) {
    String authorization = registry.pushAuthorization(repository);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("registry request failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(what + ": expected " + status + ", registry answered " + r.statusCode()
          + " " + r.body());
    }
  }
}
