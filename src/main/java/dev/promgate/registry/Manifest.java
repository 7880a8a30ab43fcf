package dev.promgate.registry;

import dev.promgate.image.Digest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A manifest or index as the registry served it: the parsed view and the exact bytes.
 *
 * <p>{@code digest} is always computed from {@code bytes}, never taken from a response header;
 * when the manifest was asked for by digest, promgate has checked that they are equal.
 *
 * @param digest       the digest of {@code bytes} (in the algorithm asked for, else sha256)
 * @param mediaType    the {@code mediaType} field, else the response's {@code Content-Type}
 * @param artifactType the {@code artifactType} field, for OCI 1.1 artifacts
 * @param config       the config descriptor (image manifests only)
 * @param layers       the layers, with their annotations (image manifests only)
 * @param manifests    the entries, with their platforms (indexes only)
 * @param subject      the manifest this one refers to (referrers only)
 * @param annotations  the manifest's own annotations
 * @param bytes        the raw bytes (a copy is handed out each time)
 */
public record Manifest(Digest digest, String mediaType, Optional<String> artifactType,
                       Optional<Descriptor> config, List<Descriptor> layers, List<Descriptor> manifests,
                       Optional<Descriptor> subject, Map<String, String> annotations, byte[] bytes) {

  public Manifest {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(artifactType, "artifactType");
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    manifests = List.copyOf(manifests);
    Objects.requireNonNull(subject, "subject");
    annotations = Map.copyOf(annotations);
    bytes = bytes.clone();
  }

  /** Whether this is an image index (or Docker manifest list) rather than an image manifest. */
  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  /**
   * The type of artifact this manifest is, as the referrers API reports it: the
   * {@code artifactType} field, else the config's media type.
   */
  public Optional<String> effectiveArtifactType() {
    return artifactType.or(() -> config.map(Descriptor::mediaType));
  }

  /** A copy of the raw bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The raw size in bytes. */
  public int size() {
    return bytes.length;
  }

  /** This manifest as a descriptor (for an index entry or a referrers list). */
  public Descriptor descriptor() {
    return new Descriptor(mediaType, digest, bytes.length, artifactType, annotations, Optional.empty());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Manifest m && digest.equals(m.digest) && mediaType.equals(m.mediaType)
        && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return mediaType + " " + digest + " (" + bytes.length + " bytes"
        + (isIndex() ? ", " + manifests.size() + " manifests" : ", " + layers.size() + " layers")
        + artifactType.map(t -> ", artifactType " + t).orElse("") + ")";
  }
}
