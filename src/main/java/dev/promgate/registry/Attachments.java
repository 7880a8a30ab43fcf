package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything attached to one image digest, as raw data: nothing here is verified beyond
 * "these bytes hash to the digest they were fetched by". The verification step consumes it.
 *
 * <p>"Nothing there" and "could not look" are different: a missing {@code .sig} or {@code .att}
 * tag or an empty referrers list is an empty value here, while any failure to read the registry
 * fails the whole {@link RegistryClient#attachments} call with a {@link RegistryException}, so that
 * a transport problem never looks like an unsigned image.
 *
 * @param image           the pinned image the attachments belong to
 * @param imageManifest   the image's own manifest or index, fetched only when nothing is attached,
 *                        so that "no such image" (NOT_FOUND) is told apart from "no signatures", or
 *                        when a Notation signature is, which must name its media type and size
 * @param signatures      cosign's {@code sha256-<hex>.sig} manifest and its simple-signing layers
 * @param attestations    cosign's {@code sha256-<hex>.att} manifest and its DSSE-envelope layers
 * @param referrers       the referrers of the wanted artifact types, with manifests and layers
 * @param otherReferrers  referrers of other artifact types (SBOMs, scan reports…): listed, not fetched
 * @param referrersSource where the referrers list came from
 * @param unavailable     content a manifest or index lists but the registry no longer serves (404):
 *                        left out of the artifacts above, reported so a denial can mention it
 * @param roundTrips      HTTP exchanges made, including token requests, redirects and retries
 */
public record Attachments(ImageReference image, Optional<Manifest> imageManifest, Optional<Artifact> signatures,
                          Optional<Artifact> attestations, List<Artifact> referrers,
                          List<Descriptor> otherReferrers, ReferrersSource referrersSource,
                          List<Unavailable> unavailable, int roundTrips) {

  /** cosign: the base64 signature over a {@code .sig} layer's payload. */
  public static final String COSIGN_SIGNATURE = "dev.cosignproject.cosign/signature";
  /** cosign: the predicate type of a {@code .att} layer's in-toto statement. */
  public static final String PREDICATE_TYPE = "predicateType";

  /** The Sigstore bundle artifact types, the default referrers {@link RegistryClient#attachments} fetches. */
  public static final Set<String> SIGSTORE_BUNDLE_TYPES = Set.of(
      MediaTypes.SIGSTORE_BUNDLE_V03, MediaTypes.SIGSTORE_BUNDLE_V02, MediaTypes.SIGSTORE_BUNDLE_V01);

  /** The artifact type of Notary Project (Notation) signatures. */
  public static final String NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature";

  /** The referrers {@link RegistryClient#attachments} fetches by default: Sigstore bundles and Notation signatures. */
  public static final Set<String> SIGNATURE_REFERRER_TYPES = Set.of(
      MediaTypes.SIGSTORE_BUNDLE_V03, MediaTypes.SIGSTORE_BUNDLE_V02, MediaTypes.SIGSTORE_BUNDLE_V01,
      NOTATION_SIGNATURE);

  public Attachments {
    Objects.requireNonNull(image.digest(), "attachments belong to a pinned image");
    Objects.requireNonNull(imageManifest, "imageManifest");
    Objects.requireNonNull(signatures, "signatures");
    Objects.requireNonNull(attestations, "attestations");
    referrers = List.copyOf(referrers);
    otherReferrers = List.copyOf(otherReferrers);
    Objects.requireNonNull(referrersSource, "referrersSource");
    unavailable = List.copyOf(unavailable);
  }

  /** The digest the attachments belong to. */
  public Digest digest() {
    return image.digest();
  }

  /** Whether nothing at all is attached (no {@code .sig}, no {@code .att}, no referrers). */
  public boolean isEmpty() {
    return signatures.isEmpty() && attestations.isEmpty() && referrers.isEmpty()
        && otherReferrers.isEmpty();
  }

  /** Where the referrers list came from. */
  public enum ReferrersSource {
    /** {@code GET /v2/<name>/referrers/<digest>} (OCI distribution 1.1). */
    API,
    /** The {@code sha256-<hex>} tag holding an index, for registries without the referrers API. */
    TAG_SCHEMA,
    /** Not listed: no referrer type was wanted. */
    NOT_READ
  }

  /**
   * One attached manifest and the layers it lists.
   *
   * @param source   where it was found, for messages: {@code registry.acme.example/shop/web:sha256-….sig},
   *                 {@code registry.acme.example/shop/web@sha256:… (referrer)}
   * @param manifest the manifest (for a referrer: fetched by digest and checked)
   * @param layers   its layers with their content, each checked against its descriptor (a layer the
   *                 registry no longer has is left out and listed in {@link Attachments#unavailable()};
   *                 {@code manifest().layers().indexOf(layer.descriptor())} gives its position)
   */
  public record Artifact(String source, Manifest manifest, List<Layer> layers) {
    public Artifact {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(manifest, "manifest");
      layers = List.copyOf(layers);
    }

    /** The artifact type: the manifest's {@code artifactType}, else its config media type. */
    public Optional<String> artifactType() {
      return manifest.effectiveArtifactType();
    }
  }

  /**
   * One layer: its descriptor (media type, digest, size, annotations) and its bytes.
   *
   * @param content the layer's bytes (a copy is handed out each time)
   */
  public record Layer(Descriptor descriptor, byte[] content) {
    public Layer {
      Objects.requireNonNull(descriptor, "descriptor");
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }

    public String mediaType() {
      return descriptor.mediaType();
    }

    public Optional<String> annotation(String key) {
      return descriptor.annotation(key);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Layer l && descriptor.equals(l.descriptor) && Arrays.equals(content, l.content);
    }

    @Override
    public int hashCode() {
      return descriptor.hashCode();
    }

    @Override
    public String toString() {
      return "Layer[" + descriptor + "]";
    }
  }

  /**
   * Content that a manifest or index lists but the registry did not serve.
   *
   * @param descriptor what was listed
   * @param listedBy   where: {@code registry/repo:sha256-….sig}, {@code referrers of registry/repo@sha256:…}
   * @param reason     what the registry answered
   */
  public record Unavailable(Descriptor descriptor, String listedBy, String reason) {
    @Override
    public String toString() {
      return descriptor.digest() + " listed by " + listedBy + ": " + reason;
    }
  }
}
