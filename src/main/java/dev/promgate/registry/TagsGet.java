package dev.promgate.registry;

import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/tags/list}: one page of a repository's tags; the next page comes from the
 * {@code Link} header.
 */
final class TagsGet extends Endpoint<TagsGet.Page> {

  static final int PAGE_SIZE = 1000;

  record Page(List<String> tags, Optional<String> next) {}

  private final ImageReference repository;
  private final String pageUrl;
  private final long cap;

  TagsGet(ImageReference repository, String pageUrl, long cap) {
    this.repository = repository;
    this.pageUrl = pageUrl;
    this.cap = cap;
  }

  @Override
  HttpMethod method() {
    return HttpMethod.GET;
  }

  @Override
  String url(String origin) {
    return pageUrl != null ? pageUrl : origin + repositoryPath(repository) + "/tags/list?n=" + PAGE_SIZE;
  }

  @Override
  List<String> accept() {
    return List.of("application/json");
  }

  @Override
  long maxBytes() {
    return cap;
  }

  @Override
  String name() {
    return "tags";
  }

  @Override
  String description() {
    return "tag list of " + repository.repository();
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), false);
  }

  @Override
  String notFoundAdvice() {
    return "check the repository name";
  }

  @Override
  Page handle(Response r, RegistryHost host) {
    if (!r.isSuccess()) {
      throw unexpected(host, r);
    }
    Wire.TagsWire tags;
    try {
      tags = Wire.read(r.body(), Wire.TagsWire.class, "the tag list");
    } catch (Wire.MalformedException e) {
      throw failure(host, RegistryException.Kind.PROTOCOL, e.getMessage(),
          "the registry does not behave as the OCI distribution spec says");
    }
    return new Page(tags.tags() == null ? List.of() : List.copyOf(tags.tags()), nextLink(r, host.origin()));
  }
}
