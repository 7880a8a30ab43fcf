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

  private final Cache<String, Object> byRootDigest = Caffeine.newBuilder().maximumSize(64).build();

  TrustMaterial get(TrustedRoot root) throws Invalid {
    Object built = byRootDigest.get(root.digest(), digest -> {
      try {
        return TrustMaterial.of(root.root(), root.description());
      } catch (Invalid e) {
        return e.getMessage();
      }
    });
    if (built instanceof TrustMaterial material) {
      return material;
    }
    throw new Invalid((String) built);
  }
}
