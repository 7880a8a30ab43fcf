package dev.promgate.benchmarks;

import dev.promgate.AdmissionPipeline;
import dev.promgate.admission.AdmissionCall;
import dev.promgate.admission.AdmissionReviews;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.Outcome;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.policy.PolicySet;
import dev.promgate.verdict.VerdictCache;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cached decision path: parse a realistic AdmissionReview, look up the verdicts of its three
 * images in a warm cache, decide, format the decision log line, write the response review.
 * {@code parseAndAnswerAllowed} is promgate's two ends alone; {@code trivialParseAndAnswer} is
 * what the load test's trivial endpoint does (a Vert.x {@code JsonObject} of the whole review and
 * an "allowed" answer). Two reviews: {@code pod}, a Deployment's ~6 KB pod with managed fields,
 * env and probes; {@code small}, a ~1 KB pod of three containers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// The whole decision path takes about 15 s of calls to settle in the optimizing compiler.
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class DecisionPathBenchmark {

  @Param({"pod", "small"})
  public String reviewKind;

  private byte[] review;
  private io.vertx.core.buffer.Buffer reviewBuffer;
  private AdmissionPipeline pipeline;
  private Blackhole logSink;
  private final EnvironmentResolver.Route prod = new EnvironmentResolver.Named("prod");

  @Setup
  public void setUp(Blackhole blackhole) throws Exception {
    this.logSink = blackhole;
    review = reviewKind.equals("small") ? BenchmarkSetup.smallPodReview() : BenchmarkSetup.podReview();
    reviewBuffer = io.vertx.core.buffer.Buffer.buffer(review);
    PolicySet policies = BenchmarkSetup.prodPolicies();
    VerdictCache cache = BenchmarkSetup.cache(BenchmarkSetup.alwaysVerified(), policies);
    pipeline = BenchmarkSetup.pipeline(policies, cache, new DecisionLog(line -> logSink.consume(line)));
    Decision warm = decide();
    if (!warm.allowed() || warm.outcome() != Outcome.ALLOW) {
      throw new IllegalStateException("benchmark setup is wrong: " + warm.message());
    }
  }

  @Benchmark
  public byte[] decideCached() throws Exception {
    Decision d = decide();
    return AdmissionReviews.write(d.call().uid(), d.allowed(), 403, d.message(), d.warnings(), d.annotations());
  }

  @Benchmark
  public io.vertx.core.buffer.Buffer trivialParseAndAnswer() {
    io.vertx.core.json.JsonObject parsed = new io.vertx.core.json.JsonObject(reviewBuffer);
    return new io.vertx.core.json.JsonObject()
        .put("apiVersion", "admission.k8s.io/v1")
        .put("kind", "AdmissionReview")
        .put("response", new io.vertx.core.json.JsonObject()
            .put("uid", parsed.getJsonObject("request").getString("uid"))
            .put("allowed", true))
        .toBuffer();
  }

  @Benchmark
  public byte[] parseAndAnswerAllowed() {
    AdmissionCall call = AdmissionReviews.read(review).call().orElseThrow();
    return AdmissionReviews.write(call.uid(), true, 0, "", java.util.List.of(), java.util.Map.of());
  }

  private Decision decide() throws Exception {
    AdmissionCall call = AdmissionReviews.read(review).call().orElseThrow();
    var future = pipeline.admit(call, prod);
    if (!future.isComplete()) {
      throw new IllegalStateException("a cached decision must complete synchronously");
    }
    return future.result();
  }
}
