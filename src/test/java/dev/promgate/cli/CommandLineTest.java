package dev.promgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Reviews;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** The commands as a user runs them: exit codes and what they print. */
class CommandLineTest {

  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void policyCheckAcceptsTheShippedPolicies() {
    Run r = run("policy", "check", "policies");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("policies: ok"), r.out());
  }

  @Test
  void policyCheckPrintsFileLineColumnAndExitsOne() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(policies.resolve("bad.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: ["registry.acme.example/shop/**"]
          environments:
            prod:
              signatures: [nobody]
        """);
    Run r = run("policy", "check", policies.toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches(".*bad\\.yaml:8:\\d+: .*nobody.*")), r.out());
  }

  @Test
  void evaluateJudgesMultiDocumentYamlAndListsAndExitsOneOnDenial() throws Exception {
    Path manifests = dir.resolve("app.yaml");
    Files.writeString(manifests, """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          template:
            spec:
              containers:
                - {name: web, image: "registry.acme.example/shop/web:1.4"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {a: b}
        ---
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Pod
            metadata: {name: debug}
            spec:
              initContainers:
                - {name: init, image: "registry.acme.example/shop/init@sha256:%s"}
              containers:
                - {name: tool, image: "evil.example/tool@sha256:%s"}
        """.formatted("a".repeat(64), "b".repeat(64)));
    Run table = run("evaluate", "--policies", "policies", "--env", "prod", manifests.toString());
    assertEquals(1, table.exit(), table.toString());
    assertTrue(table.out().contains("Deployment/web"), table.out());
    assertTrue(table.out().contains("uses the mutable tag \"1.4\""), table.out());
    assertTrue(table.out().contains("ConfigMap/settings"), table.out());
    assertTrue(table.out().contains("is on registry evil.example"), table.out());
    assertTrue(table.out().contains("3 objects, 2 denied"), table.out());

    Run json = run("evaluate", "--policies", "policies", "--env", "prod", "--output", "json", manifests.toString());
    assertEquals(1, json.exit());
    JsonNode decisions = Reviews.JSON.readTree(json.out());
    assertEquals(3, decisions.size());
    assertEquals("deny", decisions.path(0).path("decision").asText());
    assertEquals("skip", decisions.path(1).path("decision").asText());
    assertEquals("spec.initContainers[0].image", decisions.path(2).path("images").path(0).path("field").asText());
  }

  @Test
  void evaluateInDevAuditModeAllowsWithAnAuditVerdict() throws Exception {
    Path manifests = dir.resolve("pod.json");
    Files.writeString(manifests, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
         "spec":{"containers":[{"name":"c","image":"registry.acme.example/shop/web:1.4"}]}}
        """);
    Run r = run("evaluate", "--policies", "policies", "--env", "dev", manifests.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("denied (audit)"), r.out());
  }

  @Test
  void evaluateRefusesAnUnknownEnvironment() throws Exception {
    Path manifests = dir.resolve("empty.yaml");
    Files.writeString(manifests, "");
    Run r = run("evaluate", "--policies", "policies", "--env", "staging", manifests.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("environment \"staging\" is not defined"), r.err());
  }

  @Test
  void manifestsWebhookPrintsTheCommittedConfiguration() throws Exception {
    Run r = run("manifests", "webhook", "--policies", "policies");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(Files.readString(Path.of("manifests", "base", "webhook.yaml")), r.out());
    Path ca = dir.resolve("ca.crt");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    Run withCa = run("manifests", "webhook", "--policies", "policies", "--ca-bundle", ca.toString());
    assertTrue(withCa.out().contains("caBundle: "), withCa.out());
    assertTrue(!withCa.out().contains("cert-manager.io/inject-ca-from"), withCa.out());
  }

  @Test
  void certsGenerateWritesAPairAndRefusesToOverwrite() {
    Path out = dir.resolve("certs");
    Run first = run("certs", "generate", "--out", out.toString(), "--dns", "promgate.promgate-system.svc");
    assertEquals(0, first.exit(), first.toString());
    assertTrue(Files.exists(out.resolve("ca.crt")) && Files.exists(out.resolve("tls.crt"))
        && Files.exists(out.resolve("tls.key")));
    Run again = run("certs", "generate", "--out", out.toString(), "--dns", "x.example");
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("promgate: "), again.err());
    assertEquals(0, run("certs", "generate", "--out", out.toString(), "--dns", "x.example", "--force").exit());
  }

  @Test
  void unknownCommandsAndOptionsExitTwo() {
    assertEquals(2, run("frobnicate").exit());
    assertEquals(2, run("serve", "--no-such-option").exit());
  }
}
