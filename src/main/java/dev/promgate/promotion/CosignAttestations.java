package dev.promgate.promotion;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.registry.Attachments;
import dev.promgate.registry.Descriptor;
import dev.promgate.registry.Manifest;
import dev.promgate.registry.MediaTypes;
import dev.promgate.registry.RegistryClient;
import dev.promgate.registry.RegistryException;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Appends a DSSE envelope to cosign's attestation manifest of a digest, the tag
 * {@code sha256-<hex>.att}, exactly as {@code cosign attest} does (go-containerregistry's
 * {@code mutate.AppendLayers} on cosign's empty image):
 * <pre>{@code
 * {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
 *  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": …, "digest": …},
 *  "layers": [… existing layers …,
 *    {"mediaType": "application/vnd.dsse.envelope.v1+json", "size": …, "digest": …,
 *     "annotations": {"dev.cosignproject.cosign/signature": "", "predicateType": "https://promgate.dev/promotion/v1"}}]}
 * }</pre>
 * The config is go-containerregistry's config file of such an image:
 * {@code {"architecture": "", "created": "0001-01-01T00:00:00Z", "history": [one per layer],
 * "os": "", "rootfs": {"type": "layers", "diff_ids": [one per layer]}, "config": {}}} (a layer's
 * diff ID is its digest: the envelope is stored uncompressed). An existing manifest is extended as
 * it is, every other field and layer kept; the signature annotation is empty because the
 * signature is inside the envelope.
 *
 * <p>Like cosign, this is read-modify-write on a tag: two promotions of the same digest at the
 * same moment can lose one of them. {@code promote} reads its attestation back to notice.
 */
final class CosignAttestations {

  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  /**
   * @param where      {@code host/repo:sha256-<hex>.att}
   * @param layerIndex the position of the new layer in the manifest
   * @param layer      the new layer's descriptor
   * @param manifest   the digest of the new manifest
   */
  record Appended(String where, int layerIndex, Descriptor layer, Digest manifest) {}

  private CosignAttestations() {}

  /**
   * Pushes the envelope and the extended manifest. Blocking.
   *
   * @throws RegistryException when the registry refuses or fails
   * @throws IllegalStateException when the existing tag is not a cosign attestation manifest
   */
  static Appended append(RegistryClient registry, ImageReference pinned, byte[] envelope, String predicateType,
                         Instant deadline) {
    String tag = pinned.digest().tagPrefix() + ".att";
    String where = pinned.name() + ":" + tag;
    Optional<Manifest> existing = existing(registry, pinned, tag, deadline);

    Descriptor layer = Blocking.await(registry.pushBlob(pinned, MediaTypes.DSSE_ENVELOPE, envelope, deadline));
    ObjectNode manifest;
    ObjectNode config;
    if (existing.isPresent()) {
      Manifest m = existing.get();
      if (m.isIndex() || m.config().isEmpty()) {
        throw new IllegalStateException(where + " is " + m.mediaType() + ", not the image manifest cosign writes "
            + "for attestations; promgate does not overwrite it");
      }
      manifest = object(m.bytes(), where);
      if (!manifest.path("layers").isArray()) {
        manifest.putArray("layers");
      }
      config = existingConfig(registry, pinned, m.config().get(), deadline);
    } else {
      manifest = Mappers.JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
      manifest.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG);
      manifest.putArray("layers");
      config = null;
    }
    ArrayNode layers = (ArrayNode) manifest.get("layers");
    int index = layers.size();
    ObjectNode added = layers.addObject();
    added.put("mediaType", layer.mediaType());
    added.put("size", layer.size());
    added.put("digest", layer.digest().toString());
    ObjectNode annotations = added.putObject("annotations");
    // Sorted, as Go writes maps.
    annotations.put(Attachments.COSIGN_SIGNATURE, "");
    annotations.put(Attachments.PREDICATE_TYPE, predicateType);

    byte[] configBytes = Mappers.JSON.writeValueAsBytes(config != null && appendDiffId(config, layer.digest())
        ? config : freshConfig(layers));
    ObjectNode configDescriptor = (ObjectNode) manifest.get("config");
    String configType = configDescriptor.path("mediaType").asText(MediaTypes.OCI_CONFIG);
    Descriptor pushedConfig = Blocking.await(registry.pushBlob(pinned, configType, configBytes, deadline));
    configDescriptor.put("size", pushedConfig.size());
    configDescriptor.put("digest", pushedConfig.digest().toString());

    String mediaType = manifest.path("mediaType").asText(MediaTypes.OCI_MANIFEST);
    Digest digest = Blocking.await(registry.pushManifest(pinned, tag, mediaType, Mappers.JSON.writeValueAsBytes(manifest), deadline));
    return new Appended(where, index, layer, digest);
  }

  private static Optional<Manifest> existing(RegistryClient registry, ImageReference pinned, String tag,
                                             Instant deadline) {
    try {
      return Optional.of(Blocking.await(registry.manifest(pinned, tag, deadline)));
    } catch (RegistryException e) {
      if (e.kind() == RegistryException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The existing config as a JSON object, or null when it is not one (then it is rebuilt). */
  private static ObjectNode existingConfig(RegistryClient registry, ImageReference pinned, Descriptor descriptor,
                                           Instant deadline) {
    byte[] bytes;
    try {
      bytes = Blocking.await(registry.blob(pinned, descriptor, deadline));
    } catch (RegistryException e) {
      if (e.kind() == RegistryException.Kind.NOT_FOUND) {
        return null; // a config the registry lost is rebuilt from the layers
      }
      throw e;
    }
    try {
      JsonNode node = Mappers.JSON.readTree(bytes);
      return node instanceof ObjectNode o ? o : null;
    } catch (JacksonException e) {
      return null;
    }
  }

  /** Appends the layer's diff ID and an empty history entry; false when the config has no rootfs to extend. */
  private static boolean appendDiffId(ObjectNode config, Digest layer) {
    JsonNode rootfs = config.get("rootfs");
    if (!(rootfs instanceof ObjectNode r) || !(r.get("diff_ids") instanceof ArrayNode diffIds)) {
      return false;
    }
    diffIds.add(layer.toString());
    JsonNode history = config.get("history");
    if (history instanceof ArrayNode h) {
      h.addObject().put("created", ZERO_TIME);
    }
    return true;
  }

  /** go-containerregistry's config for cosign's empty image with these layers appended. */
  private static ObjectNode freshConfig(ArrayNode layers) {
    ObjectNode c = Mappers.JSON.createObjectNode();
    c.put("architecture", "");
    c.put("created", ZERO_TIME);
    ArrayNode history = c.putArray("history");
    c.put("os", "");
    ObjectNode rootfs = c.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    for (JsonNode layer : layers) {
      history.addObject().put("created", ZERO_TIME);
      diffIds.add(layer.path("digest").asText());
    }
    c.putObject("config");
    return c;
  }

  private static ObjectNode object(byte[] json, String where) {
    try {
      JsonNode node = Mappers.JSON.readTree(json);
      if (node instanceof ObjectNode o) {
        return o;
      }
    } catch (JacksonException e) {
      // reported below
    }
    throw new IllegalStateException(where + " is not a JSON manifest; promgate does not overwrite it");
  }
}
