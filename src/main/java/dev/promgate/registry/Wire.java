package dev.promgate.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promgate.image.Digest;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.json.Mappers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON the registry speaks (manifests, token answers, error bodies, tag lists), as wire
 * records kept apart from the domain values, and the one shared mapper that reads
 * them. Duplicate keys are refused: two parsers must never disagree about what a manifest says.
 */
final class Wire {

  /** The shared JSON rules ({@link Mappers#JSON}), with tighter bounds on what a registry may send. */
  static final JsonMapper MAPPER = Mappers.json(StreamReadConstraints.builder()
      .maxNestingDepth(64).maxStringLength(20_000_000).build());

  private Wire() {}

  /** A JSON answer that does not have the expected shape; the message says what is wrong. */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ManifestWire(Integer schemaVersion, String mediaType, String artifactType, DescriptorWire config,
                      List<DescriptorWire> layers, List<DescriptorWire> manifests, DescriptorWire subject,
                      Map<String, String> annotations) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record DescriptorWire(String mediaType, String digest, Long size, String artifactType,
                        Map<String, String> annotations, PlatformWire platform) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record PlatformWire(String architecture, String os, String variant,
                      @JsonProperty("os.version") String osVersion) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record TokenWire(String token, @JsonProperty("access_token") String accessToken,
                   @JsonProperty("expires_in") Long expiresIn) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ErrorsWire(List<ErrorWire> errors) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ErrorWire(String code, String message) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record TagsWire(String name, List<String> tags) {}

  static <T> T read(byte[] json, Class<T> type, String what) throws MalformedException {
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new MalformedException(what + " is JSON null");
      }
      return value;
    } catch (JacksonException e) {
      throw new MalformedException(what + " is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Parses manifest bytes into the domain view.
   *
   * @param contentType the response's Content-Type, used when the body names no media type
   */
  static Manifest manifest(byte[] bytes, Digest digest, String contentType) throws MalformedException {
    ManifestWire w = read(bytes, ManifestWire.class, "the manifest");
    String mediaType = w.mediaType() != null ? w.mediaType() : mediaTypeOf(contentType, w);
    if (MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(mediaType)
        || (w.schemaVersion() != null && w.schemaVersion() == 1)) {
      throw new MalformedException("the manifest is a Docker schema 1 manifest, which promgate does not read "
          + "(push the image again with a current client)");
    }
    if (w.schemaVersion() == null || w.schemaVersion() != 2) {
      throw new MalformedException("the manifest has schemaVersion " + w.schemaVersion() + ", expected 2");
    }
    if (mediaType == null) {
      throw new MalformedException("the manifest names no media type");
    }
    boolean index = MediaTypes.isIndex(mediaType);
    if (index && w.manifests() == null) {
      throw new MalformedException("the manifest is an index without a \"manifests\" list");
    }
    if (!index && w.config() == null) {
      throw new MalformedException(MediaTypes.isManifest(mediaType) ? "the manifest has no config descriptor"
          : "the manifest has media type " + mediaType + ", which is neither a manifest nor an index");
    }
    return new Manifest(digest, mediaType, Optional.ofNullable(w.artifactType()),
        Optional.ofNullable(w.config() == null ? null : descriptor(w.config(), "config")),
        descriptors(w.layers(), "layers"), descriptors(w.manifests(), "manifests"),
        Optional.ofNullable(w.subject() == null ? null : descriptor(w.subject(), "subject")),
        w.annotations() == null ? Map.of() : w.annotations(), bytes);
  }

  private static String mediaTypeOf(String contentType, ManifestWire w) {
    if (contentType != null) {
      String bare = contentType.split(";", 2)[0].trim();
      if (MediaTypes.isManifest(bare)) {
        return bare;
      }
    }
    // OCI allows an absent mediaType; tell the two shapes apart by their fields.
    if (w.manifests() != null) {
      return MediaTypes.OCI_INDEX;
    }
    return w.config() != null ? MediaTypes.OCI_MANIFEST : null;
  }

  private static List<Descriptor> descriptors(List<DescriptorWire> list, String field) throws MalformedException {
    if (list == null) {
      return List.of();
    }
    List<Descriptor> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new MalformedException("the manifest has a null entry in \"" + field + "\"");
      }
      out.add(descriptor(list.get(i), field + "[" + i + "]"));
    }
    return out;
  }

  static Descriptor descriptor(DescriptorWire d, String where) throws MalformedException {
    if (d.mediaType() == null || d.mediaType().isEmpty()) {
      throw new MalformedException("the manifest's descriptor " + where + " has no mediaType");
    }
    if (d.size() == null || d.size() < 0) {
      throw new MalformedException("the manifest's descriptor " + where + " has no valid size");
    }
    Digest digest;
    try {
      digest = Digest.parse(d.digest());
    } catch (InvalidReferenceException e) {
      throw new MalformedException("the manifest's descriptor " + where + ": " + e.getMessage());
    }
    Optional<Platform> platform = Optional.empty();
    if (d.platform() != null) {
      PlatformWire p = d.platform();
      if (p.os() == null || p.architecture() == null) {
        throw new MalformedException("the manifest's descriptor " + where
            + " has a platform without os or architecture");
      }
      platform = Optional.of(new Platform(p.os(), p.architecture(), Optional.ofNullable(p.variant()),
          Optional.ofNullable(p.osVersion())));
    }
    return new Descriptor(d.mediaType(), digest, d.size(), Optional.ofNullable(d.artifactType()),
        d.annotations() == null ? Map.of() : d.annotations(), platform);
  }

  /** The first entry of a distribution error body, if the body is one. */
  static Optional<ErrorWire> firstError(byte[] body) {
    if (body == null || !startsWithBrace(body)) {
      return Optional.empty();
    }
    try {
      ErrorsWire errors = MAPPER.readValue(body, ErrorsWire.class);
      if (errors == null || errors.errors() == null || errors.errors().isEmpty()
          || errors.errors().get(0) == null || errors.errors().get(0).code() == null) {
        return Optional.empty();
      }
      return Optional.of(errors.errors().get(0));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean startsWithBrace(byte[] body) {
    for (byte b : body) {
      if (b == '{') {
        return true;
      }
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return false;
  }
}
