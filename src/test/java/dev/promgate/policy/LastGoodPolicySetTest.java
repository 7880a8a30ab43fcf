package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.API;
import static dev.promgate.policy.PolicyFiles.GATE;
import static dev.promgate.policy.PolicyFiles.SHOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "The last good policy set stays in force" must hold for the edits that empty things: a file
 * emptied by a ConfigMap update gone wrong, and an edit that leaves an environment that is serving
 * requests without any policy.
 */
@ExtendWith(VertxExtension.class)
class LastGoodPolicySetTest {

  private static final String BATCH = API + """
      kind: PromotionPolicy
      metadata: {name: batch}
      spec:
        images: ["registry.acme.example/batch/**"]
        authorities:
          - name: ci
            key: {publicKeyFile: keys/ci.pub}
        environments:
          batch:
            signatures: [ci]
      """;

  @TempDir
  Path dir;

  private PolicyStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private void start(Vertx vertx) throws Exception {
    store = new PolicyStore(vertx, dir, Duration.ofMillis(25));
    assertInstanceOf(PolicyLoadResult.Loaded.class,
        Await.result(store.start()));
  }


  private long generation() {
    return store.current().orElseThrow().generation();
  }

  @ParameterizedTest(name = "emptied to \"{0}\"")
  @ValueSource(strings = {"", "\n\n", "# the ConfigMap lost its data\n", "---\n", "---\n---\n"})
  void aSingleFileHoldingEverythingThatIsEmptiedKeepsTheLastGoodSet(String emptied, Vertx vertx) throws Exception {
    PolicyFiles files = PolicyFiles.withKeys(dir).write("policies.yaml", GATE + "---\n" + SHOP);
    start(vertx);

    files.write("policies.yaml", emptied);
    Await.until("the emptied file is reported", () -> !store.lastProblems().isEmpty());

    PolicyProblem problem = store.lastProblems().get(0);
    assertEquals(dir.resolve("policies.yaml").toString(), problem.file());
    assertEquals(1, problem.line());
    assertTrue(problem.message().contains("holds no YAML document"), problem.toString());
    assertEquals(1, generation(), "the last good set stays in force");
    assertEquals(1, store.current().orElseThrow().policies().size());
  }

  @Test
  void anEmptyFileBesideGoodOnesIsAProblemToo() {
    PolicyFiles.standard(dir).write("extra.yaml", "");
    PolicyLoadResult.Failed failed = assertInstanceOf(PolicyLoadResult.Failed.class, PolicyLoader.load(dir));
    assertEquals(List.of(dir.resolve("extra.yaml") + ":1:1"),
        failed.problems().stream().map(p -> p.file() + ":" + p.line() + ":" + p.column()).toList());
  }

  @Test
  void deletingAFileOnPurposeIsStillAChange(Vertx vertx) throws Exception {
    PolicyFiles files = PolicyFiles.standard(dir).write("batch.yaml", BATCH);
    start(vertx);

    files.delete("batch.yaml");

    Await.until("generation 2", () -> generation() == 2);
    assertEquals(List.of("shop"), store.current().orElseThrow().policies().stream().map(PromotionPolicy::name).toList());
  }

  @Test
  void anEditThatLeavesAServingEnvironmentWithoutAnyPolicyIsRefused(Vertx vertx) throws Exception {
    PolicyFiles files = PolicyFiles.standard(dir).write("batch.yaml", BATCH);
    start(vertx);
    store.current().orElseThrow().served("batch", Instant.now());

    files.write("batch.yaml", BATCH.replace("batch:\n", "batch-v2:\n"));
    Await.until("the edit is reported", () -> !store.lastProblems().isEmpty());

    PolicyProblem problem = store.lastProblems().get(0);
    assertEquals(dir.resolve("batch.yaml").toString(), problem.file());
    assertTrue(problem.message().startsWith("environment \"batch\" decided admission requests"), problem.toString());
    assertEquals(1, generation());

    // Once restored, edits go through again, and the record of what served carries over.
    files.write("batch.yaml", BATCH.replace("signatures: [ci]", "signatures: [ci]\n      mode: audit"));
    Await.until("generation 2", () -> generation() == 2);
    assertTrue(store.current().orElseThrow().lastServed().containsKey("batch"));
  }

  @Test
  void anEnvironmentThatServedNothingMayGo(Vertx vertx) throws Exception {
    PolicyFiles files = PolicyFiles.standard(dir).write("batch.yaml", BATCH);
    start(vertx);
    store.current().orElseThrow().served("prod", Instant.now());

    files.write("batch.yaml", BATCH.replace("batch:\n", "batch-v2:\n"));

    Await.until("generation 2", () -> generation() == 2);
  }
}
