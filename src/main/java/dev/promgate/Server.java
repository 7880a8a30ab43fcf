package dev.promgate;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.promgate.decision.DecisionLog;
import dev.promgate.http.WebhookServer;
import dev.promgate.judgement.Cutoff;
import dev.promgate.log.JsonLogging;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PolicyStore;
import dev.promgate.tls.CertificateRotation;
import dev.promgate.tls.ServingCertificate;
import dev.promgate.trustroot.TrustedRootRefresher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running webhook: wires policies, certificates, registry access, verification, the verdict
 * cache and the HTTPS server together, and takes them down again. Wiring only.
 */
public final class Server implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Server.class.getName());

  /**
   * @param mode       {@code --mode audit} for the whole server, overriding the policies
   * @param eventLoops how many event loops take requests ({@code --event-loops})
   * @param warmUp     the longest startup warm-up ({@code --warm-up}); zero for none
   */
  public record Options(Path policies, Path certs, String host, int port, Optional<Mode> mode, long bodyLimit,
                        int eventLoops, Duration warmUp) {
    /** The longest startup warm-up; readiness waits for it. */
    public static final Duration DEFAULT_WARM_UP = Duration.ofSeconds(5);

    /** One event loop per available processor, and the default warm-up. */
    public Options(Path policies, Path certs, String host, int port, Optional<Mode> mode, long bodyLimit) {
      this(policies, certs, host, port, mode, bodyLimit, WebhookServer.Settings.defaultEventLoops(), DEFAULT_WARM_UP);
    }
  }

  private final Vertx vertx;
  private final PolicyStore policies;
  private final WebhookServer webhook;
  private final CertificateRotation rotation;
  private final VerdictChain verdicts;
  private final TrustedRootRefresher trustedRoots;

  private Server(Vertx vertx, PolicyStore policies, WebhookServer webhook, CertificateRotation rotation,
                 VerdictChain verdicts, TrustedRootRefresher trustedRoots) {
    this.vertx = vertx;
    this.policies = policies;
    this.webhook = webhook;
    this.rotation = rotation;
    this.verdicts = verdicts;
    this.trustedRoots = trustedRoots;
  }

  public int port() {
    return webhook.port();
  }

  /** Starts everything; the future fails only when the server cannot listen or has no certificate. */
  public static Future<Server> start(Options options) {
    return start(options, Clock.systemUTC(), Ticker.systemTicker());
  }

  /**
   * Starts everything with the time given: {@code clock} for what is dated (decisions, evidence,
   * trusted roots), {@code ticker} for how long cached verdicts live. Tests move both forward to age
   * the cache without waiting.
   */
  public static Future<Server> start(Options options, Clock clock, Ticker ticker) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        // At least one event loop per server instance; the registry client's connections use them too.
        .with(new VertxOptions()
            .setEventLoopPoolSize(Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, options.eventLoops()))
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setJvmMetricsEnabled(true)
            // Per-request HTTP and connection meters cost more than a cached decision; promgate's
            // own decision and registry histograms cover what they would say. Worker pools stay.
            .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
            .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
            .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
            .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
            .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)))
        .withMetrics(new MicrometerMetricsFactory(metrics))
        .build();
    io.micrometer.core.instrument.FunctionCounter.builder("promgate_log_lines_dropped_total", metrics,
            m -> JsonLogging.dropped())
        .description("Log lines dropped because standard output was not read fast enough")
        .register(metrics);

    Future<ServingCertificate> certificate = vertx.executeBlocking(() -> {
      ServingCertificate.Ensured ensured = ServingCertificate.ensure(options.certs());
      if (ensured.generated()) {
        LOG.warning("generated a development CA and serving certificate in " + options.certs()
            + " (ca.crt, tls.crt, tls.key) for " + ensured.certificate().dnsNames()
            + "; use your own certificate in production (see certs/README.md)");
      } else {
        LOG.info("serving certificate " + ensured.certificate());
      }
      return ensured.certificate();
    });

    PolicyStore store = new PolicyStore(vertx, options.policies());
    // The store logs the load and each problem; what only the server can say is what it means.
    Future<PolicyLoadResult> firstLoad = store.start().onSuccess(result -> {
      if (result instanceof PolicyLoadResult.Failed) {
        LOG.severe("no valid policy set: promgate is not ready and refuses every workload until the files "
            + "in " + options.policies() + " are fixed (they are re-read when they change)");
      }
    });

    return Future.all(certificate, firstLoad).compose(ignored -> {
      GateConfig initial = store.current().map(PolicySet::gate).orElse(GateConfig.defaults());
      return vertx.executeBlocking(() -> VerdictChain.create(vertx, initial, () ->
          store.current().map(PolicySet::gate).orElse(initial), clock, ticker, metrics));
    }).compose(verdicts -> {
      // PolicyStore logs every load and problem itself; a new set only needs to reach the registry
      // client and the cache.
      // Trusted roots from TUF mirrors: a refresh that verifies a new root reloads the policies,
      // which read it from the cache; each policy set says which mirrors to keep current.
      TrustedRootRefresher trustedRoots = new TrustedRootRefresher(vertx, clock, metrics, () -> store.reloadNow());
      store.current().ifPresent(trustedRoots::apply);
      store.onReload(event -> {
        if (event instanceof PolicyStore.ReloadEvent.Applied applied) {
          verdicts.apply(applied.current().gate());
          trustedRoots.apply(applied.current());
        }
      });
      AdmissionPipeline pipeline = new AdmissionPipeline(
          () -> store.current().orElseGet(PolicySet::none),
          verdicts.judge(),
          options.mode(),
          DecisionLog.utf8(JsonLogging::line),
          clock,
          metrics,
          cutoffTimers(vertx));
      WebhookServer.Settings settings = new WebhookServer.Settings(options.host(), options.port(), options.bodyLimit(),
          options.eventLoops());
      AtomicBoolean warm = new AtomicBoolean(options.warmUp().isZero());
      return WebhookServer.start(vertx, settings, certificate.result(), pipeline,
              () -> warm.get() && store.current().isPresent(), metrics)
          .map(webhook -> {
            CertificateRotation rotation = CertificateRotation.start(vertx, webhook::updateSSLOptions,
                certificate.result(), Duration.ofSeconds(10), outcome -> {
                  if (outcome.change() == CertificateRotation.Change.ROTATED) {
                    LOG.info("serving certificate rotated: " + outcome.certificate());
                  } else if (outcome.change() == CertificateRotation.Change.FAILED) {
                    LOG.warning("new certificate files not used: " + outcome.problem()
                        + "; still serving " + outcome.certificate());
                  }
                });
            LOG.info("promgate listening on https://" + options.host() + ":" + webhook.port()
                + " with " + webhook.eventLoops() + " event loop" + (webhook.eventLoops() == 1 ? "" : "s")
                + options.mode().map(m -> " in " + m.wireName() + " mode for every environment").orElse(""));
            return new Server(vertx, store, webhook, rotation, verdicts, trustedRoots);
          })
          .compose(server -> warmUp(vertx, store, verdicts, options.warmUp()).map(server))
          .onSuccess(server -> warm.set(true));
    }).onFailure(e -> {
      LOG.log(Level.SEVERE, "promgate could not start: " + e.getMessage());
      store.close();
      vertx.close();
    });
  }

  /**
   * Warms the decision path and the registry connections ({@link Warmup}), within {@code budget}:
   * readiness waits for it. Never fails; a failure only leaves the first requests slower.
   */
  private static Future<Void> warmUp(Vertx vertx, PolicyStore store, VerdictChain verdicts, Duration budget) {
    if (budget.isZero() || store.current().isEmpty()) {
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    PolicySet set = store.current().get();
    Future<Integer> decisions = vertx.executeBlocking(() -> Warmup.decisions(set, Warmup.DECISIONS, budget), false);
    // On another worker, so that both compile at once on a machine with cores to spare.
    Future<Integer> verifications = vertx.executeBlocking(
        () -> Warmup.verifications(Warmup.VERIFICATIONS, budget), false);
    Future<Integer> registries = verdicts.openConnections(Instant.now().plus(budget));
    return Future.join(decisions, verifications, registries)
        .onComplete(done -> Warmup.log(decisions.succeeded() ? decisions.result() : 0,
            verifications.succeeded() ? verifications.result() : 0,
            Duration.ofNanos(System.nanoTime() - started), registries.succeeded() ? registries.result() : 0))
        .otherwiseEmpty().mapEmpty();
  }

  /**
   * The decision pipeline over a fixed policy set, for {@code promgate evaluate}: the same registry
   * access and verification as the webhook. Call it off the event loop (it reads CA files).
   */
  public static AdmissionPipeline offlinePipeline(Vertx vertx, PolicySet set, Optional<Mode> mode, DecisionLog log,
                                                  Clock clock, io.micrometer.core.instrument.MeterRegistry meters) {
    return offlinePipeline(vertx, set, mode, log, clock, Ticker.systemTicker(), meters);
  }

  /** The same, with the cache's lifetimes counted by {@code ticker}. */
  public static AdmissionPipeline offlinePipeline(Vertx vertx, PolicySet set, Optional<Mode> mode, DecisionLog log,
                                                  Clock clock, Ticker ticker,
                                                  io.micrometer.core.instrument.MeterRegistry meters) {
    VerdictChain verdicts = VerdictChain.create(vertx, set.gate(), set::gate, clock, ticker, meters);
    return new AdmissionPipeline(() -> set, verdicts.judge(), mode, log, clock, meters, cutoffTimers(vertx));
  }

  /**
   * Vert.x timers for each request's cutoff, on the event loop that sets them (the request's),
   * rounded up to the millisecond so that none rings early.
   */
  static Cutoff.Timers cutoffTimers(Vertx vertx) {
    return (delay, action) -> {
      long id = vertx.setTimer(Math.max(1, (delay.toNanos() + 999_999) / 1_000_000), ignored -> action.run());
      return () -> vertx.cancelTimer(id);
    };
  }

  @Override
  public void close() {
    rotation.stop();
    trustedRoots.close();
    policies.close();
    webhook.close().onComplete(done -> {
      verdicts.close();
      vertx.close();
    });
  }
}
