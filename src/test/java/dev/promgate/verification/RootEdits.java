package dev.promgate.verification;

import dev.promgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/** Copies of real trusted roots with one validity window changed, written to a temporary file. */
final class RootEdits {

  private static final ObjectMapper JSON = Mappers.JSON;

  private RootEdits() {}

  /** The root with the key of the transparency log at {@code baseUrl} valid from {@code start} to {@code end}. */
  static Path withTlogValidity(Path root, String baseUrl, String start, String end) {
    return edit(root, "tlogs", "baseUrl", baseUrl, "/publicKey/validFor", start, end);
  }

  /** The root with the timestamp authority at {@code uri} valid from {@code start} to {@code end}. */
  static Path withTsaValidity(Path root, String uri, String start, String end) {
    return edit(root, "timestampAuthorities", "uri", uri, "/validFor", start, end);
  }

  private static Path edit(Path root, String list, String key, String value, String validFor, String start, String end) {
    try {
      ObjectNode json = (ObjectNode) JSON.readTree(root.toFile());
      int edited = 0;
      for (JsonNode entry : json.get(list)) {
        if (value.equals(entry.path(key).asText())) {
          ObjectNode window = (ObjectNode) entry.at(validFor);
          window.put("start", start);
          window.put("end", end);
          edited++;
        }
      }
      if (edited == 0) {
        throw new IllegalArgumentException(root + " has no " + list + " entry with " + key + " " + value);
      }
      Path copy = Files.createTempFile("trusted_root", ".json");
      copy.toFile().deleteOnExit();
      JSON.writeValue(copy.toFile(), json);
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
