package dev.promgate;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.promgate.decision.ImageJudge;
import dev.promgate.decision.TagResolver;
import dev.promgate.policy.GateConfig;
import dev.promgate.registry.RegistryClient;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verification.RegistryVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Wiring of the steps behind a verdict: registry client → verifier (worker pool) → verdict cache
 * → image judge, plus the tag hint. Shared by {@code serve} and {@code evaluate}.
 */
final class Verification implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Verification.class.getName());

  private final RegistryClient registry;
  private final RegistryVerifier verifier;
  private final VerdictCache cache;
  private final ImageJudge judge;

  private Verification(RegistryClient registry, RegistryVerifier verifier, VerdictCache cache, ImageJudge judge) {
    this.registry = registry;
    this.verifier = verifier;
    this.cache = cache;
    this.judge = judge;
  }

  /**
   * Builds the chain for a GateConfig. Blocking (reads CA bundles): call it off the event loop.
   *
   * @param gate the GateConfig in force now, for the tag hint's budget after reloads
   */
  static Verification create(Vertx vertx, GateConfig initial, Supplier<GateConfig> gate, Clock clock,
                             MeterRegistry meters) {
    RegistryClient registry = RegistryClient.fromConfig(vertx, initial, meters);
    RegistryVerifier verifier = new RegistryVerifier(vertx, registry, clock,
        Math.max(2, Runtime.getRuntime().availableProcessors()));
    VerdictCache cache = new VerdictCache(verifier, initial.cache(), Ticker.systemTicker(), clock, meters);
    TagResolver tags = (tagged, deadline) -> {
      Instant hintBudget = clock.instant().plus(gate.get().timeouts().tagHint());
      return registry.resolve(tagged, hintBudget.isBefore(deadline) ? hintBudget : deadline);
    };
    return new Verification(registry, verifier, cache, new ImageJudge(cache, tags));
  }

  ImageJudge judge() {
    return judge;
  }

  VerdictCache cache() {
    return cache;
  }

  /** Applies a reloaded GateConfig: cache lifetimes at once, the registry allow-list on a worker. */
  void apply(Vertx vertx, Optional<GateConfig> previous, GateConfig current) {
    cache.update(current.cache());
    vertx.executeBlocking(() -> {
      registry.updateRegistries(current.registries());
      return null;
    }).onFailure(e -> LOG.warning("registry allow-list not applied: " + e.getMessage()));
    previous.ifPresent(before -> {
      if (!before.credentials().equals(current.credentials()) || !before.timeouts().request().equals(current.timeouts().request())) {
        LOG.warning("GateConfig credentials or timeouts.request changed; they take effect after a restart");
      }
    });
  }

  @Override
  public void close() {
    verifier.close();
    registry.close();
  }
}
