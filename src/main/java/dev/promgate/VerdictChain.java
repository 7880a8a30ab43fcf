package dev.promgate;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.GateConfig;
import dev.promgate.registry.RegistryClient;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verification.RegistryVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import dev.promgate.image.ImageReference;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Wiring of the steps behind a verdict: registry client → verifier (worker pool) → verdict cache
 * → image judge, plus the tag hint. Shared by {@code serve} and {@code evaluate}.
 */
final class VerdictChain implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(VerdictChain.class.getName());

  private final Vertx vertx;
  private final MeterRegistry meters;
  /** The client in use and the GateConfig it was built from; replaced together. */
  private final AtomicReference<Built> registry;
  private final RegistryVerifier verifier;
  private final VerdictCache cache;
  private final ImageJudge judge;

  private record Built(RegistryClient client, GateConfig from) {}

  private VerdictChain(Vertx vertx, MeterRegistry meters, Built built, Supplier<GateConfig> gate, Clock clock,
                       Ticker ticker) {
    this.vertx = vertx;
    this.meters = meters;
    this.registry = new AtomicReference<>(built);
    this.verifier = new RegistryVerifier(vertx, () -> registry.get().client(), clock,
        Math.max(2, Runtime.getRuntime().availableProcessors()));
    this.cache = new VerdictCache(verifier, built.from().cache(), ticker, clock, meters);
    TagResolver tags = (tagged, deadline) -> {
      Instant hintBudget = clock.instant().plus(gate.get().timeouts().tagHint());
      return registry.get().client().resolve(tagged, hintBudget.isBefore(deadline) ? hintBudget : deadline);
    };
    this.judge = new ImageJudge(cache, tags);
  }

  /**
   * Builds the chain for a GateConfig. Blocking (reads CA bundles): call it off the event loop.
   *
   * @param gate the GateConfig in force now, for the tag hint's budget after reloads
   * @param ticker how long cached verdicts have lived
   */
  static VerdictChain create(Vertx vertx, GateConfig initial, Supplier<GateConfig> gate, Clock clock, Ticker ticker,
                             MeterRegistry meters) {
    return new VerdictChain(vertx, meters, new Built(RegistryClient.fromConfig(vertx, initial, meters), initial),
        gate, clock, ticker);
  }

  ImageJudge judge() {
    return judge;
  }

  /**
   * Opens a connection (TCP, TLS session, any token) to every registry of the allow-list, by asking
   * each for a tag no one pushes; whatever they answer, the pool keeps the connection for the first
   * real verification. The future tells how many registries were asked, and never fails.
   */
  Future<Integer> openConnections(Instant deadline) {
    Built built = registry.get();
    List<Future<?>> asked = new ArrayList<>();
    for (GateConfig.RegistrySettings r : built.from().registries()) {
      ImageReference probe;
      try {
        probe = ImageReference.parse(r.host() + "/promgate/warm-up:probe");
      } catch (RuntimeException e) {
        continue; // a host pattern rather than a host: nothing to connect to
      }
      asked.add(built.client().resolve(probe, deadline).otherwiseEmpty());
    }
    return Future.join(asked).otherwiseEmpty().map(done -> asked.size());
  }

  /**
   * Applies a reloaded GateConfig: cache lifetimes at once; on a worker, the registry allow-list —
   * or, when credentials, the request timeout or the limits changed, a new registry client (the old
   * one is closed a minute later, when requests under way have finished).
   */
  void apply(GateConfig current) {
    cache.update(current.cache());
    vertx.executeBlocking(() -> {
      Built built = registry.get();
      GateConfig from = built.from();
      if (from.credentials().equals(current.credentials())
          && from.timeouts().request().equals(current.timeouts().request())
          && from.limits().equals(current.limits())) {
        built.client().updateRegistries(current.registries());
        registry.set(new Built(built.client(), current));
        return "registry allow-list updated";
      }
      registry.set(new Built(RegistryClient.fromConfig(vertx, current, meters), current));
      vertx.setTimer(60_000, id -> built.client().close());
      return "registry client rebuilt for new credentials, request timeout or limits";
    }).onSuccess(LOG::info)
        .onFailure(e -> LOG.warning("registry settings not applied, the previous ones stay in force: " + e.getMessage()));
  }

  @Override
  public void close() {
    verifier.close();
    registry.get().client().close();
  }
}
