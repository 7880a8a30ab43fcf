package dev.promgate.registry;

import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;

/** {@code POST /v2/<name>/blobs/uploads/}: opens an upload session; yields its absolute location. */
final class BlobUploadStart extends Endpoint<String> {

  private final ImageReference repository;

  BlobUploadStart(ImageReference repository) {
    this.repository = repository;
  }

  @Override
  HttpMethod method() {
    return HttpMethod.POST;
  }

  @Override
  String url(String origin) {
    return origin + repositoryPath(repository) + "/blobs/uploads/";
  }

  @Override
  byte[] body() {
    return new byte[0];
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
    return "blob upload to " + repository.repository();
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), true);
  }

  @Override
  String handle(Response r, RegistryHost host) {
    if (r.status() != 202) {
      throw unexpected(host, r);
    }
    String location = r.header("Location");
    if (location == null || location.isBlank()) {
      throw failure(host, RegistryException.Kind.PROTOCOL, "answered 202 without a Location header",
          "the registry does not behave as the OCI distribution spec says");
    }
    return location.startsWith("/") ? host.origin() + location : location;
  }
}
