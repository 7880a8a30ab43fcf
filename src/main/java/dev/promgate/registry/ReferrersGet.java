package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/referrers/<digest>[?artifactType=…]}: one page of the OCI 1.1 referrers
 * list. As the OCI distribution spec (1.1) tells clients: a 404 means "fall back to the referrers
 * tag schema", whether or not it carries an error body, except {@code NAME_UNKNOWN}, which says
 * the repository does not exist, so nothing refers to anything in it. A bare 404 (a route the
 * registry lacks, as distribution 2.8 answers), 405, 501, or an answer that is not an index mean
 * the registry has no referrers API at all; a 404 with another error body only that this answer
 * gave none (some registries with the API answer MANIFEST_UNKNOWN for an unknown subject, where
 * the spec asks for an empty list), so the fallback is used without concluding anything about the
 * registry. 429 and 5xx are the transport's: retried, then "rate limited" or "server error",
 * naming the registry and its Retry-After. Redirects are followed by the transport under the same
 * rules as blob downloads (GHCR answers 303 to another host).
 */
final class ReferrersGet extends Endpoint<ReferrersGet.Page> {

  /**
   * One page.
   *
   * @param supported whether the registry implements the referrers API at all
   * @param filtered  whether the registry applied the artifactType filter ({@code OCI-Filters-Applied})
   */
  record Page(boolean supported, boolean fallBack, List<Descriptor> referrers, Optional<String> next,
              boolean filtered) {
    /** The registry has no referrers API: use the tag schema, now and for later images. */
    static final Page UNSUPPORTED = new Page(false, true, List.of(), Optional.empty(), false);
    /** This answer gave no list (a 404 with an error body): use the tag schema this time. */
    static final Page FALL_BACK = new Page(true, true, List.of(), Optional.empty(), false);
    /** Nothing refers to anything in a repository that does not exist. */
    static final Page EMPTY = new Page(true, false, List.of(), Optional.empty(), false);
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
    if (r.status() == 404) {
      var error = Wire.firstError(r.body());
      if (error.isPresent()) {
        return DistributionErrorCode.fromCode(error.get().code()) == DistributionErrorCode.NAME_UNKNOWN
            ? Page.EMPTY : Page.FALL_BACK;
      }
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
    return new Page(true, false, index.manifests(), nextLink(r, host.origin()), filtered);
  }
}
