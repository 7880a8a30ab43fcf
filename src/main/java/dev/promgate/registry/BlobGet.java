package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * {@code GET /v2/<name>/blobs/<digest>}: a blob, read with a cap of its descriptor's size (and
 * never more than the configured blob cap), then checked for size and digest. Registries often
 * redirect this to a storage host; the transport follows without credentials.
 */
final class BlobGet extends Endpoint<byte[]> {

  private final ImageReference repository;
  private final Descriptor descriptor;
  private final long configuredCap;

  BlobGet(ImageReference repository, Descriptor descriptor, long configuredCap) {
    this.repository = repository;
    this.descriptor = descriptor;
    this.configuredCap = configuredCap;
  }

  /**
   * A blob's bytes within the cap: a descriptor declaring more than {@code cap} bytes fails with
   * TOO_LARGE before any request.
   */
  static Future<byte[]> fetch(Transport transport, RegistryHost host, ImageReference repository,
                              Descriptor descriptor, long cap, Call call) {
    if (descriptor.size() > cap) {
      return Future.failedFuture(declaredTooLarge(repository, descriptor, cap));
    }
    return transport.execute(host, new BlobGet(repository, descriptor, cap), call);
  }

  static RegistryException declaredTooLarge(ImageReference repository, Descriptor descriptor, long cap) {
    return RegistryException.of(RegistryException.Kind.TOO_LARGE, repository.registry(),
        "blob " + descriptor.digest() + " of " + repository.repository(),
        "its descriptor declares " + descriptor.size() + " bytes, over the " + Sizes.human(cap)
            + " cap; not fetched",
        "if this content is legitimate, raise GateConfig spec.limits.maxBlobBytes");
  }

  @Override
  HttpMethod method() {
    return HttpMethod.GET;
  }

  @Override
  String url(String origin) {
    return origin + repositoryPath(repository) + "/blobs/" + descriptor.digest();
  }

  @Override
  long maxBytes() {
    return Math.min(descriptor.size(), configuredCap);
  }

  @Override
  String name() {
    return "blob";
  }

  @Override
  String description() {
    return "blob " + descriptor.digest() + " of " + repository.repository();
  }

  @Override
  Scope scope() {
    return new Scope(repository.repository(), false);
  }

  @Override
  String capSetting() {
    return "maxBlobBytes";
  }

  @Override
  String notFoundAdvice() {
    return "the manifest lists a blob the registry does not have; push the artifact again";
  }

  @Override
  RegistryException tooLarge(RegistryHost host) {
    if (descriptor.size() <= configuredCap) {
      return failure(host, RegistryException.Kind.INTEGRITY,
          "served more than the " + descriptor.size() + " bytes its descriptor declares; cut off",
          "the registry or a proxy in front of it serves wrong content");
    }
    return super.tooLarge(host);
  }

  @Override
  byte[] handle(Response r, RegistryHost host) {
    if (!r.isSuccess()) {
      throw unexpected(host, r);
    }
    byte[] bytes = r.body();
    if (bytes.length != descriptor.size()) {
      throw failure(host, RegistryException.Kind.INTEGRITY,
          "served " + bytes.length + " bytes, its descriptor declares " + descriptor.size(),
          "the registry or a proxy in front of it serves wrong content");
    }
    if (!descriptor.digest().matches(bytes)) {
      throw failure(host, RegistryException.Kind.INTEGRITY,
          "served a blob whose bytes hash to " + Digest.of(descriptor.digest().algorithm(), bytes)
              + ", not to the " + descriptor.digest() + " asked for",
          "the registry or a proxy in front of it serves wrong content; do not trust it until this is fixed");
    }
    return bytes;
  }
}
