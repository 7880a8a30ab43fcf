package dev.promgate.verification;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.promgate.policy.TrustedRoot;

/**
 * The verifiers of each trusted root, built on first use and kept while policies refer to the root
 * (keyed by the digest of the root file, so an edited root gets new verifiers). A root that cannot
 * be used is remembered with its reason.
 */
final class TrustMaterials {

  private final Cache<String, Built> byRootDigest = Caffeine.newBuilder().maximumSize(64).build();

  /** A root's verifiers, or why it cannot be used. */
  private record Built(TrustMaterial material, String problem) {}

  TrustMaterial get(TrustedRoot root) throws Invalid {
    Built built = byRootDigest.get(root.digest(), digest -> {
      try {
        return new Built(TrustMaterial.of(root.root(), root.description()), null);
      } catch (Invalid e) {
        return new Built(null, e.getMessage());
      }
    });
    if (built.material() == null) {
      throw Invalid.unusableRoot(built.problem());
    }
    return built.material();
  }
}
