package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A registry that cannot be reached fails fast, until one probe finds it again. */
class CircuitBreakerTest {

  /** A clock the test moves; the breaker reads time only through it. */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.parse("2026-11-26T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  static Vertx vertx;
  FakeRegistry fake;
  RegistryClient client;
  final MovableClock clock = new MovableClock();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  volatile boolean down = true;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    Await.result(vertx.close());
  }

  @BeforeEach
  void start() {
    fake = new FakeRegistry(vertx);
    // "Down": every connection is reset before an answer, as a dying registry or proxy does.
    fake.when(r -> down, r -> r.connection().close());
    client = RegistryClient.builder(vertx).registries(List.of(fake.settings())).clock(clock)
        .meterRegistry(meters).retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  private Digest manifest() {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Digest configDigest = fake.putBlob("cb/web", config);
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[]}";
    return fake.putManifest("cb/web", "1.0", MediaTypes.OCI_MANIFEST, json.getBytes(StandardCharsets.UTF_8));
  }

  private RegistryException failure() {
    return Await.failure(client.resolve(fake.reference("cb/web:1.0"), Await.deadline()), RegistryException.class);
  }

  private double state() {
    return meters.get("promgate.registry.circuit.state").tag("registry", fake.host()).gauge().value();
  }

  @Test
  void consecutiveConnectionFailuresOpenTheBreakerAndLaterCallsFailWithoutConnecting() {
    for (int i = 0; i < CircuitBreaker.FAILURES_TO_OPEN; i++) {
      RegistryException e = failure();
      assertEquals(RegistryException.Kind.UNREACHABLE, e.kind(), e.getMessage());
    }
    int requests = fake.requests().size();
    assertEquals(CircuitBreaker.FAILURES_TO_OPEN, requests);
    assertEquals(1.0, state());

    RegistryException fast = failure();

    assertEquals(RegistryException.Kind.UNREACHABLE, fast.kind());
    assertTrue(fast.getMessage().contains("circuit breaker is open after 5 connection failures"), fast.getMessage());
    assertEquals(requests, fake.requests().size(), "an open breaker sends nothing");
    assertEquals(1.0, meters.get("promgate.registry.circuit.refusals").tag("registry", fake.host()).counter().count());
  }

  @Test
  void afterTheProbeIntervalOneProbeGoesOutAndItsSuccessClosesTheBreaker() {
    Digest d = manifest();
    for (int i = 0; i < CircuitBreaker.FAILURES_TO_OPEN; i++) {
      failure();
    }
    down = false;
    failure();
    int sent = fake.requests().size();

    clock.advance(CircuitBreaker.PROBE_INTERVAL);
    assertEquals(d, Await.result(client.resolve(fake.reference("cb/web:1.0"), Await.deadline())));

    assertEquals(sent + 1, fake.requests().size(), "exactly one probe");
    assertEquals(0.0, state());
    assertEquals(d, Await.result(client.resolve(fake.reference("cb/web:1.0"), Await.deadline())));
  }

  @Test
  void aFailedProbeOpensTheBreakerForAnotherInterval() {
    for (int i = 0; i < CircuitBreaker.FAILURES_TO_OPEN; i++) {
      failure();
    }
    clock.advance(CircuitBreaker.PROBE_INTERVAL);
    failure();
    int sent = fake.requests().size();
    assertEquals(CircuitBreaker.FAILURES_TO_OPEN + 1, sent, "the probe went out");

    assertTrue(failure().getMessage().contains("circuit breaker is open"));
    assertEquals(sent, fake.requests().size());
  }

  @Test
  void anyHttpAnswerCountsAsReachable() {
    for (int i = 0; i < CircuitBreaker.FAILURES_TO_OPEN - 1; i++) {
      failure();
    }
    down = false;
    assertEquals(RegistryException.Kind.NOT_FOUND, failure().kind(), "a 404 is an answer");
    down = true;
    for (int i = 0; i < CircuitBreaker.FAILURES_TO_OPEN - 1; i++) {
      failure();
    }
    assertEquals(0.0, state(), "the count started again after the answer");
  }

  @Test
  void whileHalfOpenOnlyTheProbeGoesOut() {
    CircuitBreaker breaker = new CircuitBreaker("r");
    Instant t = clock.instant();
    for (int i = 0; i < CircuitBreaker.FAILURES_TO_OPEN; i++) {
      assertEquals(CircuitBreaker.Admission.PASS, breaker.admit(t));
      breaker.failed(t, "refused");
    }
    assertEquals(CircuitBreaker.Admission.REFUSE, breaker.admit(t));
    Instant later = t.plus(CircuitBreaker.PROBE_INTERVAL);
    assertEquals(CircuitBreaker.Admission.PROBE, breaker.admit(later));
    assertEquals(CircuitBreaker.Admission.REFUSE, breaker.admit(later));
    breaker.probeAbandoned(later);
    assertEquals(CircuitBreaker.Admission.PROBE, breaker.admit(later), "an abandoned probe lets the next one try");
    breaker.succeeded(later);
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
  }
}
