package dev.promgate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.promgate.AdmissionPipeline;
import dev.promgate.decision.DecisionLog;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.Authority;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestPolicies;
import dev.promgate.tls.ServingCertificate;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.Verifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook on several event loops: connections are spread over the loops, and the loops share
 * one verdict cache, so one digest asked for on every loop at once is verified once.
 */
class EventLoopsTest {

  static final int LOOPS = 4;
  static final String IMAGE = "registry.acme.example/shop/web@sha256:" + "ab".repeat(32);

  @TempDir
  Path certs;
  Vertx vertx;
  WebhookServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      Await.result(server.close());
    }
    Await.result(vertx.close());
  }

  @Test
  void oneDigestOnEveryLoopAtOnceIsVerifiedOnce() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(LOOPS));
    Authority.Key ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
    PolicySet policies = TestPolicies.create().policy("shop", "registry.acme.example/**", Map.of("ci", ci),
        Map.of("prod", TestPolicies.signedBy("prod", ci))).build();

    // The verification finishes only once every request has reached the cache: until then they all
    // find it under way, whichever loop they run on.
    Promise<Verdict> allArrived = Promise.promise();
    AtomicInteger verifications = new AtomicInteger();
    Verifier verifier = (request, deadline) -> {
      verifications.incrementAndGet();
      return allArrived.future();
    };
    VerdictCache cache = new VerdictCache(verifier, policies.gate().cache(), Ticker.systemTicker(),
        Clock.systemUTC(), new SimpleMeterRegistry());
    Set<String> loops = ConcurrentHashMap.newKeySet();
    AtomicInteger arrived = new AtomicInteger();
    VerdictSource counting = (request, deadline) -> {
      loops.add(Thread.currentThread().getName());
      Future<dev.promgate.verdict.Lookup> lookup = cache.lookup(request, deadline);
      if (arrived.incrementAndGet() == LOOPS) {
        allArrived.complete(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "test"))));
      }
      return lookup;
    };
    List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    AdmissionPipeline pipeline = new AdmissionPipeline(() -> policies, new ImageJudge(counting, TagResolver.NONE),
        Optional.empty(), new DecisionLog(logLines::add), Clock.systemUTC(), new SimpleMeterRegistry());
    ServingCertificate certificate = ServingCertificate.ensure(certs).certificate();
    server = Await.result(WebhookServer.start(vertx, new WebhookServer.Settings("127.0.0.1", 0,
                WebhookServer.Settings.DEFAULT_BODY_LIMIT, LOOPS), certificate, pipeline, () -> true,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    assertEquals(LOOPS, server.eventLoops());

    // One connection per request, all at once: the server hands connections to its loops in turn.
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(false)
        .setKeepAlive(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(certs.resolve("ca.crt").toString())),
        new PoolOptions().setHttp1MaxSize(LOOPS));
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (int i = 0; i < LOOPS; i++) {
      answers.add(client.post(server.port(), "127.0.0.1", "/validate/prod")
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(Reviews.bytes(Reviews.pod("shop", IMAGE)))));
    }
    Await.result(Future.all(answers));

    for (Future<HttpResponse<Buffer>> answer : answers) {
      JsonObject review = answer.result().bodyAsJsonObject();
      assertEquals(true, review.getJsonObject("response").getBoolean("allowed"), review.encode());
    }
    assertEquals(1, verifications.get(), "one verification for the digest, shared by every loop");
    assertEquals(LOOPS, loops.size(), "each request ran on its own event loop: " + loops);
    assertTrue(loops.stream().allMatch(name -> name.startsWith("vert.x-eventloop-thread-")), loops.toString());
    assertEquals(LOOPS, logLines.size(), "every decision logged once");
    assertEquals(1, logLines.stream().filter(line -> line.contains("\"cache\":\"miss\"")).count(), logLines.toString());
  }

  @Test
  void defaultIsOneLoopPerProcessor() {
    vertx = Vertx.vertx();
    assertEquals(Runtime.getRuntime().availableProcessors(),
        new WebhookServer.Settings("127.0.0.1", 0, WebhookServer.Settings.DEFAULT_BODY_LIMIT).eventLoops());
  }

  @Test
  void zeroLoopsIsRefused() {
    vertx = Vertx.vertx();
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new WebhookServer.Settings("127.0.0.1", 0, 1024, 0));
    assertEquals("event loops must be at least 1, found 0", e.getMessage());
  }
}
