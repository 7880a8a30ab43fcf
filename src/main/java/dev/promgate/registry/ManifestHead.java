package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;

/**
 * {@code HEAD /v2/<name>/manifests/<tag>}: the digest a tag points to, from the
 * {@code Docker-Content-Digest} header, without downloading the manifest (and, on Docker Hub,
 * without counting against the pull rate limit). Empty when the registry sends no usable header
 * or does not allow HEAD; the caller then falls back to GET and hashes the bytes.
 */
final class ManifestHead extends Endpoint<Optional<Digest>> {

  private final ImageReference repository;
  private final String tag;

  ManifestHead(ImageReference repository, String tag) {
    this.repository = repository;
    this.tag = tag;
  }

  @Override
  HttpMethod method() {
    return HttpMethod.HEAD;
  }

  @Override
  String url(String origin) {
    return origin + repositoryPath(repository) + "/manifests/" + tag;
  }

  @Override
  List<String> accept() {
    return MediaTypes.MANIFEST_ACCEPT;
  }

  @Override
  long maxBytes() {
    return 0;
  }

  @Override
  String name() {
    return "manifest-head";
  }

  @Override
  String description() {
    return "tag " + repository.repository() + ":" + tag;
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), false);
  }

  @Override
  String notFoundAdvice() {
    return "check that the tag exists in this repository";
  }

  @Override
  Optional<Digest> handle(Response r, RegistryHost host) {
    if (r.status() == 405) {
      return Optional.empty();
    }
    if (!r.isSuccess()) {
      throw unexpected(host, r);
    }
    String header = r.header("Docker-Content-Digest");
    if (header == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(header.trim()));
    } catch (InvalidReferenceException e) {
      return Optional.empty();
    }
  }
}
