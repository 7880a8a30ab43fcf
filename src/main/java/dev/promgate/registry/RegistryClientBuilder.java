package dev.promgate.registry;

import dev.promgate.policy.GateConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Settings of a {@link RegistryClient}; each setter checks its input and says what is wrong. */
public final class RegistryClientBuilder {
  // Package-private: the client reads them once, when it is built.
  final Vertx vertx;
  List<GateConfig.RegistrySettings> registries = List.of();
  Path credentials;
  Duration credentialsReloadInterval = Duration.ofSeconds(5);
  Duration connectTimeout = Duration.ofSeconds(2);
  Duration requestTimeout = Duration.ofSeconds(5);
  long maxManifestBytes = 4 * Sizes.MIB;
  long maxBlobBytes = 16 * Sizes.MIB;
  int maxConcurrent = 16;
  int maxAttachments = 128;
  long maxAttachmentBytes = 64 * Sizes.MIB;
  RetryPolicy retryPolicy = RetryPolicy.defaults();
  MeterRegistry meterRegistry;
  Clock clock = Clock.systemUTC();
  String userAgent = "promgate";
  Destinations.Resolver resolver;

  RegistryClientBuilder(Vertx vertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  /** How host names are resolved before the addresses are checked. Default: the JVM's resolver. */
  RegistryClientBuilder resolver(Destinations.Resolver hostResolver) {
    this.resolver = Objects.requireNonNull(hostResolver, "hostResolver");
    return this;
  }

  /** The allow-list; no other registry is ever contacted. Default: empty (nothing is reachable). */
  public RegistryClientBuilder registries(List<GateConfig.RegistrySettings> registries) {
    this.registries = List.copyOf(registries);
    return this;
  }

  /** A Docker config JSON file with credentials (a mounted dockerconfigjson secret). Default: none. */
  public RegistryClientBuilder credentials(Path dockerConfigJson) {
    this.credentials = Objects.requireNonNull(dockerConfigJson, "dockerConfigJson");
    return this;
  }

  /** How often the credentials file is checked for changes. Default 5 s; zero checks on every use. */
  public RegistryClientBuilder credentialsReloadInterval(Duration interval) {
    this.credentialsReloadInterval = notNegative("credentialsReloadInterval", interval);
    return this;
  }

  /** The TCP (and TLS) connect timeout. Default 2 s. */
  public RegistryClientBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = positive("connectTimeout", timeout);
    return this;
  }

  /** The longest one HTTP request may take, body included. Default 5 s. */
  public RegistryClientBuilder requestTimeout(Duration timeout) {
    this.requestTimeout = positive("requestTimeout", timeout);
    return this;
  }

  /** The cap on a manifest, index, tag list or referrers page. Default 4 MiB. */
  public RegistryClientBuilder maxManifestBytes(long bytes) {
    this.maxManifestBytes = positive("maxManifestBytes", bytes);
    return this;
  }

  /** The cap on a blob (a signature payload, an attestation, a bundle). Default 16 MiB. */
  public RegistryClientBuilder maxBlobBytes(long bytes) {
    this.maxBlobBytes = positive("maxBlobBytes", bytes);
    return this;
  }

  /** Requests in flight per registry; more wait in line. Default 16. */
  public RegistryClientBuilder maxConcurrentRequestsPerRegistry(int max) {
    this.maxConcurrent = (int) positive("maxConcurrentRequestsPerRegistry", max);
    return this;
  }

  /**
   * The most attached items read for one image: referrers of the wanted types, and layers of one
   * signature, attestation or referrer manifest. More fails with TOO_LARGE. Default 128.
   */
  public RegistryClientBuilder maxAttachments(int max) {
    this.maxAttachments = (int) positive("maxAttachments", max);
    return this;
  }

  /**
   * The most layer bytes {@link RegistryClient#attachments} reads for one image, all artifacts
   * together (declared sizes, checked before fetching). Default 64 MiB.
   */
  public RegistryClientBuilder maxAttachmentBytes(long bytes) {
    this.maxAttachmentBytes = positive("maxAttachmentBytes", bytes);
    return this;
  }

  /** Retries for 429, 5xx and refused or reset connections. Default {@link RetryPolicy#defaults()}. */
  public RegistryClientBuilder retryPolicy(RetryPolicy policy) {
    this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
    return this;
  }

  /** Where to record request metrics. Default: none. */
  public RegistryClientBuilder meterRegistry(MeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
    return this;
  }

  /** The User-Agent header. Default {@code promgate}. */
  public RegistryClientBuilder userAgent(String agent) {
    if (agent == null || agent.isBlank()) {
      throw new IllegalArgumentException("userAgent must not be blank");
    }
    this.userAgent = agent;
    return this;
  }

  RegistryClientBuilder clock(Clock c) {
    this.clock = Objects.requireNonNull(c);
    return this;
  }

  /**
   * The client. Reads the CA bundles of the allow-list (blocking): call it at startup or on a worker.
   *
   * @throws IllegalArgumentException when a CA bundle cannot be read or a registry is listed twice
   */
  public RegistryClient build() {
    return new RegistryClient(this);
  }

  private static Duration positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, found " + d);
    }
    return d;
  }

  private static Duration notNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, found " + d);
    }
    return d;
  }

  private static long positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, found " + value);
    }
    return value;
  }
}
