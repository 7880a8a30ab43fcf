package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;

/** {@code PUT <upload location>?digest=<digest>}: a monolithic upload, the whole blob in one request. */
final class BlobUploadFinish extends Endpoint<Digest> {

  private final ImageReference repository;
  private final String location;
  private final Digest digest;
  private final byte[] content;

  BlobUploadFinish(ImageReference repository, String location, Digest digest, byte[] content) {
    this.repository = repository;
    this.location = location;
    this.digest = digest;
    this.content = content;
  }

  @Override
  HttpMethod method() {
    return HttpMethod.PUT;
  }

  @Override
  String url(String origin) {
    return location + (location.contains("?") ? "&" : "?") + "digest=" + Urls.encode(digest.toString());
  }

  @Override
  byte[] body() {
    return content;
  }

  @Override
  String contentType() {
    return "application/octet-stream";
  }

  @Override
  long maxBytes() {
    return BoundedBody.ERROR_BODY_CAP;
  }

  @Override
  String name() {
    return "blob-upload";
  }

  @Override
  String description() {
    return "blob upload " + digest + " to " + repository.repository();
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), true);
  }

  @Override
  Digest handle(Response r, RegistryHost host) {
    if (r.status() != 201 && r.status() != 204 && r.status() != 200) {
      throw unexpected(host, r);
    }
    return digest;
  }
}
