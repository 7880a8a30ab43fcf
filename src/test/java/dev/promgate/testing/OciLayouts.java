package dev.promgate.testing;

import dev.promgate.image.Digest;
import dev.promgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Copies an OCI image layout (the {@code oci-layout}/{@code index.json}/{@code blobs/} folder that
 * {@code oras}, {@code notation} and {@code crane} write) into a repository of a real registry,
 * as the Notary Project's e2e harness does: every blob, every manifest by digest, and the tags that
 * {@code org.opencontainers.image.ref.name} names.
 */
public final class OciLayouts {

  private static final ObjectMapper JSON = Mappers.JSON;
  private static final String REF_NAME = "org.opencontainers.image.ref.name";

  private OciLayouts() {}

  public static void push(TestImages images, Path layout, String repository) {
    try {
      JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
      for (JsonNode entry : index.path("manifests")) {
        pushManifest(images, layout, repository, entry);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void pushManifest(TestImages images, Path layout, String repository, JsonNode descriptor)
      throws IOException {
    Digest digest = Digest.parse(descriptor.path("digest").asText());
    byte[] bytes = blob(layout, digest);
    JsonNode manifest = JSON.readTree(bytes);
    String mediaType = descriptor.path("mediaType").asText();
    for (JsonNode child : manifest.path("manifests")) {
      pushManifest(images, layout, repository, child);
    }
    if (manifest.has("config")) {
      images.pushBlob(repository, manifest.path("config").path("mediaType").asText(),
          blob(layout, Digest.parse(manifest.path("config").path("digest").asText())));
    }
    for (JsonNode layer : manifest.path("layers")) {
      images.pushBlob(repository, layer.path("mediaType").asText(),
          blob(layout, Digest.parse(layer.path("digest").asText())));
    }
    images.pushManifest(repository, digest.toString(), mediaType, bytes);
    String tag = descriptor.path("annotations").path(REF_NAME).asText("");
    if (!tag.isEmpty()) {
      images.pushManifest(repository, tag, mediaType, bytes);
    }
  }

  private static byte[] blob(Path layout, Digest digest) throws IOException {
    return Files.readAllBytes(layout.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex()));
  }
}
