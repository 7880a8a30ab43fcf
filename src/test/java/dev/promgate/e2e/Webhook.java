package dev.promgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.promgate.Server;
import dev.promgate.http.WebhookServer;
import dev.promgate.policy.Mode;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * promgate as users run it — {@link Server#start} over HTTPS with a policy directory — and a client
 * that posts AdmissionReviews to {@code /validate/{environment}} and reads {@code /metrics}, the way
 * the API server and Prometheus do.
 */
final class Webhook implements AutoCloseable {

  private final Server server;
  private final Vertx vertx;
  private final WebClient client;

  private Webhook(Server server, Vertx vertx, WebClient client) {
    this.server = server;
    this.vertx = vertx;
    this.client = client;
  }

  /**
   * Starts {@code promgate serve --policies policies --certs certs [--mode audit]} on an ephemeral
   * port; a development certificate is generated in {@code certs} when it holds none.
   */
  static Webhook start(Path policies, Path certs, Optional<Mode> mode) throws Exception {
    return start(policies, certs, mode, Clock.systemUTC(), Ticker.systemTicker());
  }

  /** The same, on the time given (see {@link dev.promgate.testing.ShiftedTime}). */
  static Webhook start(Path policies, Path certs, Optional<Mode> mode, Clock clock, Ticker ticker) throws Exception {
    Server server = Await.result(Server.start(new Server.Options(policies, certs, "127.0.0.1", 0, mode,
        WebhookServer.Settings.DEFAULT_BODY_LIMIT), clock, ticker));
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certs.resolve("ca.crt").toString())));
    Webhook webhook = new Webhook(server, vertx, client);
    HttpResponse<Buffer> ready = Await.result(client.get(server.port(), "localhost", "/readyz").send());
    if (ready.statusCode() != 200) {
      webhook.close();
      throw new AssertionError("promgate is not ready (" + ready.bodyAsString().strip() + "): the policies in "
          + policies + " did not load; the log above lists their problems");
    }
    return webhook;
  }

  /** The AdmissionReview response, as the API server reads it. */
  record Answer(boolean allowed, int code, String message, List<String> warnings,
                Map<String, String> auditAnnotations, JsonNode response) {

    static Answer of(JsonNode review) {
      JsonNode response = review.path("response");
      List<String> warnings = new ArrayList<>();
      response.path("warnings").forEach(w -> warnings.add(w.asText()));
      Map<String, String> annotations = new LinkedHashMap<>();
      response.path("auditAnnotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
      return new Answer(response.path("allowed").asBoolean(false), response.path("status").path("code").asInt(0),
          response.path("status").path("message").asText(""), warnings, annotations, response);
    }

    @Override
    public String toString() {
      return response.toPrettyString();
    }
  }

  /** POSTs the review to {@code /validate/{environment}} and reads the answer; the HTTP status must be 200. */
  Answer admit(String environment, ObjectNode review) throws Exception {
    HttpResponse<Buffer> r = Await.result(client.post(server.port(), "localhost", "/validate/" + environment)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(Reviews.bytes(review))));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonNode answer = Reviews.JSON.readTree(r.bodyAsString());
    assertEquals(review.path("request").path("uid").asText(), answer.path("response").path("uid").asText());
    return Answer.of(answer);
  }

  /** {@code GET /metrics}: the Prometheus text. */
  Metrics metrics() throws Exception {
    HttpResponse<Buffer> r = Await.result(client.get(server.port(), "localhost", "/metrics").send());
    assertEquals(200, r.statusCode());
    return new Metrics(r.bodyAsString());
  }

  @Override
  public void close() throws Exception {
    server.close();
    Await.result(vertx.close());
  }

  /** A scrape of {@code /metrics}, read the way a PromQL {@code sum(...)} would. */
  record Metrics(String text) {

    /** HTTP requests promgate sent to this registry ({@code promgate_registry_requests_total}), every endpoint and outcome. */
    double registryRequests(String registry) {
      return sum("promgate_registry_requests_total", "registry=\"" + registry + "\"");
    }

    /** {@code promgate_registry_requests_total} for one registry, by {@code endpoint/outcome}. */
    Map<String, Double> registryRequestsByEndpoint(String registry) {
      Map<String, Double> byEndpoint = new LinkedHashMap<>();
      for (String line : text.lines().toList()) {
        if (line.startsWith("promgate_registry_requests_total{") && line.contains("registry=\"" + registry + "\"")) {
          byEndpoint.merge(label(line, "endpoint") + "/" + label(line, "outcome"), value(line), Double::sum);
        }
      }
      return byEndpoint;
    }

    /** {@code promgate_cache_lookups_total{result=...}}: hit, miss, coalesced or stale. */
    double cacheLookups(String result) {
      return sum("promgate_cache_lookups_total", "result=\"" + result + "\"");
    }

    /** Verifications run, whatever their outcome ({@code promgate_verification_seconds_count}). */
    double verifications() {
      return sum("promgate_verification_seconds_count", "");
    }

    private double sum(String name, String labelMatch) {
      double total = 0;
      for (String line : text.lines().toList()) {
        if (line.startsWith(name + "{") && line.contains(labelMatch)) {
          total += value(line);
        }
      }
      return total;
    }

    private static double value(String line) {
      return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static String label(String line, String name) {
      int start = line.indexOf(name + "=\"") + name.length() + 2;
      return line.substring(start, line.indexOf('"', start));
    }
  }

  /** Writes a policy directory: file name → content. */
  static Path writePolicies(Path dir, Map<String, String> files) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> f : files.entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A GateConfig allowing only the local test registry (plain HTTP), with namespace rules for
   * {@code *-dev}, {@code *-preprod} and {@code *-prod}, and {@code extraSpec} (YAML indented by two
   * spaces, e.g. a {@code cache:} block) appended to its spec.
   */
  static String gateConfig(String registryHost, String extraSpec) {
    return """
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        metadata: {name: gate}
        spec:
          mode: enforce
          defaultEnvironment: dev
          namespaces:
            - {match: "*-prod", environment: prod}
            - {match: "*-preprod", environment: preprod}
            - {match: "*-dev", environment: dev}
          exemptNamespaces: [kube-system]
          registries:
            - host: "%s"
              insecure: true
        """.formatted(registryHost) + extraSpec;
  }
}
