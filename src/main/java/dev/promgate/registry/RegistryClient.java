package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.policy.GateConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The OCI registry client: reads manifests, blobs, tags, cosign signatures and attestations and
 * OCI referrers, and writes blobs and manifests (for {@code promgate promote} and tests).
 *
 * <p><b>Usage.</b> Build one client per allow-list and share it; every method is non-blocking
 * and returns a Vert.x {@link Future} completed on the caller's context (or an event loop of this
 * client's Vert.x when called from elsewhere):
 * <pre>{@code
 * RegistryClient registry = RegistryClient.fromConfig(vertx, gateConfig, meterRegistry);
 * Instant deadline = Instant.now().plus(gateConfig.timeouts().verification());
 * registry.attachments(image, deadline)            // for verification
 *     .onSuccess(attachments -> ...)
 *     .onFailure(e -> ...);                         // a RegistryException; see Kind.imageFails()
 * registry.resolve(taggedImage, hintDeadline)      // for the "pin it as …@sha256:…" hint
 * }</pre>
 *
 * <p><b>Budget.</b> Every call takes the admission request's deadline. No request, retry, wait
 * for a request slot or backoff goes past it; each request is further bounded by the request
 * timeout, and connecting by the connect timeout. Running out of time fails with
 * {@link RegistryException.Kind#TIMEOUT}.
 *
 * <p><b>Safety.</b> The allow-list is checked before anything else: a registry outside it fails at
 * once with {@link RegistryException.Kind#NOT_ALLOWED} and no network activity. An entry is
 * reached over HTTPS with the JVM's trust plus its optional CA bundle, or over plain HTTP only
 * when it says {@code insecure: true}. Redirects (blob downloads go to storage hosts) are
 * followed by the client itself for GET and HEAD, only to HTTPS (or HTTP for insecure entries),
 * at most five times, and credentials never leave the origin they were meant for. A registry
 * cannot steer the client elsewhere: a redirect target, paging link or upload location must be the
 * registry itself or a host of the entry's {@code redirectHosts}, a token realm the registry or
 * one of its {@code tokenHosts} (both with defaults for the well-known registries), checked before
 * any connection; a name that resolves to a link-local or metadata address is refused whatever the
 * lists say ({@link Destinations}). Credentials from the docker config go only to the registry's
 * origin and to the token realm its challenge names, which must be HTTPS unless the entry is
 * insecure.
 *
 * <p><b>Integrity.</b> Everything fetched by digest is hashed and compared with that digest
 * ({@link RegistryException.Kind#INTEGRITY} names the registry otherwise), blobs also against
 * their declared size. Manifests are capped at {@code maxManifestBytes} (default 4 MiB), blobs at
 * {@code maxBlobBytes} (default 16 MiB) and their declared size; an oversized or endless answer is
 * cut off at the cap, never buffered whole. {@link #attachments} also caps the number of attached
 * items ({@code maxAttachments}) and their total size ({@code maxAttachmentBytes}). Answers larger
 * than 256 KiB are hashed and parsed on a Vert.x worker thread, not on the event loop.
 *
 * <p><b>Concurrency.</b> At most {@code maxConcurrentRequestsPerRegistry} requests are in flight
 * per registry; more wait in line (until their deadline), they are not refused. The client is
 * thread-safe: token cache, limiter and credentials are shared by all event loops.
 */
public final class RegistryClient implements AutoCloseable {

  /** Pages of a tag or referrers list read at most; more is an error, not a silent truncation. */
  static final int MAX_PAGES = 100;
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

  private final Vertx vertx;
  private final Clock clock;
  private final Duration connectTimeout;
  private final int maxConcurrent;
  private final long maxManifestBytes;
  private final long maxBlobBytes;
  private final String userAgent;
  private final Transport transport;
  private final AttachmentDiscovery discovery;
  private volatile Map<String, RegistryHost> hosts;

  RegistryClient(RegistryClientBuilder b) {
    this.vertx = b.vertx;
    this.clock = b.clock;
    this.connectTimeout = b.connectTimeout;
    this.maxConcurrent = b.maxConcurrent;
    this.maxManifestBytes = b.maxManifestBytes;
    this.maxBlobBytes = b.maxBlobBytes;
    this.userAgent = b.userAgent;
    DockerConfigCredentials credentials = b.credentials == null
        ? DockerConfigCredentials.none(vertx)
        : new DockerConfigCredentials(vertx, b.credentials, b.credentialsReloadInterval);
    Authenticator auth = new Authenticator(credentials, clock);
    Destinations destinations = new Destinations(b.resolver == null ? Destinations.Resolver.system(vertx) : b.resolver);
    this.transport = new Transport(vertx, b.requestTimeout, b.retryPolicy,
        b.meterRegistry == null ? RegistryMetrics.none() : new RegistryMetrics(b.meterRegistry), auth, destinations);
    this.discovery = new AttachmentDiscovery(transport, maxManifestBytes, maxBlobBytes, b.maxAttachments,
        b.maxAttachmentBytes);
    this.hosts = createHosts(b.registries, Map.of());
  }

  /** A builder; see its setters for the defaults. */
  public static RegistryClientBuilder builder(Vertx vertx) {
    return new RegistryClientBuilder(vertx);
  }

  /**
   * A client for a GateConfig: its allow-list, credentials file, request timeout and limits, other
   * settings at their defaults. Reads CA bundles (blocking): call it at startup or on a
   * worker.
   *
   * @param meterRegistry where to record metrics, or null for none
   */
  public static RegistryClient fromConfig(Vertx vertx, GateConfig config, MeterRegistry meterRegistry) {
    GateConfig.Limits limits = config.limits();
    RegistryClientBuilder b = builder(vertx).registries(config.registries()).requestTimeout(config.timeouts().request())
        .maxManifestBytes(limits.maxManifestBytes())
        .maxBlobBytes(limits.maxBlobBytes())
        .maxAttachments(limits.maxAttachments())
        .maxAttachmentBytes(limits.maxAttachmentBytes());
    config.credentials().ifPresent(b::credentials);
    if (meterRegistry != null) {
      b.meterRegistry(meterRegistry);
    }
    return b.build();
  }

  /**
   * Replaces the allow-list (after a policy reload), keeping token caches and the clients of
   * entries that did not change. Reads new CA bundles (blocking): call it on a worker.
   */
  public void updateRegistries(List<GateConfig.RegistrySettings> registries) {
    Map<String, RegistryHost> previous = hosts;
    hosts = createHosts(registries, previous);
    List<RegistryHost> dropped = new ArrayList<>();
    for (RegistryHost old : previous.values()) {
      if (hosts.get(old.registry()) != old) {
        dropped.add(old);
      }
    }
    if (!dropped.isEmpty()) {
      // Let requests in flight finish before their clients close.
      vertx.setTimer(Duration.ofMinutes(1).toMillis(), id -> dropped.forEach(RegistryHost::close));
    }
  }

  private Map<String, RegistryHost> createHosts(List<GateConfig.RegistrySettings> registries,
                                                Map<String, RegistryHost> reuse) {
    Map<String, RegistryHost> created = new LinkedHashMap<>();
    for (GateConfig.RegistrySettings settings : registries) {
      if (created.containsKey(settings.host())) {
        throw new IllegalArgumentException("registry " + settings.host() + " is listed twice in the allow-list");
      }
      RegistryHost existing = reuse.get(settings.host());
      created.put(settings.host(), existing != null && existing.settings().equals(settings) ? existing
          : RegistryHost.create(vertx, settings, connectTimeout, maxConcurrent, userAgent));
    }
    return Collections.unmodifiableMap(created);
  }

  /** Whether images of this registry ({@code host[:port]} as in references) may be read. */
  public boolean allows(String registry) {
    return hosts.containsKey(registry);
  }

  /**
   * The digest a reference points to now. A pinned reference answers its own digest without any
   * request; otherwise its tag ({@code latest} when it has none) is resolved with a HEAD request
   * (whose {@code Docker-Content-Digest} is the registry's word — good for a hint; anything
   * verified later is fetched by digest and hashed), falling back to GET and hashing the bytes
   * when the registry sends no digest header.
   */
  public Future<Digest> resolve(ImageReference reference, Instant deadline) {
    if (reference.digest() != null) {
      return Future.succeededFuture(reference.digest());
    }
    String tag = reference.tagOrLatest();
    return withHost(reference, deadline, (host, call) ->
        transport.execute(host, new ManifestHead(reference, tag), call).compose(header -> header.isPresent()
            ? Future.succeededFuture(header.get())
            : transport.execute(host, ManifestGet.byTag(reference, tag, maxManifestBytes), call)
                .map(Manifest::digest)));
  }

  /** The manifest or index a reference names: by digest when it has one (checked), else by tag. */
  public Future<Manifest> manifest(ImageReference reference, Instant deadline) {
    if (reference.digest() != null) {
      return manifest(reference, reference.digest().toString(), deadline);
    }
    return manifest(reference, reference.tagOrLatest(), deadline);
  }

  /**
   * The manifest or index at a tag or digest ({@code sha256:…}) of the reference's repository.
   * Fetched by digest, its bytes are checked against it.
   */
  public Future<Manifest> manifest(ImageReference repository, String tagOrDigest, Instant deadline) {
    Endpoint<Manifest> endpoint;
    try {
      endpoint = tagOrDigest.indexOf(':') >= 0
          ? ManifestGet.byDigest(repository, Digest.parse(tagOrDigest), maxManifestBytes)
          : ManifestGet.byTag(repository, tag(tagOrDigest), maxManifestBytes);
    } catch (InvalidReferenceException e) {
      return Future.failedFuture(e);
    }
    return withHost(repository, deadline, (host, call) -> transport.execute(host, endpoint, call));
  }

  /**
   * A blob's bytes, checked against the descriptor's digest and size. A descriptor larger than
   * {@code maxBlobBytes} fails with TOO_LARGE before any request.
   */
  public Future<byte[]> blob(ImageReference repository, Descriptor descriptor, Instant deadline) {
    if (allows(repository.registry()) && descriptor.size() > maxBlobBytes) {
      return Future.failedFuture(BlobGet.declaredTooLarge(repository, descriptor, maxBlobBytes));
    }
    return withHost(repository, deadline, (host, call) -> BlobGet.fetch(transport, host, repository, descriptor, maxBlobBytes, call));
  }

  /**
   * The referrers of a digest: the OCI referrers API, or the referrers tag schema
   * ({@code sha256-<hex>} tag holding an index) when the registry lacks the API. A missing tag
   * means no referrers. With {@code artifactType}, only referrers of that type (filtered here even
   * when the registry does not filter).
   */
  public Future<List<Descriptor>> referrers(ImageReference repository, Digest subject,
                                            Optional<String> artifactType, Instant deadline) {
    return withHost(repository, deadline, (host, call) ->
        discovery.listReferrers(host, repository, subject, artifactType, call).map(AttachmentDiscovery.Listing::referrers));
  }

  /**
   * Everything attached to a pinned image, read in parallel, with the Sigstore bundle referrers
   * and Notation signatures ({@link Attachments#SIGNATURE_REFERRER_TYPES}) fetched; see
   * {@link #attachments(ImageReference, AttachmentFilter, Instant)}.
   */
  public Future<Attachments> attachments(ImageReference image, Instant deadline) {
    return attachments(image, AttachmentFilter.everything(), deadline);
  }

  /**
   * Everything attached to a pinned image with the referrers of {@code referrerTypes} fetched; see
   * {@link #attachments(ImageReference, AttachmentFilter, Instant)}.
   */
  public Future<Attachments> attachments(ImageReference image, Set<String> referrerTypes, Instant deadline) {
    return attachments(image, new AttachmentFilter(referrerTypes, Optional.empty()), deadline);
  }

  /**
   * Everything attached to a pinned image, read in parallel: cosign's {@code .sig} manifest with all
   * its layers, the {@code .att} layers the filter wants, and the referrers — those the filter wants
   * (by artifact type and declared predicate type) with their manifests and layers, the others only
   * listed. More wanted candidates of a kind than {@code maxAttachments} fail with TOO_LARGE. When nothing is
   * attached, the image's own manifest is read afterwards, so that a missing image fails with
   * NOT_FOUND rather than looking unsigned.
   *
   * <p>Missing tags and an empty referrers list are "nothing there", not errors. Any failure to
   * read fails the whole call (and stops its other branches), so a transport problem is never
   * mistaken for a missing signature.
   *
   * @throws IllegalArgumentException (as a failed future) when the image has no digest
   */
  public Future<Attachments> attachments(ImageReference image, AttachmentFilter filter, Instant deadline) {
    if (image.digest() == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "attachments belong to a digest; " + image + " has none"));
    }
    return withHost(image, deadline, (host, call) -> discovery.attachments(host, image, filter, call));
  }

  /** A repository's tags, all pages (following the {@code Link} header). */
  public Future<List<String>> tags(ImageReference repository, Instant deadline) {
    return withHost(repository, deadline, (host, call) -> tagPages(host, repository, null, new ArrayList<>(), 0, call));
  }

  /**
   * Uploads a blob unless the repository has it already (HEAD first, then a monolithic POST and
   * PUT). Needs push access.
   *
   * @return the blob's descriptor
   */
  public Future<Descriptor> pushBlob(ImageReference repository, String mediaType, byte[] content, Instant deadline) {
    byte[] bytes = content.clone();
    Descriptor descriptor = Descriptor.of(mediaType, bytes);
    return withHost(repository, deadline, (host, call) ->
        transport.execute(host, new BlobHead(repository, descriptor.digest()), call).compose(exists -> exists
            ? Future.succeededFuture(descriptor)
            : transport.execute(host, new BlobUploadStart(repository), call)
                .compose(location -> transport.execute(host,
                    new BlobUploadFinish(repository, location, descriptor.digest(), bytes), call))
                .map(d -> descriptor)));
  }

  /**
   * Stores a manifest under a tag or its digest. Needs push access. Blobs and manifests it
   * refers to must be pushed first.
   *
   * @return the digest of the manifest's bytes
   * @throws IllegalArgumentException (as a failed future) when the reference is a digest the bytes do not match
   */
  public Future<Digest> pushManifest(ImageReference repository, String tagOrDigest, String mediaType,
                                     byte[] content, Instant deadline) {
    byte[] bytes = content.clone();
    try {
      if (tagOrDigest.indexOf(':') >= 0) {
        Digest digest = Digest.parse(tagOrDigest);
        if (!digest.matches(bytes)) {
          return Future.failedFuture(new IllegalArgumentException("manifest bytes do not hash to " + digest));
        }
      } else {
        tag(tagOrDigest);
      }
    } catch (InvalidReferenceException e) {
      return Future.failedFuture(e);
    }
    return withHost(repository, deadline, (host, call) ->
        transport.execute(host, new ManifestPut(repository, tagOrDigest, mediaType, bytes), call));
  }

  /** Closes the HTTP clients; calls in flight fail. */
  @Override
  public void close() {
    hosts.values().forEach(RegistryHost::close);
  }

  // ---------------------------------------------------------------------------------------------

  private interface HostCall<T> {
    Future<T> run(RegistryHost host, Call call);
  }

  /**
   * Checks the allow-list (synchronously: refusal costs no network), then runs {@code body} on a
   * Vert.x context with a fresh {@link Call}.
   */
  private <T> Future<T> withHost(ImageReference reference, Instant deadline, HostCall<T> body) {
    Objects.requireNonNull(deadline, "deadline");
    RegistryHost host = hosts.get(reference.registry());
    if (host == null) {
      return Future.failedFuture(RegistryException.of(RegistryException.Kind.NOT_ALLOWED, reference.registry(),
          "image " + reference.name(),
          "this registry is not in the allow-list (GateConfig spec.registries), so promgate does not contact it",
          "use an allowed registry, or add this one to spec.registries if its images may run"));
    }
    return onContext(call -> body.run(host, call), deadline);
  }

  private <T> Future<T> onContext(Function<Call, Future<T>> body, Instant deadline) {
    Context current = Vertx.currentContext();
    if (current != null && current.owner() == vertx) {
      return guarded(body, new Call(deadline, clock, current));
    }
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> guarded(body, new Call(deadline, clock, context)).onComplete(promise));
    return promise.future();
  }

  private static <T> Future<T> guarded(Function<Call, Future<T>> body, Call call) {
    try {
      return body.apply(call);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static String tag(String tag) {
    if (!TAG.matcher(tag).matches()) {
      throw new InvalidReferenceException("\"" + Endpoint.abbreviate(tag) + "\" is not a valid tag");
    }
    return tag;
  }

  private Future<List<String>> tagPages(RegistryHost host, ImageReference repository, String pageUrl,
                                        List<String> acc, int pages, Call call) {
    return transport.execute(host, new TagsGet(repository, pageUrl, maxManifestBytes), call).compose(page -> {
      acc.addAll(page.tags());
      if (page.next().isEmpty()) {
        return Future.succeededFuture(List.copyOf(acc));
      }
      if (pages + 1 >= MAX_PAGES) {
        return Future.failedFuture(RegistryException.of(RegistryException.Kind.TOO_LARGE, host.registry(),
            "tag list of " + repository.repository(), "more than " + MAX_PAGES + " pages of tags", ""));
      }
      return tagPages(host, repository, page.next().get(), acc, pages + 1, call);
    });
  }
}
