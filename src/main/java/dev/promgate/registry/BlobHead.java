package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;

/** {@code HEAD /v2/<name>/blobs/<digest>}: whether the repository already has a blob (before an upload). */
final class BlobHead extends Endpoint<Boolean> {

  private final ImageReference repository;
  private final Digest digest;

  BlobHead(ImageReference repository, Digest digest) {
    this.repository = repository;
    this.digest = digest;
  }

  @Override
  HttpMethod method() {
    return HttpMethod.HEAD;
  }

  @Override
  String url(String origin) {
    return origin + repositoryPath(repository) + "/blobs/" + digest;
  }

  @Override
  long maxBytes() {
    return 0;
  }

  @Override
  String name() {
    return "blob-head";
  }

  @Override
  String description() {
    return "blob " + digest + " of " + repository.repository();
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), true);
  }

  @Override
  Boolean handle(Response r, RegistryHost host) {
    if (r.isSuccess()) {
      return true;
    }
    if (r.status() == 404) {
      return false;
    }
    throw unexpected(host, r);
  }
}
