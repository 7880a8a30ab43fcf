package dev.promgate.verification;

import dev.promgate.json.Mappers;
import dev.promgate.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns the fixtures' on-disk forms into {@link SignedContent}, the way the registry step would from a
 * registry: the Connaisseur registry dump ({@code manifests/sha256-<hex>.sig.json} + blobs) and
 * containers/image's serialised signature layers ({@code \0sigstore-json\n{mimeType, payload, annotations}}).
 */
final class FixtureAttachments {

  private static final ObjectMapper MAPPER = Mappers.JSON;
  private static final byte[] SIGSTORE_JSON_PREFIX = "\0sigstore-json\n".getBytes(StandardCharsets.US_ASCII);

  private FixtureAttachments() {}

  static Path connaisseurImage() {
    return Fixtures.path("connaisseur", "cosign", "securesystemsengineering", "testimage");
  }

  /** The layers of the Connaisseur dump's cosign signature manifest for {@code digest}. */
  static List<SignedContent.SignatureLayer> connaisseurSignatures(String digest) {
    Path image = connaisseurImage();
    String tag = digest.replace(':', '-') + ".sig";
    Path manifest = image.resolve("manifests").resolve(tag + ".json");
    try {
      JsonNode layers = MAPPER.readTree(manifest.toFile()).get("layers");
      List<SignedContent.SignatureLayer> result = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        JsonNode layer = layers.get(i);
        byte[] blob = Files.readAllBytes(image.resolve("blobs").resolve(layer.get("digest").asText() + ".json"));
        result.add(new SignedContent.SignatureLayer("testimage:" + tag + " layer " + i,
            layer.get("mediaType").asText(), blob, annotations(layer.get("annotations"))));
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sha256 of a Connaisseur dump manifest file: the image digest of that tag. */
  static String connaisseurDigest(String tag) {
    return TestPolicies.sha256(TestPolicies.bytes(connaisseurImage().resolve("manifests").resolve(tag + ".json")));
  }

  /** One containers/image signature file as a cosign signature layer. */
  static SignedContent.SignatureLayer containersImageSignature(Path file) {
    byte[] bytes = TestPolicies.bytes(file);
    if (!Arrays.equals(Arrays.copyOf(bytes, SIGSTORE_JSON_PREFIX.length), SIGSTORE_JSON_PREFIX)) {
      throw new IllegalArgumentException(file + " is not a containers/image sigstore signature");
    }
    JsonNode json = MAPPER.readTree(Arrays.copyOfRange(bytes, SIGSTORE_JSON_PREFIX.length, bytes.length));
    return new SignedContent.SignatureLayer(file.getParent().getFileName() + "/" + file.getFileName(),
        json.get("mimeType").asText(), Base64.getDecoder().decode(json.get("payload").asText()),
        annotations(json.get("annotations")));
  }

  static SignedContent.AttestationLayer attestationLayer(Path envelope) {
    return new SignedContent.AttestationLayer(envelope.getFileName().toString(), "application/vnd.dsse.envelope.v1+json",
        TestPolicies.bytes(envelope), Map.of());
  }

  static SignedContent.SigstoreBundle bundle(Path file) {
    return new SignedContent.SigstoreBundle(file.getParent().getFileName() + "/" + file.getFileName(),
        "application/vnd.dev.sigstore.bundle.v0.3+json", TestPolicies.bytes(file));
  }

  static SignedContent signatures(List<SignedContent.SignatureLayer> layers) {
    return new SignedContent(layers, List.of(), List.of());
  }

  static SignedContent attestations(List<SignedContent.AttestationLayer> layers) {
    return new SignedContent(List.of(), layers, List.of());
  }

  static SignedContent bundles(List<SignedContent.SigstoreBundle> bundles) {
    return new SignedContent(List.of(), List.of(), bundles);
  }

  private static Map<String, String> annotations(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node != null) {
      node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    }
    return map;
  }
}
