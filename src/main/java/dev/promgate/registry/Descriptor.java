package dev.promgate.registry;

import dev.promgate.image.Digest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI content descriptor: what a manifest says about a blob or another manifest it points to.
 *
 * @param mediaType    the media type of the content pointed to
 * @param digest       the digest the content must hash to
 * @param size         the exact size in bytes of the content
 * @param artifactType the artifact type, for referrers and artifact manifests
 * @param annotations  the descriptor's annotations (for cosign layers: the signature, certificate,
 *                     chain, Rekor bundle or predicate type)
 * @param platform     the platform, for entries of an image index
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<String> artifactType,
                         Map<String, String> annotations, Optional<Platform> platform) {

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("descriptor size must not be negative, found " + size);
    }
    Objects.requireNonNull(artifactType, "artifactType");
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(platform, "platform");
  }

  /** A descriptor without artifact type, annotations or platform. */
  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, Optional.empty(), Map.of(), Optional.empty());
  }

  /** A descriptor of these bytes: their sha256 digest and length. */
  public static Descriptor of(String mediaType, byte[] content) {
    return of(mediaType, Digest.sha256Of(content), content.length);
  }

  public Optional<String> annotation(String key) {
    return Optional.ofNullable(annotations.get(key));
  }

  @Override
  public String toString() {
    return mediaType + " " + digest + " (" + size + " bytes)"
        + artifactType.map(t -> " artifactType " + t).orElse("")
        + platform.map(p -> " " + p).orElse("");
  }
}
