package dev.promgate.policy;

import java.util.List;

/**
 * The token services and blob storage hosts of the registries most clusters pull from: the
 * defaults of a registry entry's {@code tokenHosts} and {@code redirectHosts} when it lists none.
 * Any other registry may send promgate only to itself until its entry lists more. An entry that
 * lists either setting replaces the default ({@code redirectHosts: []} allows none).
 *
 * <p>These are the hosts the providers document or answer with today; a provider that moves its
 * storage shows up as a NOT_ALLOWED refusal naming the new host and the setting that admits it.
 */
final class WellKnownRegistries {

  /** A family of registries (by host pattern) and where it may send clients. */
  private record Family(List<HostPattern> registries, List<HostPattern> tokenHosts, List<HostPattern> redirectHosts) {}

  private static final List<Family> FAMILIES = List.of(
      // Docker Hub: images are docker.io/…, the API is registry-1.docker.io, tokens come from
      // auth.docker.io, blobs from Cloudflare.
      family(List.of("docker.io", "registry-1.docker.io"),
          List.of("auth.docker.io"),
          List.of("production.cloudflare.docker.com", "docker-images-prod.*.r2.cloudflarestorage.com")),
      // GitHub Container Registry: tokens from ghcr.io itself, blobs from GitHub's package CDN.
      family(List.of("ghcr.io"), List.of(), List.of("pkg-containers.githubusercontent.com")),
      // Google Container Registry and Artifact Registry: tokens from the registry itself, blobs from Cloud Storage.
      family(List.of("gcr.io", "*.gcr.io", "*-docker.pkg.dev"), List.of(),
          List.of("storage.googleapis.com", "*.storage.googleapis.com")),
      // Amazon ECR (Basic authentication, no token service): blobs from the regional layer bucket.
      family(List.of("*.dkr.ecr.*.amazonaws.com"), List.of(),
          List.of("prod-*-starport-layer-bucket.s3.*.amazonaws.com", "prod-*-starport-layer-bucket.s3.amazonaws.com")),
      // Azure Container Registry: tokens from the registry itself, blobs from Azure Storage or
      // the registry's dedicated data endpoints.
      family(List.of("*.azurecr.io"), List.of(), List.of("*.blob.core.windows.net", "*.*.data.azurecr.io")),
      // Quay: tokens from quay.io itself, blobs from its CDN or its S3 bucket.
      family(List.of("quay.io"), List.of(), List.of("cdn.quay.io", "cdn*.quay.io", "quay-registry.s3.amazonaws.com")));

  private WellKnownRegistries() {}

  static List<HostPattern> tokenHosts(String registry) {
    return find(registry).map(Family::tokenHosts).orElse(List.of());
  }

  static List<HostPattern> redirectHosts(String registry) {
    return find(registry).map(Family::redirectHosts).orElse(List.of());
  }

  private static java.util.Optional<Family> find(String registry) {
    int colon = registry.lastIndexOf(':');
    boolean hasPort = colon > 0 && registry.indexOf(']') < colon;
    if (hasPort) {
      // The well-known registries all listen on 443; an entry with a port is someone else's.
      return java.util.Optional.empty();
    }
    return FAMILIES.stream()
        .filter(f -> f.registries().stream().anyMatch(p -> p.matches(registry, 443, 443)))
        .findFirst();
  }

  private static Family family(List<String> registries, List<String> tokenHosts, List<String> redirectHosts) {
    return new Family(registries.stream().map(HostPattern::parse).toList(),
        tokenHosts.stream().map(HostPattern::parse).toList(),
        redirectHosts.stream().map(HostPattern::parse).toList());
  }
}
