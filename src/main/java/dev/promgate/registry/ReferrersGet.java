package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/referrers/<digest>[?artifactType=…]}: one page of the OCI 1.1 referrers
 * list. A registry that does not implement the API answers 404 (distribution 2.8), 405 or 501, or
 * something that is not an index; the page then says "unsupported" and the caller falls back to
 * the referrers tag schema.
 */
final class ReferrersGet extends Endpoint<ReferrersGet.Page> {

  /**
   * One page.
   *
   * @param supported whether the registry implements the referrers API at all
   * @param filtered  whether the registry applied the artifactType filter ({@code OCI-Filters-Applied})
   */
  record Page(boolean supported, List<Descriptor> referrers, Optional<String> next, boolean filtered) {
    static final Page UNSUPPORTED = new Page(false, List.of(), Optional.empty(), false);
    static final Page EMPTY = new Page(true, List.of(), Optional.empty(), false);
  }

  private final ImageReference repository;
  private final Digest subject;
  private final Optional<String> artifactType;
  private final String pageUrl;
  private final long cap;

  ReferrersGet(ImageReference repository, Digest subject, Optional<String> artifactType, String pageUrl, long cap) {
    this.repository = repository;
    this.subject = subject;
    this.artifactType = artifactType;
    this.pageUrl = pageUrl;
    this.cap = cap;
  }

  @Override
  HttpMethod method() {
    return HttpMethod.GET;
  }

  @Override
  String url(String origin) {
    if (pageUrl != null) {
      return pageUrl;
    }
    return origin + repositoryPath(repository) + "/referrers/" + subject
        + artifactType.map(t -> "?artifactType=" + Urls.encode(t)).orElse("");
  }

  @Override
  List<String> accept() {
    return List.of(MediaTypes.OCI_INDEX);
  }

  @Override
  long maxBytes() {
    return cap;
  }

  @Override
  String name() {
    return "referrers";
  }

  @Override
  String description() {
    return "referrers of " + repository.repository() + "@" + subject;
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), false);
  }

  @Override
  Page handle(Response r, RegistryHost host) {
    if (r.status() == 404 && Wire.firstError(r.body()).isPresent()) {
      // A registry with the API answers NAME_UNKNOWN or MANIFEST_UNKNOWN (a distribution error
      // body) for a repository or digest it does not know: no referrers, but the API exists. Only
      // a bare 404 (a route the registry lacks, as distribution 2.8 answers) means no API.
      return Page.EMPTY;
    }
    if (r.status() == 404 || r.status() == 405 || r.status() == 501) {
      return Page.UNSUPPORTED;
    }
    if (!r.isSuccess()) {
      throw unexpected(host, r);
    }
    String contentType = r.header("Content-Type");
    if (contentType == null || !contentType.split(";", 2)[0].trim().equals(MediaTypes.OCI_INDEX)) {
      return Page.UNSUPPORTED;
    }
    Manifest index;
    try {
      index = Wire.manifest(r.body(), Digest.sha256Of(r.body()), contentType);
    } catch (Wire.MalformedException e) {
      throw failure(host, RegistryException.Kind.PROTOCOL, "referrers index: " + e.getMessage(),
          "the registry does not behave as the OCI distribution spec says");
    }
    if (!index.isIndex()) {
      return Page.UNSUPPORTED;
    }
    String filters = r.header("OCI-Filters-Applied");
    boolean filtered = filters != null && filters.contains("artifactType");
    return new Page(true, index.manifests(), nextLink(r, host.origin()), filtered);
  }
}
