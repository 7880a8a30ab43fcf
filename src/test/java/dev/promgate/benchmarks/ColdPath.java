package dev.promgate.benchmarks;

import dev.promgate.AdmissionPipeline;
import dev.promgate.Server;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Reviews;
import dev.promgate.verdict.CacheSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Cold path: time to the decision for a new digest with one signature and two attestations
 * (promotions) against a local docker-registry, and the registry requests it took, side by side with
 * the same requests made by a plain Vert.x WebClient (the registry's floor): one digest, and pods of
 * three. After the first digest (cold JIT, new connection), new digests warm the JIT before anything
 * is measured, as in a server that has been running; then promgate and the plain client take turns.
 * The pipeline is wired exactly as {@code promgate serve} wires it. Run: {@code benchmarks/cold-path.sh}.
 */
public final class ColdPath {

  public static void main(String[] args) throws Exception {
    int digests = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    Path work = Files.createTempDirectory("promgate-cold");
    try (SignedRegistry fixture = new SignedRegistry(work)) {
      PolicyLoadResult loaded = PolicyLoader.load(fixture.policies);
      if (loaded instanceof PolicyLoadResult.Failed failed) {
        throw new IllegalStateException("benchmark policies do not load: " + failed.problems());
      }
      PolicySet set = ((PolicyLoadResult.Loaded) loaded).policies();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      Vertx vertx = Vertx.vertx();
      AdmissionPipeline pipeline = Server.offlinePipeline(vertx, set, Optional.empty(), new DecisionLog(l -> { }),
          Clock.systemUTC(), meters);
      WebClient web = WebClient.create(vertx);
      // Decisions start on an event loop, as the webhook's do.
      Context loop = vertx.getOrCreateContext();

      ImageReference first = fixture.pushPromoted("shop/first");
      double before = registryRequests(meters);
      long started = System.nanoTime();
      admitted(on(loop, () -> admit(pipeline, first)));
      System.out.printf("first digest (new connection, referrers API probe, cold JIT): %.1f ms, %.0f registry requests%n",
          (System.nanoTime() - started) / 1e6, registryRequests(meters) - before);

      // A server that has been running: the JIT has compiled the registry client, the verification
      // and the plain client alike. Not counted.
      for (int i = 0; i < WARM_UP; i++) {
        ImageReference a = fixture.pushPromoted("shop/warm-" + i);
        ImageReference b = fixture.pushPromoted("shop/warm-floor-" + i);
        admitted(on(loop, () -> admit(pipeline, a)));
        on(loop, () -> plainRequests(web, fixture, b));
      }

      // Measured in turns: a new digest through promgate, then another with the plain client.
      List<Long> promgate = new ArrayList<>();
      List<Long> plain = new ArrayList<>();
      List<Double> requests = new ArrayList<>();
      for (int i = 0; i < digests; i++) {
        ImageReference a = fixture.pushPromoted("shop/service-" + i);
        ImageReference b = fixture.pushPromoted("shop/floor-" + i);
        before = registryRequests(meters);
        started = System.nanoTime();
        admitted(on(loop, () -> admit(pipeline, a)));
        promgate.add((System.nanoTime() - started) / 1000);
        requests.add(registryRequests(meters) - before);
        started = System.nanoTime();
        on(loop, () -> plainRequests(web, fixture, b));
        plain.add((System.nanoTime() - started) / 1000);
      }
      double one = p50(promgate);
      System.out.printf("%d new digests, in turns with the plain client: promgate p50 %.1f ms, p90 %.1f ms, max %.1f ms "
              + "(registry requests per digest: %s); the same six requests with a plain Vert.x WebClient (the "
              + "registry's floor) p50 %.1f ms; promgate / floor: %.2f%n", digests, one, percentile(promgate, 0.9),
          percentile(promgate, 1.0), requests.stream().distinct().toList(), p50(plain), one / p50(plain));

      List<Long> pods = new ArrayList<>();
      List<Long> plainPods = new ArrayList<>();
      for (int i = 0; i < PODS; i++) {
        List<ImageReference> three = new ArrayList<>();
        List<ImageReference> plainThree = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
          three.add(fixture.pushPromoted("shop/pod-" + i + "-" + c));
          plainThree.add(fixture.pushPromoted("shop/floor-pod-" + i + "-" + c));
        }
        started = System.nanoTime();
        Decision d = on(loop, () -> pipeline.admit(Reviews.call(Reviews.pod("shop",
            three.stream().map(Object::toString).toArray(String[]::new))), new EnvironmentResolver.Named("prod")));
        pods.add((System.nanoTime() - started) / 1000);
        if (!d.allowed() || d.images().stream().anyMatch(r -> r.judgement().cache() != CacheSource.MISS)) {
          throw new IllegalStateException("not three verified cold digests: " + d.message());
        }
        started = System.nanoTime();
        on(loop, () -> Future.all(plainThree.stream().map(image -> plainRequests(web, fixture, image)).toList()));
        plainPods.add((System.nanoTime() - started) / 1000);
      }
      System.out.printf("%d pods of three new digests, in turns with the plain client: promgate p50 %.1f ms, max %.1f ms; "
              + "the three digests' requests at once with the plain client p50 %.1f ms; promgate / floor: %.2f; "
              + "a pod of three / one digest: %.2f%n", PODS, p50(pods), percentile(pods, 1.0), p50(plainPods),
          p50(pods) / p50(plainPods), p50(pods) / one);
      referrers(pipeline, loop, meters, fixture, 300, 5);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code work} on {@code context} and waits for its result. */
  static <T> T on(Context context, Supplier<Future<T>> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> work.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.get(30, TimeUnit.SECONDS);
  }

  /** How many new digests warm the JIT before anything is measured. */
  private static final int WARM_UP = 60;
  private static final int PODS = 20;

  private static Future<Decision> admit(AdmissionPipeline pipeline, ImageReference image) {
    return pipeline.admit(Reviews.call(Reviews.pod("shop", image.toString())), new EnvironmentResolver.Named("prod"));
  }

  private static void admitted(Decision d) {
    if (!d.allowed() || d.images().get(0).judgement().cache() != CacheSource.MISS) {
      throw new IllegalStateException("not a verified cold decision: " + d.message() + " " + d.images());
    }
  }

  private static double p50(List<Long> micros) {
    return percentile(micros, 0.5);
  }

  private static double percentile(List<Long> micros, double p) {
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1000.0;
  }

  /**
   * What the registry alone costs for one cold digest: the .sig, .att and referrers-tag manifests
   * in parallel, then their layers in parallel — promgate's requests, without promgate.
   */
  private static Future<?> plainRequests(WebClient web, SignedRegistry fixture, ImageReference image) {
    String repo = "http://" + fixture.registry.host() + "/v2/" + image.repository();
    String tag = image.digest().tagPrefix();
    var sig = web.getAbs(repo + "/manifests/" + tag + ".sig").putHeader("Accept", MANIFEST).send();
    var att = web.getAbs(repo + "/manifests/" + tag + ".att").putHeader("Accept", MANIFEST).send();
    var referrers = web.getAbs(repo + "/manifests/" + tag).putHeader("Accept", INDEX).send();
    return Future.all(sig, att, referrers).compose(all -> {
      List<Future<?>> layers = new ArrayList<>();
      for (var manifest : List.of(sig.result(), att.result())) {
        manifest.bodyAsJsonObject().getJsonArray("layers").forEach(layer -> layers.add(
            web.getAbs(repo + "/blobs/" + ((JsonObject) layer).getString("digest")).send()));
      }
      return Future.all(layers);
    });
  }

  /**
   * Digests that carry, besides their signature and promotions, {@code count} referrers of another
   * artifact type (SBOMs): decided in the time of what the policy needs, the SBOMs never read.
   */
  private static void referrers(AdmissionPipeline pipeline, Context loop, SimpleMeterRegistry meters,
                                SignedRegistry fixture, int count, int digests) throws Exception {
    List<Long> micros = new ArrayList<>();
    List<Double> requests = new ArrayList<>();
    for (int i = 0; i < digests; i++) {
      ImageReference image = fixture.pushPromotedWithReferrers("shop/busy-" + i, count);
      double before = registryRequests(meters);
      long started = System.nanoTime();
      Decision d = on(loop, () -> pipeline.admit(Reviews.call(Reviews.pod("shop", image.toString())),
          new EnvironmentResolver.Named("prod")));
      micros.add((System.nanoTime() - started) / 1000);
      requests.add(registryRequests(meters) - before);
      if (!d.allowed()) {
        throw new IllegalStateException("a digest with " + count + " referrers was not admitted: " + d.message());
      }
    }
    Collections.sort(micros);
    System.out.printf("%d digests with %d SBOM referrers each (besides signature and promotions): p50 %.1f ms, "
            + "max %.1f ms; registry requests per digest: %s%n", digests, count, micros.get(micros.size() / 2) / 1000.0,
        micros.get(micros.size() - 1) / 1000.0, requests.stream().distinct().toList());
  }

  private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String INDEX = "application/vnd.oci.image.index.v1+json";

  private static double registryRequests(SimpleMeterRegistry meters) {
    return meters.find("promgate.registry.requests").counters().stream().mapToDouble(Counter::count).sum();
  }
}
