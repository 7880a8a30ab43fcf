package dev.promgate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.Server;
import dev.promgate.policy.Mode;
import dev.promgate.testing.Await;
import dev.promgate.testing.Fixtures;
import dev.promgate.testing.Reviews;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The real server over real TLS: the edge must answer every input with a clear status, never a 500. */
class WebhookServerTest {

  @TempDir
  static Path work;
  static Server server;
  static Server auditServer;
  static Vertx vertx;
  static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    Path policies = work.resolve("policies");
    copy(Path.of("policies"), policies);
    Path certs = work.resolve("certs");
    server = Await.result(Server.start(new Server.Options(policies, certs, "127.0.0.1", 0, Optional.empty(),
        WebhookServer.Settings.DEFAULT_BODY_LIMIT)));
    auditServer = Await.result(Server.start(new Server.Options(policies, certs, "127.0.0.1", 0, Optional.of(Mode.AUDIT),
        WebhookServer.Settings.DEFAULT_BODY_LIMIT)));
    vertx = Vertx.vertx();
    client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certs.resolve("ca.crt").toString())));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    auditServer.close();
    Await.result(vertx.close());
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  static HttpResponse<Buffer> post(Server s, String path, String contentType, byte[] body) throws Exception {
    var request = client.post(s.port(), "localhost", path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return Await.result(request.sendBuffer(Buffer.buffer(body)));
  }

  static HttpResponse<Buffer> get(String path) throws Exception {
    return Await.result(client.get(server.port(), "localhost", path).send());
  }

  @Test
  void healthReadinessAndMetrics() throws Exception {
    assertEquals(200, get("/healthz").statusCode());
    assertEquals(200, get("/readyz").statusCode());
    HttpResponse<Buffer> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.bodyAsString().contains("jvm_memory_used_bytes"), "JVM metrics");
  }

  @Test
  void aMutableTagIsDeniedInProdNamingContainerAndFix() throws Exception {
    HttpResponse<Buffer> r = post(server, "/validate/prod", "application/json",
        Reviews.bytes(Reviews.deployment("shop-prod", "shop/web:1.4")));
    assertEquals(200, r.statusCode());
    JsonNode response = Reviews.JSON.readTree(r.bodyAsString()).path("response");
    assertFalse(response.path("allowed").asBoolean(true));
    String message = response.path("status").path("message").asText();
    assertTrue(message.contains("container \"web\": shop/web:1.4 uses the mutable tag \"1.4\""), message);
    assertTrue(message.contains("fix: pin it as docker.io/shop/web@sha256:<digest>"), message);
    assertEquals(403, response.path("status").path("code").asInt());
  }

  @Test
  void inAuditModeTheSameRequestIsAllowedWithWarningsAndAuditAnnotations() throws Exception {
    HttpResponse<Buffer> r = post(auditServer, "/validate/prod", "application/json",
        Reviews.bytes(Reviews.deployment("shop-prod", "shop/web:1.4")));
    JsonNode response = Reviews.JSON.readTree(r.bodyAsString()).path("response");
    assertTrue(response.path("allowed").asBoolean(false));
    assertTrue(response.path("warnings").path(0).asText().contains("uses the mutable tag"), response.toString());
    assertEquals("audit-deny", response.path("auditAnnotations").path("decision").asText());
    assertTrue(response.path("auditAnnotations").path("reasons").asText().contains("mutable tag"));
  }

  @Test
  void theResponseEchoesTheRequestUid() throws Exception {
    var review = Reviews.pod("kube-system", "anything:latest");
    String uid = review.path("request").path("uid").asText();
    JsonNode response = Reviews.JSON.readTree(post(server, "/validate", "application/json", Reviews.bytes(review))
        .bodyAsString()).path("response");
    assertEquals(uid, response.path("uid").asText());
    assertTrue(response.path("allowed").asBoolean());
  }

  @Test
  void badInputGetsAOneLine400() throws Exception {
    for (String body : List.of("{", "null", "[1]", "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}",
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":null}", "")) {
      HttpResponse<Buffer> r = post(server, "/validate/prod", "application/json", body.getBytes());
      assertEquals(400, r.statusCode(), body);
      assertEquals(1, r.bodyAsString().strip().lines().count(), r.bodyAsString());
    }
    assertEquals(415, post(server, "/validate/prod", "text/plain", "{}".getBytes()).statusCode());
    assertEquals(415, post(server, "/validate/prod", null, "{}".getBytes()).statusCode());
  }

  @Test
  void aTenMegabyteBodyIsRefusedWith413() throws Exception {
    byte[] big = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    HttpResponse<Buffer> r = post(server, "/validate/prod", "application/json", big);
    assertEquals(413, r.statusCode());
  }

  @Test
  void unknownPathsAndMethodsGetClearAnswers() throws Exception {
    assertEquals(404, get("/nope").statusCode());
    assertEquals(405, get("/validate/prod").statusCode());
  }

  static Stream<Path> allFixtureReviews() throws IOException {
    Stream<Path> connaisseur = Files.list(Fixtures.path("connaisseur", "admission_requests"));
    Stream<Path> kubewarden = Files.list(Fixtures.path("kubewarden-verify-image-signatures"))
        .filter(p -> p.toString().endsWith(".json"));
    return Stream.concat(connaisseur, kubewarden).sorted();
  }

  @ParameterizedTest
  @MethodSource("allFixtureReviews")
  void everyRealReviewGetsACorrectAnswerAndNoneA500(Path file) throws Exception {
    byte[] body = Files.readAllBytes(file);
    boolean bareRequest = file.getParent().getFileName().toString().startsWith("kubewarden");
    if (bareRequest) {
      body = Reviews.bytes(Reviews.kubewarden(file.getFileName().toString()));
    }
    HttpResponse<Buffer> r = post(server, "/validate/prod", "application/json", body);
    assertNotEquals(500, r.statusCode());
    JsonNode raw = Reviews.JSON.readTree(Files.readAllBytes(file));
    if (!bareRequest && (raw.isNull() || !raw.path("apiVersion").asText().equals("admission.k8s.io/v1")
        || !raw.path("request").has("uid"))) {
      assertEquals(400, r.statusCode(), r.bodyAsString());
      return;
    }
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonNode response = Reviews.JSON.readTree(r.bodyAsString()).path("response");
    JsonNode request = bareRequest ? raw : raw.path("request");
    assertEquals(request.path("uid").asText(), response.path("uid").asText());
    String kind = request.path("kind").path("kind").asText();
    String namespace = request.path("namespace").asText();
    boolean workload = !kind.equals("Role");
    boolean unchangedUpdate = request.path("operation").asText().equals("UPDATE")
        && new java.util.HashSet<>(request.path("oldObject").findValuesAsString("image"))
            .containsAll(request.path("object").findValuesAsString("image"));
    if (unchangedUpdate) {
      // A real controller update that leaves the images alone is never blocked.
      assertTrue(response.path("allowed").asBoolean(false), file + ": " + response);
    } else if (workload && !namespace.equals("kube-system")) {
      // Nothing in these fixtures is a promoted digest on an allowed registry: all are denied in prod.
      assertFalse(response.path("allowed").asBoolean(true), file + ": " + response);
      assertFalse(response.path("status").path("message").asText().isBlank());
    } else {
      assertTrue(response.path("allowed").asBoolean(false), file + ": " + response);
    }
  }
}
