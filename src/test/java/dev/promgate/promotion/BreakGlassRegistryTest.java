package dev.promgate.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.decision.Decision;
import dev.promgate.decision.Outcome;
import dev.promgate.image.ImageReference;
import dev.promgate.testing.Await;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Break-glass over the real flow: a signed but unpromoted digest, a GateConfig that allows
 * break-glass in preprod only.
 */
class BreakGlassRegistryTest {

  @TempDir
  Path directory;
  LocalRegistry registry;
  Release release;
  Vertx vertx;

  @BeforeEach
  void setUp() {
    registry = LocalRegistry.start();
    release = new Release(registry, directory, "preprod");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    Await.result(vertx.close());
    registry.close();
  }

  static ObjectNode deployment(String namespace, ImageReference image, String reason) {
    ObjectNode review = Reviews.deployment(namespace, image.toString());
    ((ObjectNode) review.path("request").path("object").path("spec").path("template"))
        .putObject("metadata").putObject("annotations").put("promgate.dev/break-glass", reason)
        .put("promgate.dev/break-glass-until", java.time.Instant.now().plus(java.time.Duration.ofHours(2))
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return review;
  }

  @Test
  void allowedInPreprodWithWarningAuditAnnotationsAndAWarnLogLine() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Decision d = release.admit(vertx, "preprod", deployment("shop-preprod", web, "INC-42: rollback blocked"));
    assertTrue(d.allowed(), d.message());
    assertEquals(Outcome.BREAK_GLASS, d.outcome());
    // The warning says who broke the glass and why; what failed is cut to what the API server
    // carries, and the annotation and the log line keep it.
    assertTrue(d.warnings().get(0).startsWith("promgate break-glass in preprod (reason: \"INC-42: rollback blocked\", "
        + "requested by alice@acme.example): admitted although "), d.warnings().toString());
    assertTrue(d.warnings().stream().allMatch(w -> w.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 256));
    assertTrue(d.annotations().get("reasons").contains("has no promotion to preprod signed by release-managers"),
        d.annotations().toString());
    assertEquals("INC-42: rollback blocked", d.annotations().get("break-glass-reason"));
    assertEquals("alice@acme.example", d.annotations().get("break-glass-user"));
    String line = release.decisionLog.get(release.decisionLog.size() - 1);
    assertTrue(line.contains("\"level\":\"WARN\"") && line.contains("\"decision\":\"break-glass\""), line);
  }

  @Test
  void refusedInProdWhereTheGateConfigDoesNotAllowIt() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Decision d = release.admit(vertx, "prod", deployment("shop-prod", web, "INC-42"));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("has no promotion to preprod signed by release-managers"), d.message());
    assertTrue(d.message().contains("the promgate.dev/break-glass annotation (spec.template.metadata.annotations) was "
        + "ignored: break-glass is not allowed in environment prod (GateConfig spec.breakGlass.environments: preprod)"),
        d.message());
  }
}
