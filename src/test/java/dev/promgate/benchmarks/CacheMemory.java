package dev.promgate.benchmarks;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verdict.VerificationRequest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Heap used per 100,000 cached verdicts: fills a cache with verified verdicts carrying typical
 * evidence, for distinct digests over 50 repositories, and compares the live heap after full
 * collections. Run: {@code benchmarks/cache-memory.sh}.
 */
public final class CacheMemory {

  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    PolicySet policies = BenchmarkSetup.prodPolicies();
    PromotionPolicy shop = policies.policies().get(0);
    var rules = List.of(new VerificationRequest.PolicyRules(shop.name(), shop.rulesFor("prod").orElseThrow()));
    VerdictCache cache = BenchmarkSetup.cache(BenchmarkSetup.alwaysVerified(), policies);
    Instant deadline = Instant.now().plusSeconds(60);

    long before = usedHeap();
    byte[] hash = new byte[32];
    for (int i = 0; i < entries; i++) {
      ThreadLocalRandom.current().nextBytes(hash);
      Digest digest = Digest.parse("sha256:" + HexFormat.of().formatHex(hash));
      ImageReference image = ImageReference.of("registry.acme.example", "shop/service-" + (i % 50), digest);
      cache.lookup(new VerificationRequest(image, "prod", rules), deadline).result();
    }
    cache.cleanUp();
    long after = usedHeap();
    System.out.printf("entries=%d cached=%d heapBefore=%.1fMB heapAfter=%.1fMB perEntry=%d bytes per100k=%.1fMB%n",
        entries, cache.size(), before / 1e6, after / 1e6, (after - before) / entries,
        (after - before) / 1e6 * 100_000 / entries);
    if (cache.size() < entries * 0.99) {
      throw new IllegalStateException("the cache dropped entries; raise maxEntries");
    }
  }

  private static long usedHeap() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
