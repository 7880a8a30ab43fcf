package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * {@code GET /v2/<name>/manifests/<reference>}: a manifest or index by tag or digest. Asked for
 * by digest, the bytes must hash to that digest; asked for by tag, the digest is computed from the
 * bytes (sha256), never taken from the {@code Docker-Content-Digest} header.
 */
final class ManifestGet extends Endpoint<Manifest> {

  private final ImageReference repository;
  private final String reference;
  private final Digest expected;
  private final long cap;

  private ManifestGet(ImageReference repository, String reference, Digest expected, long cap) {
    this.repository = repository;
    this.reference = reference;
    this.expected = expected;
    this.cap = cap;
  }

  static ManifestGet byDigest(ImageReference repository, Digest digest, long cap) {
    return new ManifestGet(repository, digest.toString(), digest, cap);
  }

  static ManifestGet byTag(ImageReference repository, String tag, long cap) {
    return new ManifestGet(repository, tag, null, cap);
  }

  @Override
  HttpMethod method() {
    return HttpMethod.GET;
  }

  @Override
  String url(String origin) {
    return origin + repositoryPath(repository) + "/manifests/" + reference;
  }

  @Override
  List<String> accept() {
    return MediaTypes.MANIFEST_ACCEPT;
  }

  @Override
  long maxBytes() {
    return cap;
  }

  @Override
  String name() {
    return "manifest";
  }

  @Override
  String description() {
    return "manifest " + repository.repository() + (expected != null ? "@" : ":") + reference;
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), false);
  }

  @Override
  String notFoundAdvice() {
    return expected != null
        ? "check that the image was pushed to this repository and that the digest is right"
        : "check that the tag exists in this repository";
  }

  @Override
  Manifest handle(Response r, RegistryHost host) {
    if (!r.isSuccess()) {
      throw unexpected(host, r);
    }
    byte[] bytes = r.body();
    Digest digest;
    if (expected != null) {
      if (!expected.matches(bytes)) {
        throw failure(host, RegistryException.Kind.INTEGRITY,
            "served a manifest whose bytes hash to " + Digest.of(expected.algorithm(), bytes)
                + ", not to the " + expected + " asked for",
            "the registry or a proxy in front of it serves wrong content; do not trust it until this is fixed");
      }
      digest = expected;
    } else {
      digest = Digest.sha256Of(bytes);
    }
    try {
      return Wire.manifest(bytes, digest, r.header("Content-Type"));
    } catch (Wire.MalformedException e) {
      throw failure(host, RegistryException.Kind.PROTOCOL, e.getMessage(),
          "the content at this reference is not an OCI or Docker schema 2 manifest");
    }
  }
}
