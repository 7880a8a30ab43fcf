package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.registry.Attachments.Artifact;
import dev.promgate.registry.Attachments.Layer;
import dev.promgate.registry.Attachments.ReferrersSource;
import dev.promgate.registry.Attachments.Unavailable;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds what is attached to a pinned image, the two ways registries hold it: cosign's tag scheme
 * ({@code sha256-<hex>.sig} and {@code .att}) and OCI referrers (the referrers API, or the
 * referrers tag schema where a registry lacks it). Reads the manifests and layers of the wanted
 * kinds within the attachment caps; a missing item is "not there", never an error.
 */
final class AttachmentDiscovery {

  private final Transport transport;
  private final long maxManifestBytes;
  private final long maxBlobBytes;
  private final int maxAttachments;
  private final long maxAttachmentBytes;

  AttachmentDiscovery(Transport transport, long maxManifestBytes, long maxBlobBytes, int maxAttachments,
                      long maxAttachmentBytes) {
    this.transport = transport;
    this.maxManifestBytes = maxManifestBytes;
    this.maxBlobBytes = maxBlobBytes;
    this.maxAttachments = maxAttachments;
    this.maxAttachmentBytes = maxAttachmentBytes;
  }

  /**
   * Everything attached to a pinned image, read in parallel: cosign's {@code .sig} and {@code .att}
   * manifests with all their layers, and the referrers — those whose artifact type is in
   * {@code referrerTypes} with their manifests and layers, the others only listed. When nothing is
   * attached, the image's own manifest is read afterwards, so that a missing image fails with
   * NOT_FOUND rather than looking unsigned.
   *
   * <p>Missing tags and an empty referrers list are "nothing there", not errors. Any failure to
   * read fails the whole call (and stops its other branches), so a transport problem is never
   * mistaken for a missing signature.
   */
  Future<Attachments> attachments(RegistryHost host, ImageReference image, AttachmentFilter filter, Call call) {
    ImageReference pinned = image.withDigest(image.digest());
    Digest digest = image.digest();
    List<Unavailable> unavailable = Collections.synchronizedList(new ArrayList<>());
    // Only what the filter wants is asked for at all.
    Future<Optional<Artifact>> sig = filter.signatureTag()
        ? cosignArtifact(host, pinned, digest.tagPrefix() + ".sig", AttachmentFilter.everything(), call, unavailable)
        : Future.succeededFuture(Optional.empty());
    Future<Optional<Artifact>> att = filter.attestationTag()
        ? cosignArtifact(host, pinned, digest.tagPrefix() + ".att", filter, call, unavailable)
        : Future.succeededFuture(Optional.empty());
    Future<Fetched> referrers = filter.readsReferrers()
        ? listReferrers(host, pinned, digest, Optional.empty(), call)
            .compose(listing -> fetchReferrers(host, pinned, digest, listing, filter, call, unavailable))
        : Future.succeededFuture(new Fetched(List.of(), List.of(), ReferrersSource.NOT_READ));
    for (Future<?> branch : List.of(sig, att, referrers)) {
      branch.onFailure(e -> {
        if (e instanceof RegistryException re) {
          call.abandon(re);
        }
      });
    }
    return Future.all(sig, att, referrers).compose(all -> {
      // Only when nothing is attached does it matter whether the image exists at all: then a
      // missing image must fail as NOT_FOUND instead of looking unsigned. Otherwise the request
      // is saved: the signed digest existed when it was signed, and the runtime pulls it anyway.
      boolean nothing = sig.result().isEmpty() && att.result().isEmpty()
          && referrers.result().artifacts().isEmpty();
      // A Notation signature names the manifest's media type and size, which only the manifest says.
      boolean notation = referrers.result().artifacts().stream()
          .anyMatch(a -> a.artifactType().filter(Attachments.NOTATION_SIGNATURE::equals).isPresent());
      Future<Optional<Manifest>> own = nothing || notation
          ? transport.execute(host, ManifestGet.byDigest(pinned, digest, maxManifestBytes), call).map(Optional::of)
          : Future.succeededFuture(Optional.empty());
      return own.map(manifest -> new Attachments(pinned, manifest, sig.result(), att.result(),
          referrers.result().artifacts(), referrers.result().others(), referrers.result().source(),
          List.copyOf(unavailable), call.roundTrips()));
    });
}

  // Cosign's tag scheme ---------------------------------------------------------------------------

  private Future<Optional<Artifact>> cosignArtifact(RegistryHost host, ImageReference repository, String tag,
                                                    AttachmentFilter filter, Call call,
                                                    List<Unavailable> unavailable) {
    String source = repository.name() + ":" + tag;
    return transport.execute(host, ManifestGet.byTag(repository, tag, maxManifestBytes), call)
        .map(Optional::of)
        .recover(e -> isNotFound(e) ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e))
        .compose(found -> {
          if (found.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
          }
          Manifest manifest = found.get();
          if (manifest.isIndex()) {
            return Future.failedFuture(RegistryException.of(RegistryException.Kind.PROTOCOL, host.registry(),
                "manifest " + repository.repository() + ":" + tag,
                "holds an index, not a signature or attestation manifest", "push it again with cosign"));
          }
          return layers(host, repository, manifest, filter, source, call, unavailable)
              .map(layers -> Optional.of(new Artifact(source, manifest, layers)));
        });
  }

  /**
   * The layers of an attached manifest that the filter wants (by their {@code predicateType}
   * annotation), all downloaded, or TOO_LARGE when more are wanted than {@code maxAttachments}:
   * checking only some could miss the genuine one and reject an image that is fine.
   */
  private Future<List<Layer>> layers(RegistryHost host, ImageReference repository, Manifest manifest,
                                     AttachmentFilter filter, String source, Call call,
                                     List<Unavailable> unavailable) {
    List<Descriptor> wanted = manifest.layers().stream()
        .filter(d -> filter.wantsPredicate(d.annotation(AttachmentFilter.LAYER_PREDICATE))).toList();
    if (wanted.size() > maxAttachments) {
      return Future.failedFuture(RegistryException.of(RegistryException.Kind.TOO_LARGE, host.registry(),
          "manifest " + manifest.digest() + " (" + source + ")",
          "lists " + wanted.size() + " layers that may count, more than the " + maxAttachments
              + " promgate reads (GateConfig spec.limits.maxAttachments)",
          "raise GateConfig spec.limits.maxAttachments, or clean up old signatures"));
    }
    long declared = wanted.stream().mapToLong(Descriptor::size).sum();
    if (!call.reserveBytes(declared, maxAttachmentBytes)) {
      return Future.failedFuture(RegistryException.of(RegistryException.Kind.TOO_LARGE, host.registry(),
          "manifest " + manifest.digest() + " (" + source + ")",
          "its layers would take the content read for this image past the " + Sizes.human(maxAttachmentBytes) + " cap",
          "raise GateConfig spec.limits.maxAttachmentBytes, or clean up old signatures and attestations"));
    }
    List<Future<Optional<Layer>>> fetches = new ArrayList<>();
    for (Descriptor d : wanted) {
      fetches.add(BlobGet.fetch(transport, host, repository, d, maxBlobBytes, call)
          .map(bytes -> Optional.of(new Layer(d, bytes)))
          .recover(e -> {
            if (isNotFound(e)) {
              unavailable.add(new Unavailable(d, source, e.getMessage()));
              return Future.succeededFuture(Optional.empty());
            }
            return Future.failedFuture(e);
          }));
    }
    return Future.all(fetches).map(all -> {
      List<Layer> layers = new ArrayList<>();
      for (Future<Optional<Layer>> f : fetches) {
        f.result().ifPresent(layers::add);
      }
      return layers;
    });
  }

  // Referrers -------------------------------------------------------------------------------------

  record Listing(List<Descriptor> referrers, ReferrersSource source) {}

  private record Fetched(List<Artifact> artifacts, List<Descriptor> others, ReferrersSource source) {}

  Future<Listing> listReferrers(RegistryHost host, ImageReference repository, Digest subject,
                                       Optional<String> artifactType, Call call) {
    Future<Listing> pages = host.lacksReferrersApi()
        ? referrersTag(host, repository, subject, call)
        : referrerPages(host, repository, subject, artifactType, null, new ArrayList<>(), 0, call);
    return pages
        .map(listing -> artifactType.isEmpty() ? listing : new Listing(listing.referrers().stream()
            .filter(d -> d.artifactType().equals(artifactType)).toList(), listing.source()));
  }

  private Future<Listing> referrerPages(RegistryHost host, ImageReference repository, Digest subject,
                                        Optional<String> artifactType, String pageUrl, List<Descriptor> acc,
                                        int pages, Call call) {
    return transport.execute(host, new ReferrersGet(repository, subject, artifactType, pageUrl, maxManifestBytes), call)
        .compose(page -> {
          if (page.fallBack()) {
            if (pages == 0 && !page.supported()) {
              host.rememberNoReferrersApi();
            }
            return pages == 0 ? referrersTag(host, repository, subject, call)
                : Future.failedFuture(RegistryException.of(RegistryException.Kind.PROTOCOL, host.registry(),
                    "referrers of " + repository.repository() + "@" + subject,
                    "a later page of the referrers list is not an index", ""));
          }
          acc.addAll(page.referrers());
          if (page.next().isEmpty()) {
            return Future.succeededFuture(new Listing(List.copyOf(acc), ReferrersSource.API));
          }
          if (pages + 1 >= RegistryClient.MAX_PAGES) {
            return Future.failedFuture(RegistryException.of(RegistryException.Kind.TOO_LARGE, host.registry(),
                "referrers of " + repository.repository() + "@" + subject,
                "more than " + RegistryClient.MAX_PAGES + " pages of referrers", ""));
          }
          return referrerPages(host, repository, subject, artifactType, page.next().get(), acc, pages + 1, call);
        });
  }

  /**
   * The referrers tag schema: the index at tag {@code sha256-<hex>}; no tag, no referrers. A tag
   * that holds a manifest rather than an index is not a referrers list either (GitLab's registry is
   * reported to resolve such a tag to the image itself): no referrers, and the cosign tags are
   * still read.
   */
  private Future<Listing> referrersTag(RegistryHost host, ImageReference repository, Digest subject, Call call) {
    String tag = referrersTag(subject);
    return transport.execute(host, ManifestGet.byTag(repository, tag, maxManifestBytes), call)
        .map(index -> new Listing(index.isIndex() ? index.manifests() : List.of(), ReferrersSource.TAG_SCHEMA))
        .recover(e -> isNotFound(e)
            ? Future.succeededFuture(new Listing(List.of(), ReferrersSource.TAG_SCHEMA))
            : Future.failedFuture(e));
  }

  /**
   * The referrers tag schema's tag: {@code <alg>-<hex>}, the algorithm cut to 32 and the hex to 64
   * characters (OCI distribution spec 1.1), so {@code sha256-<hex>} for sha256.
   */
  static String referrersTag(Digest subject) {
    String alg = subject.algorithm();
    String hex = subject.hex();
    return alg.substring(0, Math.min(32, alg.length())) + "-" + hex.substring(0, Math.min(64, hex.length()));
  }

  private Future<Fetched> fetchReferrers(RegistryHost host, ImageReference repository, Digest subject,
                                         Listing listing, AttachmentFilter filter, Call call,
                                         List<Unavailable> unavailable) {
    String source = "referrers of " + repository.name() + "@" + subject;
    Set<String> types = filter.referrerTypes();
    List<Descriptor> wanted = new ArrayList<>();
    List<Descriptor> others = new ArrayList<>();
    for (Descriptor d : listing.referrers()) {
      if ((d.artifactType().isEmpty() || types.contains(d.artifactType().get()))
          && filter.wantsPredicate(d.annotation(AttachmentFilter.BUNDLE_PREDICATE))) {
        wanted.add(d);
      } else {
        others.add(d);
      }
    }
    if (wanted.size() > maxAttachments) {
      return Future.failedFuture(RegistryException.of(RegistryException.Kind.TOO_LARGE, host.registry(),
          source,
          wanted.size() + " referrers of the wanted types, more than the " + maxAttachments
              + " promgate reads (GateConfig spec.limits.maxAttachments)",
          "raise GateConfig spec.limits.maxAttachments, or clean up old attestations"));
    }
    List<Future<Optional<Artifact>>> fetches = new ArrayList<>();
    Map<Descriptor, Boolean> otherByManifest = Collections.synchronizedMap(new HashMap<>());
    for (Descriptor d : wanted) {
      fetches.add(referrer(host, repository, subject, d, filter, source, call, unavailable, otherByManifest));
    }
    return Future.all(fetches).map(all -> {
      List<Artifact> artifacts = new ArrayList<>();
      for (Future<Optional<Artifact>> f : fetches) {
        f.result().ifPresent(artifacts::add);
      }
      List<Descriptor> allOthers = new ArrayList<>(others);
      for (Descriptor d : wanted) {
        if (otherByManifest.containsKey(d)) {
          allOthers.add(d);
        }
      }
      return new Fetched(artifacts, allOthers, listing.source());
    });
  }

  private Future<Optional<Artifact>> referrer(RegistryHost host, ImageReference repository, Digest subject,
                                              Descriptor d, AttachmentFilter filter, String source, Call call,
                                              List<Unavailable> unavailable, Map<Descriptor, Boolean> other) {
    if (d.size() > maxManifestBytes) {
      return Future.failedFuture(RegistryException.of(RegistryException.Kind.TOO_LARGE, host.registry(),
          "manifest " + d.digest() + " (" + source + ")",
          "declares " + d.size() + " bytes, over the " + Sizes.human(maxManifestBytes) + " cap; not fetched",
          "if this content is legitimate, raise GateConfig spec.limits.maxManifestBytes"));
    }
    return transport.execute(host, ManifestGet.byDigest(repository, d.digest(), maxManifestBytes), call)
        .map(Optional::of)
        .recover(e -> {
          if (isNotFound(e)) {
            unavailable.add(new Unavailable(d, source, e.getMessage()));
            return Future.succeededFuture(Optional.empty());
          }
          return Future.failedFuture(e);
        })
        .compose(found -> {
          if (found.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
          }
          Manifest manifest = found.get();
          if (manifest.subject().isPresent() && !manifest.subject().get().digest().equals(subject)) {
            unavailable.add(new Unavailable(d, source,
                "its subject is " + manifest.subject().get().digest() + ", not this image"));
            return Future.succeededFuture(Optional.empty());
          }
          Optional<String> type = d.artifactType().or(manifest::effectiveArtifactType);
          Optional<String> predicate = Optional.ofNullable(manifest.annotations().get(AttachmentFilter.BUNDLE_PREDICATE));
          if (type.isEmpty() || !filter.referrerTypes().contains(type.get()) || manifest.isIndex()
              || !filter.wantsPredicate(predicate)) {
            other.put(d, Boolean.TRUE);
            return Future.succeededFuture(Optional.empty());
          }
          return layers(host, repository, manifest, AttachmentFilter.everything(), source, call, unavailable)
              .map(layers -> Optional.of(new Artifact(repository.name() + "@" + manifest.digest() + " (referrer)",
                  manifest, layers)));
        });
  }

  private static boolean isNotFound(Throwable e) {
    return e instanceof RegistryException re && re.kind() == RegistryException.Kind.NOT_FOUND;
  }
}
