package dev.promgate.registry;

import java.util.List;

/** Media types promgate reads and writes, as the OCI image spec, Docker and Sigstore name them. */
public final class MediaTypes {

  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  /** Schema 1 manifests: refused, they carry no content digest a client can check. */
  static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

  /** The layer of a cosign {@code .sig} manifest: a simple-signing payload. */
  public static final String COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  /** The layer of a cosign {@code .att} manifest: a DSSE envelope around an in-toto statement. */
  public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
  /** A Sigstore bundle as cosign v3 and GitHub attestations attach it (artifact and layer type). */
  public static final String SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  public static final String SIGSTORE_BUNDLE_V02 = "application/vnd.dev.sigstore.bundle+json;version=0.2";
  public static final String SIGSTORE_BUNDLE_V01 = "application/vnd.dev.sigstore.bundle+json;version=0.1";

  /** The {@code Accept} list for manifests: OCI manifest and index, Docker schema 2 manifest and list. */
  public static final List<String> MANIFEST_ACCEPT =
      List.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

  private MediaTypes() {}

  /** Whether this media type lists other manifests (an OCI index or a Docker manifest list). */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
  }

  /** Whether this is one of the manifest media types of {@link #MANIFEST_ACCEPT}. */
  public static boolean isManifest(String mediaType) {
    return MANIFEST_ACCEPT.contains(mediaType);
  }
}
