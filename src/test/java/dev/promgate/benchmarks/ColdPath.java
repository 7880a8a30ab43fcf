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
 * Cold path: time to the first decision for a new digest with one signature and two attestations
 * (promotions) against a local docker-registry, and the registry requests it took. The pipeline is
 * wired exactly as {@code promgate serve} wires it. Run: {@code benchmarks/cold-path.sh}.
 */
public final class ColdPath {

  public static void main(String[] args) throws Exception {
    int digests = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    Path work = Files.createTempDirectory("promgate-cold");
    try (SignedRegistry fixture = new SignedRegistry(work)) {
      List<ImageReference> images = new ArrayList<>();
      for (int i = 0; i < digests + 1; i++) {
        images.add(fixture.pushPromoted("shop/service-" + i));
      }
      PolicyLoadResult loaded = PolicyLoader.load(fixture.policies);
      if (loaded instanceof PolicyLoadResult.Failed failed) {
        throw new IllegalStateException("benchmark policies do not load: " + failed.problems());
      }
      PolicySet set = ((PolicyLoadResult.Loaded) loaded).policies();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      Vertx vertx = Vertx.vertx();
      AdmissionPipeline pipeline = Server.offlinePipeline(vertx, set, Optional.empty(), new DecisionLog(l -> { }),
          Clock.systemUTC(), meters);
      // Decisions start on an event loop, as the webhook's do.
      Context loop = vertx.getOrCreateContext();
      List<Long> micros = new ArrayList<>();
      List<Double> requests = new ArrayList<>();
      for (ImageReference image : images) {
        double before = registryRequests(meters);
        long started = System.nanoTime();
        Decision d = on(loop, () -> pipeline.admit(Reviews.call(Reviews.pod("shop", image.toString())),
            new EnvironmentResolver.Named("prod")));
        long took = (System.nanoTime() - started) / 1000;
        if (!d.allowed() || d.images().get(0).judgement().cache() != CacheSource.MISS) {
          throw new IllegalStateException("not a verified cold decision: " + d.message() + " " + d.images());
        }
        micros.add(took);
        requests.add(registryRequests(meters) - before);
      }
      System.out.printf("first digest (new connection, referrers API probe): %.1f ms, %.0f registry requests%n",
          micros.get(0) / 1000.0, requests.get(0));
      List<Long> rest = new ArrayList<>(micros.subList(1, micros.size()));
      Collections.sort(rest);
      System.out.printf("next %d digests: p50 %.1f ms, p90 %.1f ms, max %.1f ms; registry requests per digest: %s%n",
          rest.size(), rest.get(rest.size() / 2) / 1000.0, rest.get(rest.size() * 9 / 10) / 1000.0,
          rest.get(rest.size() - 1) / 1000.0, requests.subList(1, requests.size()).stream().distinct().toList());
      double floor = floor(vertx, loop, fixture, digests, 1) / 1000.0;
      System.out.printf("the same six requests with a plain Vert.x WebClient (the registry's floor): p50 %.1f ms; "
          + "promgate / floor: %.2f%n", floor, rest.get(rest.size() / 2) / 1000.0 / floor);
      double pod = threeInOnePod(pipeline, loop, fixture, 20);
      double floor3 = floor(vertx, loop, fixture, 20, 3) / 1000.0;
      System.out.printf("three digests' requests at once with the plain client: p50 %.1f ms; promgate / floor: %.2f; "
          + "a pod of three / one digest: %.2f%n", floor3, pod / floor3, pod / (rest.get(rest.size() / 2) / 1000.0));
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

  /**
   * What the registry alone costs for {@code together} cold digests at once: for each, the .sig,
   * .att and referrers-tag manifests in parallel, then their layers in parallel — promgate's
   * requests, without promgate, from the same event loop. p50, µs.
   */
  private static long floor(Vertx vertx, Context loop, SignedRegistry fixture, int rounds, int together)
      throws Exception {
    WebClient web = WebClient.create(vertx);
    String base = "http://" + fixture.registry.host() + "/v2/";
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      List<ImageReference> images = new ArrayList<>();
      for (int d = 0; d < together; d++) {
        images.add(fixture.pushPromoted("shop/floor-" + together + "-" + i + "-" + d));
      }
      long started = System.nanoTime();
      on(loop, () -> Future.all(images.stream().map(image -> plainRequests(web, base, image)).toList()));
      micros.add((System.nanoTime() - started) / 1000);
    }
    Collections.sort(micros);
    return micros.get(micros.size() / 2);
  }

  private static Future<?> plainRequests(WebClient web, String base, ImageReference image) {
    String repo = base + image.repository();
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
   * Pods of three containers, each image a new digest: verified in parallel over shared
   * connections, so a pod takes about as long as one digest.
   */
  private static double threeInOnePod(AdmissionPipeline pipeline, Context loop, SignedRegistry fixture, int pods)
      throws Exception {
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < pods; i++) {
      String[] images = new String[3];
      for (int c = 0; c < 3; c++) {
        images[c] = fixture.pushPromoted("shop/pod-" + i + "-" + c).toString();
      }
      long started = System.nanoTime();
      Decision d = on(loop, () -> pipeline.admit(Reviews.call(Reviews.pod("shop", images)),
          new EnvironmentResolver.Named("prod")));
      micros.add((System.nanoTime() - started) / 1000);
      if (!d.allowed() || d.images().stream().anyMatch(r -> r.judgement().cache() != CacheSource.MISS)) {
        throw new IllegalStateException("not three verified cold digests: " + d.message());
      }
    }
    Collections.sort(micros);
    System.out.printf("%d pods of three new digests each: p50 %.1f ms, max %.1f ms%n", pods,
        micros.get(micros.size() / 2) / 1000.0, micros.get(micros.size() - 1) / 1000.0);
    return micros.get(micros.size() / 2) / 1000.0;
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
