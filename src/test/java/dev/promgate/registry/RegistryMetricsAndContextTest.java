package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.testing.Await;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Metrics per exchange, completion on the caller's context, and allow-list updates. */
class RegistryMetricsAndContextTest {

  Vertx vertx;
  FakeRegistry fake;
  Digest digest;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    fake = new FakeRegistry(vertx);
    Digest config = fake.putBlob("m/web", "{}".getBytes(StandardCharsets.UTF_8));
    digest = fake.putManifest("m/web", "1.0", MediaTypes.OCI_MANIFEST, ("{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
        + config + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    fake.close();
    Await.result(vertx.close());
  }

  @Test
  void everyExchangeIsCountedByRegistryEndpointAndOutcomeAndTimed() {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RegistryClient client = RegistryClient.builder(vertx).registries(List.of(fake.settings()))
        .meterRegistry(meters).build();

    Await.result(client.resolve(fake.reference("m/web:1.0"), Await.deadline()));
    Await.failure(client.manifest(fake.reference("m/web:2.0"), Await.deadline()), RegistryException.class);

    Counter ok = meters.get(RegistryMetrics.REQUESTS)
        .tags("registry", fake.host(), "endpoint", "manifest-head", "outcome", "ok").counter();
    Counter notFound = meters.get(RegistryMetrics.REQUESTS)
        .tags("registry", fake.host(), "endpoint", "manifest", "outcome", "not_found").counter();
    Timer latency = meters.get(RegistryMetrics.LATENCY).tags("registry", fake.host(), "endpoint", "manifest").timer();
    assertEquals(1.0, ok.count());
    assertEquals(1.0, notFound.count());
    assertEquals(1, latency.count());
    String scrape = meters.scrape();
    assertTrue(scrape.contains("promgate_registry_requests_total{endpoint=\"manifest\",outcome=\"not_found\",registry=\""
        + fake.host() + "\"} 1.0"), scrape);
    assertTrue(scrape.contains("promgate_registry_request_seconds_bucket{endpoint=\"manifest\",registry=\""
        + fake.host() + "\",le=\"0.1\"}"), scrape);
    client.close();
  }

  @Test
  void resultsArriveOnTheCallersContext() {
    RegistryClient client = RegistryClient.builder(vertx).registries(List.of(fake.settings()))
        .maxConcurrentRequestsPerRegistry(1).build();
    Context context = vertx.getOrCreateContext();
    Promise<Boolean> sameContext = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Digest>> calls = List.of(
          client.resolve(fake.reference("m/web:1.0"), Await.deadline()),
          client.resolve(fake.reference("m/web:1.0"), Await.deadline()),
          client.manifest(fake.reference("m/web@" + digest), Await.deadline()).map(Manifest::digest));
      Future.all(calls).onComplete(ar -> sameContext.complete(ar.succeeded() && Vertx.currentContext() == context));
    });

    assertTrue(Await.result(sameContext.future()));
    client.close();
  }

  @Test
  void theAllowListCanBeReplaced() {
    RegistryClient client = RegistryClient.builder(vertx).registries(List.of()).build();
    assertEquals(RegistryException.Kind.NOT_ALLOWED,
        Await.failure(client.resolve(fake.reference("m/web:1.0"), Await.deadline()), RegistryException.class).kind());

    client.updateRegistries(List.of(fake.settings()));

    assertTrue(client.allows(fake.host()));
    assertEquals(digest, Await.result(client.resolve(fake.reference("m/web:1.0"), Await.deadline())));
    client.updateRegistries(List.of());
    assertFalse(client.allows(fake.host()));
    client.close();
  }

  @Test
  void builderSaysWhatIsWrong() {
    RegistryClientBuilder b = RegistryClient.builder(vertx);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.maxManifestBytes(0));
    assertEquals("maxManifestBytes must be positive, found 0", e.getMessage());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> RegistryClient.builder(vertx).registries(List.of(fake.settings(), fake.settings())).build());
    assertEquals("registry " + fake.host() + " is listed twice in the allow-list", twice.getMessage());
  }
}
