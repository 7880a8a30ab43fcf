package dev.promgate.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code promgate_registry_requests_total{registry,endpoint,outcome}} and
 * {@code promgate_registry_request_seconds{registry,endpoint}} (a histogram), one sample per HTTP
 * exchange. Cardinality is bounded: registries come from the allow-list, endpoints and outcomes
 * are fixed sets.
 */
final class RegistryMetrics {

  static final String REQUESTS = "promgate.registry.requests";
  static final String LATENCY = "promgate.registry.request";

  private static final Duration[] BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
  /** The current breaker of each registry (a reload may replace a registry's client and breaker). */
  private final ConcurrentMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> refusals = new ConcurrentHashMap<>();

  RegistryMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static RegistryMetrics none() {
    return new RegistryMetrics(null);
  }

  void record(String registryHost, String endpoint, String outcome, long nanos) {
    if (registry == null) {
      return;
    }
    counters.computeIfAbsent(registryHost + '\n' + endpoint + '\n' + outcome, k ->
        Counter.builder(REQUESTS)
            .description("HTTP requests promgate made to registries, by outcome")
            .tag("registry", registryHost).tag("endpoint", endpoint).tag("outcome", outcome)
            .register(registry)).increment();
    timers.computeIfAbsent(registryHost + '\n' + endpoint, k ->
        Timer.builder(LATENCY)
            .description("Latency of HTTP requests promgate made to registries")
            .tag("registry", registryHost).tag("endpoint", endpoint)
            .serviceLevelObjectives(BUCKETS)
            .register(registry)).record(Duration.ofNanos(nanos));
  }

  /**
   * {@code promgate_registry_circuit_state{registry}}: 0 closed, 1 open, 2 half-open. Called for
   * every exchange; registers the gauge once per registry.
   */
  void watch(String registryHost, CircuitBreaker breaker) {
    if (registry == null || breakers.get(registryHost) == breaker) {
      return;
    }
    if (breakers.put(registryHost, breaker) == null) {
      Gauge.builder("promgate.registry.circuit.state", breakers,
              all -> all.containsKey(registryHost) ? all.get(registryHost).state().gauge : 0)
          .description("Circuit breaker of a registry: 0 closed, 1 open (requests fail at once), 2 half-open (probing)")
          .tag("registry", registryHost).register(registry);
    }
  }

  /** {@code promgate_registry_circuit_refusals_total{registry}}: requests failed at once by an open breaker. */
  void refused(String registryHost) {
    if (registry == null) {
      return;
    }
    refusals.computeIfAbsent(registryHost, k -> Counter.builder("promgate.registry.circuit.refusals")
        .description("Registry requests failed at once because the registry's circuit breaker is open")
        .tag("registry", registryHost).register(registry)).increment();
  }

  /** The outcome label of an answer. */
  static String outcome(int status) {
    if (status >= 200 && status < 300) {
      return "ok";
    }
    if (status >= 300 && status < 400) {
      return "redirect";
    }
    return switch (status) {
      case 401, 403 -> "unauthorized";
      case 404 -> "not_found";
      case 429 -> "rate_limited";
      default -> status >= 500 ? "server_error" : "client_error";
    };
  }

  /** The outcome label of an exchange that produced no answer. */
  static String outcome(RegistryException.Kind kind) {
    return kind.category().replace('-', '_');
  }
}
