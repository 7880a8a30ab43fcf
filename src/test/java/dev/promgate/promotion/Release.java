package dev.promgate.promotion;

import dev.promgate.AdmissionPipeline;
import dev.promgate.Server;
import dev.promgate.cli.Main;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/**
 * A release setup on a real registry, as DESIGN.md describes it: policies that let only signed
 * digests run, preprod needing a promotion to preprod, prod needing promotions to preprod and to
 * prod (maxAge 720h), all signed by release-managers; CI signs images after build. The release
 * manager's key is a cosign encrypted key with a password file.
 */
final class Release {

  static final String PASSWORD = "correct horse battery staple";

  final LocalRegistry registry;
  final TestImages images;
  final Path directory;
  final Path policies;
  final KeyPair ci = TestKeys.ec("secp256r1");
  final KeyPair releaseManager = TestKeys.ec("secp256r1");
  final Path releaseKey;
  final Path passwordFile;
  final List<String> decisionLog = new CopyOnWriteArrayList<>();

  Release(LocalRegistry registry, Path directory, String breakGlassEnvironments) {
    this.registry = registry;
    this.images = new TestImages(registry);
    this.directory = directory;
    this.policies = directory.resolve("policies");
    TestKeys.write(policies.resolve("keys/ci.pub"), TestKeys.publicPem(ci.getPublic()));
    TestKeys.write(policies.resolve("keys/release-managers.pub"), TestKeys.publicPem(releaseManager.getPublic()));
    TestKeys.write(policies.resolve("gate.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        spec:
          defaultEnvironment: dev
          registries:
            - {host: "%s", insecure: true}
          # A loaded test machine can take seconds for a blob upload; the test is about what is
          # pushed, not how fast: the most time the GateConfig allows.
          timeouts: {verification: 9500ms, request: 9500ms}
          breakGlass:
            environments: [%s]
        """.formatted(registry.host(), breakGlassEnvironments));
    TestKeys.write(policies.resolve("shop.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: ["%s/shop/**"]
          authorities:
            - name: ci
              key: {publicKeyFile: keys/ci.pub}
            - name: release-managers
              key: {publicKeyFile: keys/release-managers.pub}
          environments:
            dev:
              mode: audit
              signatures: [ci]
            preprod:
              signatures: [ci]
              promotions:
                - {environment: preprod, signedBy: [release-managers]}
            prod:
              signatures: [ci]
              promotions:
                - {environment: preprod, signedBy: [release-managers]}
                - {environment: prod, signedBy: [release-managers], maxAge: 720h}
        """.formatted(registry.host()));
    this.releaseKey = TestKeys.write(directory.resolve("release.key"), TestKeys.cosignEncrypted(releaseManager, PASSWORD));
    this.passwordFile = TestKeys.write(directory.resolve("password"), PASSWORD + "\n");
  }

  PolicySet policySet() {
    PolicyLoadResult loaded = PolicyLoader.load(policies);
    if (loaded instanceof PolicyLoadResult.Failed failed) {
      throw new AssertionError("policies do not load: " + failed.problems());
    }
    return ((PolicyLoadResult.Loaded) loaded).policies();
  }

  /** A fresh image, signed by CI after build (a cosign {@code .sig} with the ci key). */
  TestImages.Pushed signedImage(String repository, String tag) {
    TestImages.Pushed image = images.pushImage(repository, tag);
    byte[] payload = TestImages.simpleSigningPayload(image.pinned());
    images.pushCosignSignatures(image.pinned(), List.of(TestImages.Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, payload)
        .annotate("dev.cosignproject.cosign/signature", Base64.getEncoder().encodeToString(sign(ci, payload)))));
    return image;
  }

  static byte[] sign(KeyPair key, byte[] message) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key.getPrivate());
      s.update(message);
      return s.sign();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One run of the command line, with its output. */
  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** {@code promgate promote IMAGE --env ENV --key release.key --password-file … --policies …} plus {@code more}. */
  Run promote(ImageReference image, String environment, String... more) {
    List<String> args = new ArrayList<>(List.of("promote", image.toString(), "--env", environment,
        "--key", releaseKey.toString(), "--password-file", passwordFile.toString(),
        "--policies", policies.toString(), "--approver", "alice@acme.example"));
    args.addAll(List.of(more));
    return cli(args.toArray(String[]::new));
  }

  Run status(String... more) {
    List<String> args = new ArrayList<>(List.of("status", registry.host() + "/shop/web", "--policies",
        policies.toString()));
    args.addAll(List.of(more));
    return cli(args.toArray(String[]::new));
  }

  /** The webhook's decision on a Pod running {@code image} in {@code environment}, over a fresh pipeline (no cache). */
  Decision admit(Vertx vertx, String environment, ObjectNode review) throws Exception {
    AdmissionPipeline pipeline = Await.result(vertx.executeBlocking(() -> Server.offlinePipeline(vertx, policySet(),
        Optional.empty(), new DecisionLog(decisionLog::add), Clock.systemUTC(), new SimpleMeterRegistry())));
    return Await.result(pipeline.admit(Reviews.call(review), new EnvironmentResolver.Named(environment)));
  }

  Decision admitPod(Vertx vertx, String environment, ImageReference image) throws Exception {
    return admit(vertx, environment, Reviews.pod("shop-" + environment, image.toString()));
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
