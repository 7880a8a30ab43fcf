package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;

/** {@code PUT /v2/<name>/manifests/<tag or digest>}: stores a manifest; yields the digest of its bytes. */
final class ManifestPut extends Endpoint<Digest> {

  private final ImageReference repository;
  private final String reference;
  private final String mediaType;
  private final byte[] content;

  ManifestPut(ImageReference repository, String reference, String mediaType, byte[] content) {
    this.repository = repository;
    this.reference = reference;
    this.mediaType = mediaType;
    this.content = content;
  }

  @Override
  HttpMethod method() {
    return HttpMethod.PUT;
  }

  @Override
  String url(String origin) {
    return origin + repositoryPath(repository) + "/manifests/" + reference;
  }

  @Override
  byte[] body() {
    return content;
  }

  @Override
  String contentType() {
    return mediaType;
  }

  @Override
  long maxBytes() {
    return BoundedBody.ERROR_BODY_CAP;
  }

  @Override
  String name() {
    return "manifest-put";
  }

  @Override
  String description() {
    return "manifest upload " + repository.repository() + (reference.contains(":") ? "@" : ":") + reference;
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), true);
  }

  @Override
  Digest handle(Response r, RegistryHost host) {
    if (r.status() != 201 && r.status() != 200 && r.status() != 204) {
      throw unexpected(host, r);
    }
    return Digest.sha256Of(content);
  }
}
