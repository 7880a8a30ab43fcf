package dev.promgate.benchmarks;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.testing.Await;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verdict.VerificationRequest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Heap used per 100,000 cached verdicts: fills a cache with verified verdicts carrying typical
 * evidence, for distinct digests over 50 repositories, looks each up once more (so hits keep their
 * rendered answers, as far as the cache's budget allows), and compares the live heap after full
 * collections. With {@code --rss}, a real server ({@code promgate serve}'s wiring, the benchmark
 * policies, an ephemeral port) runs in the same process, and the process's resident memory is
 * reported at rest and with the verdicts. Run: {@code benchmarks/cache-memory.sh [--rss]}.
 */
public final class CacheMemory {

  public static void main(String[] args) throws Exception {
    boolean rss = java.util.Arrays.asList(args).contains("--rss");
    List<String> numbers = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).toList();
    int entries = numbers.isEmpty() ? 100_000 : Integer.parseInt(numbers.get(0));
    dev.promgate.Server server = null;
    if (rss) {
      java.nio.file.Path certs = java.nio.file.Files.createTempDirectory("promgate-certs");
      server = Await.result(dev.promgate.Server.start(new dev.promgate.Server.Options(java.nio.file.Path.of("benchmarks/policies"),
              certs, "127.0.0.1", 0, java.util.Optional.empty(), dev.promgate.http.WebhookServer.Settings.DEFAULT_BODY_LIMIT)));
      usedHeap();
      Thread.sleep(5_000);
      System.out.printf("server at rest: RSS %.0f MB, heap used %.1f MB%n", residentMb(), usedHeap() / 1e6);
    }
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
      VerificationRequest request = new VerificationRequest(image, "prod", rules);
      cache.lookup(request, deadline).result();
      cache.lookup(request, deadline).result();
    }
    cache.cleanUp();
    long after = usedHeap();
    System.out.printf("entries=%d cached=%d heapBefore=%.1fMB heapAfter=%.1fMB perEntry=%d bytes per100k=%.1fMB%n",
        entries, cache.size(), before / 1e6, after / 1e6, (after - before) / entries,
        (after - before) / 1e6 * 100_000 / entries);
    if (rss) {
      System.out.printf("with %d cached verdicts: RSS %.0f MB, heap used %.1f MB, heap committed %.1f MB%n",
          cache.size(), residentMb(), after / 1e6, Runtime.getRuntime().totalMemory() / 1e6);
      server.close();
    }
    if (cache.size() < entries * 0.99) {
      throw new IllegalStateException("the cache dropped entries; raise maxEntries");
    }
    System.exit(0);
  }

  /** This process's resident set, from /proc. */
  private static double residentMb() throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return -1;
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
