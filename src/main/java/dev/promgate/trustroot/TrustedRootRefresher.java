package dev.promgate.trustroot;

import dev.promgate.policy.Durations;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.TrustedRoot;
import dev.promgate.registry.TrustStores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * Keeps the TUF-sourced trusted roots of the policies in force current.
 *
 * <p>After every policy load ({@link #apply}), each TUF repository the authorities name is refreshed
 * at once and then every {@code refreshInterval}, on a worker thread (a refresh blocks on the
 * network). A refresh that verifies a new root writes it to the cache and calls
 * {@code onNewRoot} (the server reloads the policies, which read the cached root). A refresh that
 * fails leaves the last verified root in use and says so at WARNING with its age. Repositories no
 * policy names any more stop being refreshed.
 *
 * <p>Metrics, per mirror: {@code promgate_trusted_root_age_seconds} (time since the mirror last
 * confirmed the root in use; NaN before any root was verified) and
 * {@code promgate_trusted_root_refreshes_total} (by outcome: {@code new}, {@code unchanged},
 * {@code failed}).
 *
 * <p>Only mirrors the GateConfig allows ({@code spec.trustedRootMirrors}) are contacted, with their
 * TLS settings; the loader refuses policies naming others, and a mirror dropped from the allow-list
 * is not contacted even before the policies catch up.
 */
public final class TrustedRootRefresher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(TrustedRootRefresher.class.getName());
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final Runnable onNewRoot;
  /** The context all bookkeeping runs on. */
  private final io.vertx.core.Context context;
  /** By cache directory (one per mirror and TUF root); touched only on {@link #context}. */
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();
  private volatile boolean closed;

  /** One repository being kept current, with its timer and meters. */
  private final class Tracked {
    final TufRepository repository;
    final long timer;
    final Gauge age;
    final Counter fresh;
    final Counter unchanged;
    final Counter failed;
    volatile Instant verifiedAt;
    boolean refreshing;

    Tracked(TufRepository repository) {
      this.repository = repository;
      String mirror = repository.tuf().mirror().toString();
      this.verifiedAt = repository.hasRoot() ? repository.verifiedAt().orElse(null) : null;
      this.age = Gauge.builder("promgate_trusted_root_age_seconds", this, t -> t.ageSeconds())
          .description("Seconds since the TUF mirror last confirmed the trusted root in use (NaN: none verified yet)")
          .tag("mirror", mirror)
          .register(metrics);
      this.fresh = counter(mirror, "new");
      this.unchanged = counter(mirror, "unchanged");
      this.failed = counter(mirror, "failed");
      this.timer = vertx.setPeriodic(repository.tuf().refresh().toMillis(), id -> refresh(this));
    }

    double ageSeconds() {
      Instant at = verifiedAt;
      return at == null ? Double.NaN : Math.max(0, Duration.between(at, clock.instant()).toMillis() / 1000.0);
    }

    void stop() {
      vertx.cancelTimer(timer);
      metrics.remove(age);
      metrics.remove(fresh);
      metrics.remove(unchanged);
      metrics.remove(failed);
    }
  }

  /** @param onNewRoot called (on a Vert.x context) after a refresh wrote a new root */
  public TrustedRootRefresher(Vertx vertx, Clock clock, MeterRegistry metrics, Runnable onNewRoot) {
    this.vertx = vertx;
    this.clock = clock;
    this.metrics = metrics;
    this.onNewRoot = onNewRoot;
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Starts keeping the TUF roots of {@code set} current (refreshing new ones now) and stops for
   * those it no longer names. May be called from any thread.
   *
   * @return completes when the refreshes this started have finished, whatever their outcome
   */
  public Future<Void> apply(PolicySet set) {
    return onContext(() -> applyHere(set));
  }

  private Future<Void> onContext(java.util.function.Supplier<Future<Void>> work) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  private Future<Void> applyHere(PolicySet set) {
    if (closed) {
      return Future.succeededFuture();
    }
    Map<String, TrustedRoot.Tuf> wanted = new LinkedHashMap<>();
    for (TrustedRoot root : set.trustedRoots()) {
      root.tuf().ifPresent(t -> wanted.putIfAbsent(t.cache().toString(), t));
    }
    tracked.entrySet().removeIf(e -> {
      if (!wanted.containsKey(e.getKey())) {
        e.getValue().stop();
        return true;
      }
      return false;
    });
    List<Future<Void>> started = new java.util.ArrayList<>();
    for (Map.Entry<String, TrustedRoot.Tuf> e : wanted.entrySet()) {
      if (tracked.containsKey(e.getKey())) {
        continue;
      }
      Optional<HttpClient> http = client(set.gate(), e.getValue().mirror());
      if (http.isEmpty()) {
        continue;
      }
      Tracked t = new Tracked(new TufRepository(e.getValue(), http.get(), REQUEST_TIMEOUT, clock));
      tracked.put(e.getKey(), t);
      if (t.verifiedAt != null) {
        LOG.info(() -> "trusted root from TUF mirror " + e.getValue().mirror() + ": using the cached root verified "
            + age(t) + " ago; refreshing now and every " + e.getValue().refresh());
      }
      started.add(refresh(t));
    }
    return Future.all(started).mapEmpty();
  }

  /** Refreshes every tracked repository now; for tests and operators who cannot wait for the timer. */
  public Future<Void> refreshAll() {
    return onContext(() -> Future.all(tracked.values().stream().map(this::refresh).toList()).mapEmpty());
  }

  private Future<Void> refresh(Tracked t) {
    if (closed || t.refreshing) {
      return Future.succeededFuture();
    }
    t.refreshing = true;
    TrustedRoot.Tuf tuf = t.repository.tuf();
    return vertx.<TufRepository.Refreshed>executeBlocking(() -> t.repository.refresh(), false)
        .onComplete(done -> t.refreshing = false)
        .onSuccess(refreshed -> {
          t.verifiedAt = refreshed.verifiedAt();
          if (refreshed.changed()) {
            t.fresh.increment();
            LOG.info(() -> "trusted root from TUF mirror " + tuf.mirror() + " verified and updated; reloading the"
                + " policies that use it");
            onNewRoot.run();
          } else {
            t.unchanged.increment();
            LOG.fine(() -> "trusted root from TUF mirror " + tuf.mirror() + " verified, unchanged");
          }
        })
        .onFailure(e -> {
          t.failed.increment();
          String reason = e instanceof TufRepository.RefreshFailed ? e.getMessage() : e.toString();
          LOG.warning(() -> "trusted root from TUF mirror " + tuf.mirror() + " could not be refreshed: " + reason + "; "
              + (t.verifiedAt == null ? "no root has been verified yet, so signatures that need it are Unverifiable"
                  : clock.instant().isAfter(t.verifiedAt.plus(tuf.maxAge()))
                  ? "the root verified " + age(t) + " ago (at " + t.verifiedAt + ") is older than its maxAge of "
                      + Durations.format(tuf.maxAge()) + " and no longer used: signatures that need it are"
                      + " Unverifiable until a refresh succeeds"
                  : "keeping the root verified " + age(t) + " ago (at " + t.verifiedAt + ") until it is "
                      + Durations.format(tuf.maxAge()) + " old (maxAge)"));
        })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private String age(Tracked t) {
    Duration d = Duration.between(t.verifiedAt, clock.instant());
    return d.toHours() > 0 ? d.toHours() + "h" + d.toMinutesPart() + "m" : d.toMinutes() + "m" + d.toSecondsPart() + "s";
  }

  /** A client for an allowed mirror, with its TLS settings; empty (logged) when it is not allowed. */
  private static Optional<HttpClient> client(GateConfig gate, URI mirror) {
    String host = mirror.getPort() < 0 ? mirror.getHost() : mirror.getHost() + ":" + mirror.getPort();
    Optional<GateConfig.RegistrySettings> allowed = gate.trustedRootMirror(host);
    if (allowed.isEmpty() || allowed.get().insecure() != "http".equals(mirror.getScheme())) {
      LOG.warning(() -> "TUF mirror " + mirror + " is not allowed by the GateConfig (spec.trustedRootMirrors);"
          + " not contacting it");
      return Optional.empty();
    }
    HttpClient.Builder builder = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(REQUEST_TIMEOUT);
    if (allowed.get().caFile().isPresent()) {
      try {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, TrustStores.withExtraCas(allowed.get().caFile().get()).getTrustManagers(), null);
        builder.sslContext(tls);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        LOG.warning(() -> "TUF mirror " + mirror + ": its caFile cannot be used (" + e.getMessage() + "); not contacting it");
        return Optional.empty();
      }
    }
    return Optional.of(builder.build());
  }

  private Counter counter(String mirror, String outcome) {
    return Counter.builder("promgate_trusted_root_refreshes_total")
        .description("TUF refreshes of trusted roots, by mirror and outcome")
        .tag("mirror", mirror)
        .tag("outcome", outcome)
        .register(metrics);
  }

  @Override
  public void close() {
    closed = true;
    context.runOnContext(v -> {
      tracked.values().forEach(Tracked::stop);
      tracked.clear();
    });
  }
}
