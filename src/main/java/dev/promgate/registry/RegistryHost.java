package dev.promgate.registry;

import dev.promgate.policy.GateConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;

/**
 * One allow-listed registry: where its API lives, the WebClient that talks to it (with its own
 * trust: the JVM's CAs plus the entry's CA bundle), the limiter that caps concurrent requests,
 * the last authentication challenge it sent (so later calls can authenticate up front), and its
 * circuit breaker.
 */
final class RegistryHost {

  private final GateConfig.RegistrySettings settings;
  private final String origin;
  private final WebClient web;
  private final Limiter limiter;
  private final CircuitBreaker breaker;
  private volatile Challenge challenge;
  /** System.nanoTime() until which the referrers API is known to be missing; 0 when not known. */
  private volatile long noReferrersApiUntil;
  /** How long "this registry has no referrers API" is believed before it is probed again. */
  private static final long REFERRERS_API_RECHECK_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);

  private RegistryHost(GateConfig.RegistrySettings settings, String origin, WebClient web, Limiter limiter) {
    this.settings = settings;
    this.origin = origin;
    this.web = web;
    this.limiter = limiter;
    this.breaker = new CircuitBreaker(settings.host());
  }

  /** Builds the client; reads the CA bundle if there is one (blocking, at build time). */
  static RegistryHost create(Vertx vertx, GateConfig.RegistrySettings settings, Duration connectTimeout,
                             int maxConcurrent, String userAgent) {
    WebClientOptions options = new WebClientOptions()
        .setUserAgent(userAgent)
        .setFollowRedirects(false)
        .setVerifyHost(true)
        .setTrustAll(false)
        .setDecompressionSupported(false)
        .setKeepAlive(true)
        .setKeepAliveTimeout(30)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    settings.caFile().ifPresent(ca -> options.setTrustOptions(TrustOptions.wrap(TrustStores.withExtraCas(ca))));
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(maxConcurrent);
    WebClient web = WebClient.create(vertx, options, pool);
    web.addInterceptor(BoundedBody.INTERCEPTOR);
    String scheme = settings.insecure() ? "http" : "https";
    return new RegistryHost(settings, scheme + "://" + apiAuthority(settings.host()), web,
        new Limiter(vertx, maxConcurrent));
  }

  /** Docker Hub's images are named {@code docker.io/…} but its API is {@code registry-1.docker.io}. */
  static String apiAuthority(String registry) {
    return registry.equals("docker.io") ? "registry-1.docker.io" : registry;
  }

  /** The registry as image references name it. */
  String registry() {
    return settings.host();
  }

  GateConfig.RegistrySettings settings() {
    return settings;
  }

  boolean insecure() {
    return settings.insecure();
  }

  /** {@code https://host[:port]} (or {@code http://} for an insecure entry). */
  String origin() {
    return origin;
  }

  WebClient web() {
    return web;
  }

  Limiter limiter() {
    return limiter;
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  Challenge challenge() {
    return challenge;
  }

  void challenge(Challenge c) {
    challenge = c;
  }

  void close() {
    web.close();
  }

  /**
   * Whether a recent probe found no referrers API (distribution 2.8, older Harbor, ECR…): then the
   * referrers tag schema is read directly, saving one round trip per verification.
   */
  boolean lacksReferrersApi() {
    long until = noReferrersApiUntil;
    return until != 0 && System.nanoTime() - until < 0;
  }

  void rememberNoReferrersApi() {
    noReferrersApiUntil = System.nanoTime() + REFERRERS_API_RECHECK_NANOS;
  }
}
