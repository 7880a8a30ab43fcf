package dev.promgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Reviews;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    assertEquals(Files.readString(Path.of("manifests", "webhook.yaml")), r.out());
    Path certs = dir.resolve("certs");
    assertEquals(0, run("certs", "generate", "--out", certs.toString()).exit());
    Run withCa = run("manifests", "webhook", "--policies", "policies", "--ca-bundle", certs.resolve("ca.crt").toString());
    assertEquals(0, withCa.exit(), withCa.toString());
    assertTrue(withCa.out().contains("caBundle: "), withCa.out());
    assertTrue(!withCa.out().contains("cert-manager.io/inject-ca-from"), withCa.out());
  }

  @Test
  void manifestsWebhookRefusesAKeyWhereTheCaBelongsAndPrintsNothing() throws Exception {
    Path certs = dir.resolve("certs");
    assertEquals(0, run("certs", "generate", "--out", certs.toString()).exit());
    Run key = run("manifests", "webhook", "--policies", "policies", "--ca-bundle", certs.resolve("tls.key").toString());
    assertEquals(2, key.exit(), key.toString());
    assertEquals("", key.out(), "nothing on standard output, so nothing reaches kubectl apply");
    assertTrue(key.err().contains("tls.key:1 holds a private key (-----BEGIN PRIVATE KEY-----)"), key.err());

    Path mixed = dir.resolve("mixed.pem");
    Files.writeString(mixed, Files.readString(certs.resolve("ca.crt")) + Files.readString(certs.resolve("tls.key")));
    Run both = run("manifests", "webhook", "--policies", "policies", "--ca-bundle", mixed.toString());
    assertEquals(2, both.exit(), "a certificate does not excuse the key next to it: " + both);
    assertEquals("", both.out());
    assertTrue(both.err().matches("(?s).*mixed\\.pem:\\d+ holds a private key.*"), both.err());

    Path publicKey = dir.resolve("cosign.pub");
    Files.writeString(publicKey, Files.readString(Path.of("policies", "ci.pub")));
    Run pub = run("manifests", "webhook", "--policies", "policies", "--ca-bundle", publicKey.toString());
    assertEquals(2, pub.exit());
    assertTrue(pub.err().contains("holds a PUBLIC KEY block; only CERTIFICATE blocks are accepted"), pub.err());

    Run missing = run("manifests", "webhook", "--policies", "policies", "--ca-bundle", dir.resolve("nope.crt").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("does not exist"), missing.err());
    assertEquals("", missing.out());
  }

  @Test
  void manifestsWebhookExitCodesForPolicies() throws Exception {
    assertEquals(2, run("manifests", "webhook", "--policies", dir.resolve("absent").toString()).exit());
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("gate.yaml"), "apiVersion: promgate.dev/v1alpha1\nkind: GateConfig\n"
        + "spec: {unlabelledNamespaces: sometimes}\n");
    Run r = run("manifests", "webhook", "--policies", broken.toString());
    assertEquals(1, r.exit(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().contains("gate.yaml:3:30: unlabelledNamespaces must be ignore"), r.err());
    assertEquals(2, run("manifests", "webhook", "--failure-policy", "Sometimes").exit());
  }

  @Test
  void policyCheckWarnsAboutRegistriesTheAllowListLacksAndRefusesANonBooleanCondition() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("warn"));
    Files.writeString(policies.resolve("gate.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        spec:
          defaultEnvironment: prod
          registries:
            - host: registry.acme.example
        """);
    Files.writeString(policies.resolve("shop.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images:
            - registry.acme.example/shop/**
            - ghcr.io/acme/shop/**
            - "*.mirror.example/shop/**"
            - "**/shop/web"
          environments:
            prod: {}
        """);
    Run r = run("policy", "check", policies.toString());
    assertEquals(0, r.exit(), "warnings do not fail: " + r);
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out());
    assertTrue(lines.get(0).matches(".*shop\\.yaml:7:7: warning: registry ghcr\\.io of image glob \"ghcr\\.io/acme/shop/\\*\\*\" "
        + "is not in the GateConfig registry allow-list \\(registry\\.acme\\.example\\).*"), lines.get(0));
    assertTrue(lines.get(1).matches(".*shop\\.yaml:8:7: warning: image glob \"\\*\\.mirror\\.example/shop/\\*\\*\" can never "
        + "match an allowed registry.*"), lines.get(1));
    assertTrue(lines.get(2).endsWith(": ok (2 warnings)"), lines.get(2));

    Files.writeString(policies.resolve("shop.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: [registry.acme.example/shop/**]
          authorities:
            - name: ci
              key: {publicKeyFile: ci.pub}
          environments:
            prod:
              attestations:
                - predicateType: https://slsa.dev/provenance/v1
                  signedBy: [ci]
                  condition: 'size(predicate)'
        """);
    Files.copy(Path.of("policies", "ci.pub"), policies.resolve("ci.pub"));
    Run cel = run("policy", "check", policies.toString());
    assertEquals(1, cel.exit(), "a condition that is not a boolean is an error: " + cel);
    assertTrue(cel.out().contains("shop.yaml:14:"), cel.out());
    assertTrue(!cel.out().contains("warning:"), cel.out());
  }

  @Test
  void policyCheckOfADirectoryThatIsNotThereIsAnInputError() throws Exception {
    Run r = run("policy", "check", dir.resolve("absent").toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("does not exist"), r.err());
    Path file = Files.writeString(dir.resolve("gate.yaml"), "kind: GateConfig\n");
    assertEquals(2, run("policy", "check", file.toString()).exit());
  }

  @Test
  void evaluateNeverExitsZeroOnInputThatDecidedNothing() throws Exception {
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(new byte[0]));
      Run empty = run("evaluate", "--policies", "policies", "--env", "prod", "-");
      assertEquals(2, empty.exit(), empty.toString());
      assertTrue(empty.err().contains("standard input is empty"), empty.err());
      assertEquals("", empty.out());
    } finally {
      System.setIn(stdin);
    }
    Path blank = Files.writeString(dir.resolve("blank.yaml"), "\n# nothing here\n---\n");
    Run none = run("evaluate", "--policies", "policies", "--env", "prod", blank.toString());
    assertEquals(2, none.exit(), none.toString());

    Path notKubernetes = Files.writeString(dir.resolve("values.yaml"), "replicas: 3\nimage: web:1.0\n");
    Run values = run("evaluate", "--policies", "policies", "--env", "prod", notKubernetes.toString());
    assertEquals(2, values.exit(), values.toString());
    assertTrue(values.err().contains(notKubernetes + ":1: not a Kubernetes object"), values.err());

    Path broken = Files.writeString(dir.resolve("broken.yaml"), """
        apiVersion: v1
        kind: Pod
        metadata: {name: web
        spec: {}
        """);
    Run yaml = run("evaluate", "--policies", "policies", "--env", "prod", broken.toString());
    assertEquals(2, yaml.exit(), yaml.toString());
    assertTrue(yaml.err().matches("(?s).*broken\\.yaml:\\d+:\\d+: not valid YAML or JSON.*"), yaml.err());

    Path emptyList = Files.writeString(dir.resolve("list.json"), "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}");
    Run list = run("evaluate", "--policies", "policies", "--env", "prod", emptyList.toString());
    assertEquals(2, list.exit(), "kubectl get on nothing: " + list);

    Path configOnly = Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    Run cm = run("evaluate", "--policies", "policies", "--env", "prod", configOnly.toString());
    assertEquals(2, cm.exit(), cm.toString());
    assertTrue(cm.err().contains("runs containers (kinds: ConfigMap); nothing was decided"), cm.err());

    Run missing = run("evaluate", "--policies", "policies", "--env", "prod", dir.resolve("absent.yaml").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("absent.yaml does not exist"), missing.err());

    assertEquals(2, run("evaluate", "--policies", dir.resolve("absent").toString(), "--env", "prod",
        configOnly.toString()).exit());
    assertEquals(2, run("evaluate", "--policies", "policies", "--env", "prod", "--output", "xml",
        configOnly.toString()).exit());
  }

  @Test
  void evaluateWithBrokenPoliciesExitsOne() throws Exception {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("gate.yaml"), "apiVersion: promgate.dev/v1alpha1\nkind: GateConfig\nspec: {mode: loud}\n");
    Path pod = Files.writeString(dir.resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        + "spec: {containers: [{name: c, image: web:1}]}\n");
    Run r = run("evaluate", "--policies", broken.toString(), "--env", "prod", pod.toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("mode must be enforce or audit"), r.err());
  }

  @Test
  void everyCommandDocumentsItsExitStatus() {
    for (String[] command : List.of(new String[] {"--help"}, new String[] {"evaluate", "--help"},
        new String[] {"policy", "check", "--help"}, new String[] {"manifests", "webhook", "--help"},
        new String[] {"promote", "--help"}, new String[] {"status", "--help"}, new String[] {"certs", "generate", "--help"},
        new String[] {"serve", "--help"})) {
      Run r = run(command);
      assertEquals(0, r.exit());
      assertTrue(r.out().contains("Exit status"), String.join(" ", command) + " --help says nothing about exit status");
    }
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
  void logLevelsTakeTheUsualNames() {
    assertEquals(java.util.logging.Level.FINE, ServeCommand.level("debug"));
    assertEquals(java.util.logging.Level.INFO, ServeCommand.level("INFO"));
    assertEquals(java.util.logging.Level.WARNING, ServeCommand.level("warn"));
    assertEquals(java.util.logging.Level.SEVERE, ServeCommand.level("error"));
    assertEquals(java.util.logging.Level.FINER, ServeCommand.level("finer"));
    Run bogus = run("serve", "--log-level", "loud");
    assertEquals(2, bogus.exit(), bogus.toString());
    assertTrue(bogus.err().contains("use debug, info, warn or error"), bogus.err());
  }

  @Test
  void unknownCommandsAndOptionsExitTwo() {
    assertEquals(2, run("frobnicate").exit());
    assertEquals(2, run("serve", "--no-such-option").exit());
    assertEquals(2, run("certs", "generate", "--out", dir.toString(), "--validity", "30d").exit());
  }
}
