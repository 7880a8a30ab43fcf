package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.API;
import static dev.promgate.policy.PolicyFiles.GATE;
import static dev.promgate.policy.PolicyFiles.SHOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {

  @TempDir
  Path dir;

  // --- what loads -------------------------------------------------------------------------

  @Test
  void loadsGateConfigAndPolicyFromOneMultiDocumentFile() {
    PolicySet set = PolicyFiles.withKeys(dir).write("all.yaml", GATE + "---\n" + SHOP + "---\n").loaded();

    assertEquals(1, set.generation());
    assertEquals(Mode.ENFORCE, set.gate().mode());
    assertEquals("dev", set.gate().defaultEnvironment().orElseThrow());
    assertEquals("prod", set.gate().namespaces().get(0).environment());
    assertTrue(set.gate().namespaces().get(0).match().matches("shop-prod"));
    assertEquals(List.of("dev", "preprod", "prod"), List.copyOf(set.environments()));

    PromotionPolicy shop = set.policies().get(0);
    assertEquals("shop", shop.name());
    assertEquals(dir.resolve("all.yaml"), shop.source());
    assertEquals(List.of("ci", "release-managers"), List.copyOf(shop.authorities().keySet()));
    Authority.Key ci = assertInstanceOf(Authority.Key.class, shop.authorities().get("ci"));
    assertEquals(dir.resolve("keys/ci.pub").toString(), ci.source());

    EnvironmentRules dev = shop.rulesFor("dev").orElseThrow();
    assertEquals(Mode.AUDIT, dev.mode().orElseThrow());
    assertEquals(List.of(ci), dev.signatures());

    EnvironmentRules prod = shop.rulesFor("prod").orElseThrow();
    assertTrue(prod.mode().isEmpty());
    assertEquals(2, prod.promotions().size());
    assertEquals("prod", prod.promotions().get(1).environment());
    assertEquals(Duration.ofHours(720), prod.promotions().get(1).maxAge().orElseThrow());
    assertEquals("release-managers", prod.promotions().get(1).signedBy().get(0).name());
    EnvironmentRules.AttestationRule slsa = prod.attestations().get(0);
    assertEquals("https://slsa.dev/provenance/v1", slsa.predicateType());
    assertEquals("predicate.buildDefinition.buildType.startsWith(\"https://\")",
        slsa.condition().orElseThrow().expression());
  }

  @Test
  void gateConfigSettingsAndDefaults() {
    PolicySet set = PolicyFiles.withKeys(dir).write("shop.yaml", SHOP).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          mode: audit
          exemptNamespaces: [kube-system, "team-*"]
          registries:
            - host: registry.acme.example
            - host: 127.0.0.1:5000
              insecure: true
          cache: {ttl: 1h30m, maxEntries: 5_000}
          timeouts: {verification: 3s}
          breakGlass: {environments: [prod]}
        """).loaded();

    GateConfig gate = set.gate();
    assertEquals(Mode.AUDIT, gate.mode());
    assertTrue(gate.isExempt("kube-system"));
    assertTrue(gate.isExempt("team-a"));
    assertTrue(!gate.isExempt("shop-prod"));
    assertTrue(gate.registry("127.0.0.1:5000").orElseThrow().insecure());
    assertTrue(!gate.registry("registry.acme.example").orElseThrow().insecure());
    assertTrue(gate.registry("docker.io").isEmpty());
    assertEquals(Duration.ofMinutes(90), gate.cache().ttl());
    assertEquals(Duration.ofSeconds(30), gate.cache().negativeTtl(), "unset values keep their default");
    assertEquals(5000, gate.cache().maxEntries());
    assertEquals(Duration.ofSeconds(3), gate.timeouts().verification());
    assertEquals(Duration.ofSeconds(3), gate.timeouts().request(), "an unset budget never exceeds the total");
    assertEquals(Duration.ofMillis(1500), gate.timeouts().tagHint());
    assertEquals(java.util.Set.of("prod"), gate.breakGlass());
  }

  @Test
  void registryLimitsAreReadAndBounded() {
    PolicySet set = PolicyFiles.withKeys(dir).write("shop.yaml", SHOP).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          limits: {maxBlobBytes: 1048576, maxAttachments: 16}
        """).loaded();
    assertEquals(1048576, set.gate().limits().maxBlobBytes());
    assertEquals(16, set.gate().limits().maxAttachments());
    assertEquals(GateConfig.Limits.defaults().maxManifestBytes(), set.gate().limits().maxManifestBytes());

    List<String> problems = PolicyFiles.withKeys(dir).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          limits: {maxManifestBytes: 10}
        """).problems();
    assertEquals(List.of("gate.yaml:4:30: maxManifestBytes must be between 1024 and 67108864, not 10"), problems);
  }

  @Test
  void withoutGateConfigDefaultsApply() {
    PolicySet set = PolicyFiles.withKeys(dir).write("shop.yaml", SHOP).loaded();
    assertEquals(GateConfig.defaults(), set.gate());
  }

  @Test
  void readsYamlFilesInNameOrderAndSkipsHiddenFilesOtherFilesAndSubdirectories() {
    PolicyFiles files = PolicyFiles.withKeys(dir)
        .write("b.yaml", SHOP.replace("name: shop", "name: bbb"))
        .write("a.yml", SHOP.replace("name: shop", "name: aaa"))
        .write(".#a.yaml", "not: [valid")
        .write("notes.txt", "not: [valid")
        .write("sub/c.yaml", "not: [valid")
        .write("README.md", "# policies");
    PolicySet set = files.loaded();
    assertEquals(List.of("aaa", "bbb"), set.policies().stream().map(PromotionPolicy::name).toList());
  }

  @Test
  void pathsAreRelativeToTheFileThatNamesThem() throws Exception {
    Path keys = dir.resolve("shared");
    Files.createDirectories(keys);
    Files.writeString(keys.resolve("ci.pub"), PolicyFiles.publicPem(PolicyFiles.ecKeyPair()));
    Path policies = dir.resolve("policies");
    new PolicyFiles(policies).write("shop.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: ["registry.acme.example/shop/**"]
          authorities:
            - {name: ci, key: {publicKeyFile: ../shared/ci.pub}}
          environments:
            dev: {signatures: [ci]}
        """);
    PolicyLoadResult result = PolicyLoader.load(policies);
    PolicySet set = assertInstanceOf(PolicyLoadResult.Loaded.class, result).policies();
    Authority.Key ci = (Authority.Key) set.policies().get(0).authorities().get("ci");
    assertEquals(policies.resolve("../shared/ci.pub").normalize().toString(), ci.source());
    assertTrue(result.inputs().containsKey(keys.resolve("ci.pub").toAbsolutePath().normalize()),
        "the key file is recorded as an input for the watcher");
  }

  @Test
  void inlinePublicKeyAndEmptyEnvironmentRules() {
    String pem = PolicyFiles.publicPem(PolicyFiles.ecKeyPair()).replace("\n", "\n          ");
    PolicySet set = new PolicyFiles(dir).write("p.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: pinned-only}
        spec:
          images: ["docker.io/library/*"]
          authorities:
            - name: ci
              key:
                publicKey: |
                  %s
          environments:
            dev:
            test: {}
        """.formatted(pem)).loaded();
    PromotionPolicy p = set.policies().get(0);
    assertEquals("inline", ((Authority.Key) p.authorities().get("ci")).source());
    assertTrue(!p.rulesFor("dev").orElseThrow().needsEvidence());
    assertTrue(!p.rulesFor("test").orElseThrow().needsEvidence());
  }

  @Test
  void problemFilesAreNamedAsTheDirectoryWasGiven() {
    PolicyFiles.standard(dir).write("zz.yaml", API + "kind: Gate\n");
    Path relative = Path.of("").toAbsolutePath().relativize(dir);
    List<PolicyProblem> problems = PolicyLoader.check(relative);
    assertEquals(List.of(relative + "/zz.yaml:2:7: unknown kind \"Gate\"; expected GateConfig or PromotionPolicy"),
        problems.stream().map(PolicyProblem::toString).toList());
    assertEquals(new PolicyProblem(relative + "/zz.yaml", 2, 7, "unknown kind \"Gate\"; expected GateConfig or PromotionPolicy"),
        problems.get(0));
    assertEquals(List.of(), PolicyLoader.check(relative.resolve("..").resolve(relative.getFileName()).normalize())
        .stream().filter(p -> !p.file().endsWith("zz.yaml")).toList());
  }

  // --- YAML and document structure --------------------------------------------------------

  @Test
  void yamlSyntaxErrorsArePositionedAndOtherFilesAreStillChecked() {
    PolicyFiles files = PolicyFiles.standard(dir)
        .write("broken.yaml", API + """
            kind: GateConfig
            spec:
              mode: audit
             defaultEnvironment: dev
            """)
        .write("other.yaml", API + """
            kind: PromotionPolicy
            metadata: {name: other}
            spec:
              images: ["registry.acme.example/other/**"]
              environments:
                dev: {signatures: [nobody]}
            """);
    assertEquals(List.of(
        "broken.yaml:5:2: YAML syntax error: expected <block end>, but found '<block mapping start>' (while parsing a block mapping)",
        "other.yaml:7:24: unknown authority \"nobody\" in signatures; this policy declares no authorities"),
        files.problems());
  }

  @Test
  void unterminatedFlowSequence() {
    PolicyFiles files = PolicyFiles.standard(dir).write("broken.yaml", API + "kind: GateConfig\nspec: [\n");
    assertEquals(List.of("broken.yaml:4:1: YAML syntax error: expected the node content, but found '<stream end>'"
        + " (while parsing a flow node)"), files.problems());
  }

  @Test
  void unknownKeysWithAndWithoutSuggestion() {
    PolicyFiles files = PolicyFiles.standard(dir).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          defaultEnvironment: dev
          tiemouts: {verification: 5s}
          cache: {TTL: 5m}
          colour: blue
        """);
    assertEquals(List.of(
        "gate.yaml:5:3: unknown key \"tiemouts\" in GateConfig spec; did you mean \"timeouts\"?",
        "gate.yaml:6:11: unknown key \"TTL\" in cache; did you mean \"ttl\"?",
        "gate.yaml:7:3: unknown key \"colour\" in GateConfig spec (allowed: mode, unlabelledNamespaces, defaultEnvironment, namespaces,"
            + " exemptNamespaces, registries, cache, credentials, timeouts, limits, breakGlass, trustedRootMirrors)"),
        files.problems());
  }

  @Test
  void duplicateKeysNameTheFirstOccurrence() {
    PolicyFiles files = PolicyFiles.standard(dir).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          mode: audit
          mode: enforce
          defaultEnvironment: dev
        """);
    assertEquals(List.of("gate.yaml:5:3: duplicate key \"mode\" in GateConfig spec; it is already set at "
        + dir.resolve("gate.yaml") + ":4:3"), files.problems());
  }

  @Test
  void wrongTypes() {
    PolicyFiles files = PolicyFiles.standard(dir).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          defaultEnvironment: dev
          namespaces: {match: "*-prod", environment: prod}
          exemptNamespaces: [kube-system, 42]
          registries:
            - {host: registry.acme.example, insecure: "yes"}
          cache: {ttl: 10, maxEntries: lots}
        """);
    assertEquals(List.of(
        "gate.yaml:5:15: namespaces must be a list, not a mapping",
        "gate.yaml:6:35: exemptNamespaces entries must be a string, not a number (42) (quote it, \"42\", if you mean the text)",
        "gate.yaml:8:47: insecure must be true or false, not the string \"yes\"",
        "gate.yaml:9:16: ttl must be a duration such as 30s, 10m or 720h, not a number (10)",
        "gate.yaml:9:32: maxEntries must be a whole number, not the string \"lots\""),
        files.problems());
  }

  @Test
  void yamlBooleansAreNotStrings() {
    PolicyFiles files = PolicyFiles.standard(dir).write("x.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: x}
        spec:
          images: [registry.acme.example/x]
          environments:
            dev: {signatures: [no]}
        """);
    assertEquals(List.of("x.yaml:7:24: signatures entries must be a string, not a boolean (no)"
        + " (quote it, \"no\", if you mean the text)"), files.problems());
  }

  @Test
  void missingRequiredKeys() {
    PolicyFiles files = PolicyFiles.standard(dir).write("x.yaml", API + """
        kind: PromotionPolicy
        metadata: {}
        spec:
          images: [registry.acme.example/x]
          environments:
            prod:
              promotions:
                - {environment: prod}
              attestations:
                - signedBy: []
        ---
        kind: PromotionPolicy
        """);
    assertEquals(List.of(
        "x.yaml:3:11: metadata is missing the required key \"name\"",
        "x.yaml:9:11: promotion is missing the required key \"signedBy\"",
        "x.yaml:11:11: attestation is missing the required key \"predicateType\"",
        "x.yaml:11:21: signedBy must name at least one authority",
        "x.yaml:13:1: PromotionPolicy is missing the required key \"apiVersion\"",
        "x.yaml:13:1: PromotionPolicy is missing the required key \"metadata\"",
        "x.yaml:13:1: PromotionPolicy is missing the required key \"spec\""),
        files.problems());
  }

  @Test
  void unknownKindApiVersionAndDocumentsWithoutKind() {
    PolicyFiles files = PolicyFiles.standard(dir).write("x.yaml", """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicies
        ---
        apiVersion: promgate.dev/v1
        kind: PromotionPolicy
        metadata: {name: x}
        ---
        apiVersion: promgate.dev/v1alpha1
        metadata: {name: y}
        ---
        - a list
        """);
    assertEquals(List.of(
        "x.yaml:2:7: unknown kind \"PromotionPolicies\"; did you mean \"PromotionPolicy\"?",
        "x.yaml:4:13: unsupported apiVersion \"promgate.dev/v1\" for PromotionPolicy; this promgate reads promgate.dev/v1alpha1",
        "x.yaml:8:1: document has no kind; expected kind: GateConfig or kind: PromotionPolicy",
        "x.yaml:11:1: a policy document must be a mapping with apiVersion, kind, metadata and spec, not a list"),
        files.problems());
  }

  @Test
  void mergeKeysAreRefused() {
    PolicyFiles files = PolicyFiles.standard(dir).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          defaultEnvironment: dev
          cache: &c {ttl: 5m}
          timeouts:
            <<: *c
        """);
    assertEquals(List.of("gate.yaml:7:5: YAML merge keys (<<) are not supported in policy files; write the keys out"),
        files.problems());
  }

  // --- names and references ---------------------------------------------------------------

  @Test
  void duplicatePolicyNamesAcrossFilesAndASecondGateConfig() {
    PolicyFiles files = PolicyFiles.standard(dir)
        .write("more.yaml", SHOP + "---\n" + GATE);
    assertEquals(List.of(
        "more.yaml:30:7: a second GateConfig; a policy set has at most one, and the first is at "
            + dir.resolve("gate.yaml") + ":2:7",
        "shop.yaml:3:18: policy name \"shop\" is already used at " + dir.resolve("more.yaml") + ":3:18"),
        files.problems());
  }

  @Test
  void duplicateAndUnknownAuthorityNames() {
    PolicyFiles files = PolicyFiles.withKeys(dir).write("gate.yaml", GATE).write("shop.yaml", SHOP
        .replace("  - name: release-managers\n", "  - name: ci\n")
        .replace("signatures: [ci]\n    preprod", "signatures: [cii]\n    preprod")
        .replace("signedBy: [ci]", "signedBy: [ci, ci, builder]"));
    assertEquals(List.of(
        "shop.yaml:9:13: authority \"ci\" is declared twice in this policy; the first is at "
            + dir.resolve("shop.yaml") + ":7:13",
        "shop.yaml:14:20: unknown authority \"cii\" in signatures; did you mean \"ci\"?",
        "shop.yaml:18:45: unknown authority \"release-managers\" in signedBy (declared: ci)",
        "shop.yaml:22:45: unknown authority \"release-managers\" in signedBy (declared: ci)",
        "shop.yaml:23:42: unknown authority \"release-managers\" in signedBy (declared: ci)",
        "shop.yaml:26:26: authority \"ci\" is listed twice",
        "shop.yaml:26:30: unknown authority \"builder\" in signedBy (declared: ci)"),
        files.problems());
  }

  @Test
  void environmentsThatNoPolicyDefines() {
    PolicyFiles files = PolicyFiles.withKeys(dir).write("shop.yaml", SHOP
        .replace("- {environment: preprod, signedBy: [release-managers]}\n        - {environment: prod",
            "- {environment: prepord, signedBy: [release-managers]}\n        - {environment: prod"))
        .write("gate.yaml", API + """
            kind: GateConfig
            spec:
              defaultEnvironment: development
              namespaces:
                - {match: "*-stage", environment: staging}
              breakGlass: {environments: [prod, qa]}
            """);
    assertEquals(List.of(
        "gate.yaml:4:23: defaultEnvironment names environment \"development\", which no PromotionPolicy defines"
            + " (defined: dev, preprod, prod)",
        "gate.yaml:6:39: namespace rule names environment \"staging\", which no PromotionPolicy defines"
            + " (defined: dev, preprod, prod)",
        "gate.yaml:7:37: breakGlass names environment \"qa\", which no PromotionPolicy defines"
            + " (defined: dev, preprod, prod)",
        "shop.yaml:22:25: promotion names environment \"prepord\", which no PromotionPolicy defines"
            + " (defined: dev, preprod, prod); did you mean \"preprod\"?"),
        files.problems());
  }

  @Test
  void environmentNamesMustBeDnsLabels() {
    PolicyFiles files = PolicyFiles.standard(dir).write("x.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: x}
        spec:
          images: [registry.acme.example/x/*]
          environments:
            Prod: {}
            pre_prod: {}
            dev: {}
            dev: {}
        """);
    assertEquals(List.of(
        "x.yaml:7:5: environment name \"Prod\" is not a valid environment name: use lower-case letters, digits"
            + " and '-', at most 63, starting and ending with a letter or digit (it becomes a URL path segment"
            + " and a label value)",
        "x.yaml:8:5: environment name \"pre_prod\" is not a valid environment name: use lower-case letters, digits"
            + " and '-', at most 63, starting and ending with a letter or digit (it becomes a URL path segment"
            + " and a label value)",
        "x.yaml:10:5: environment \"dev\" is defined twice in this policy; the first is at "
            + dir.resolve("x.yaml") + ":9:5"),
        files.problems());
  }

  @Test
  void cyclicPromotionsAcrossPolicies() {
    PolicyFiles files = PolicyFiles.standard(dir).write("other.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: other}
        spec:
          images: [registry.acme.example/other/*]
          authorities:
            - {name: rm, key: {publicKeyFile: keys/release-managers.pub}}
          environments:
            preprod:
              promotions:
                - {environment: prod, signedBy: [rm]}
        """);
    assertEquals(List.of(
        "shop.yaml:22:25: promotions form a cycle (prod → preprod → prod): prod requires a promotion to preprod"
            + " here; preprod requires a promotion to prod at " + dir.resolve("other.yaml") + ":11:25;"
            + " an environment cannot come both before and after another"),
        files.problems());
  }

  @Test
  void promotionListedTwice() {
    PolicyFiles files = PolicyFiles.standard(dir).write("shop.yaml", SHOP.replace(
        "- {environment: prod, signedBy: [release-managers], maxAge: 720h}",
        "- {environment: preprod, signedBy: [release-managers], maxAge: 720h}"));
    assertEquals(List.of("shop.yaml:23:25: a promotion to preprod is already required at "
        + dir.resolve("shop.yaml") + ":22:25; merge the two"), files.problems());
  }

  // --- values ------------------------------------------------------------------------------

  @Test
  void badDurationsAndTimeouts() {
    PolicyFiles files = PolicyFiles.standard(dir).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          defaultEnvironment: dev
          cache: {ttl: 0s, negativeTtl: 30d, staleIfError: -1h}
          timeouts: {verification: 10s, tagHint: 1 h, request: 9s}
        ---
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        spec:
          timeouts: {verification: 2s, request: 3s}
        """);
    List<String> problems = files.problems();
    assertEquals(List.of(
        "gate.yaml:5:16: ttl must be longer than 0s",
        "gate.yaml:5:33: negativeTtl: duration \"30d\" has the unknown unit \"d\"; days are not a unit, write 720h"
            + " (use h, m, s, ms, us or ns)",
        "gate.yaml:5:52: staleIfError: duration \"-1h\" must not have a sign",
        "gate.yaml:6:28: verification must stay below 10s, the webhook's timeoutSeconds, so that promgate answers"
            + " before the API server gives up; not 10s",
        "gate.yaml:6:42: tagHint: duration \"1 h\" must be written without spaces, e.g. 30s, 10m, 1h30m, 720h",
        "gate.yaml:6:56: request (9s) must not exceed the verification budget (8s)",
        "gate.yaml:9:7: a second GateConfig; a policy set has at most one, and the first is at "
            + dir.resolve("gate.yaml") + ":2:7",
        "gate.yaml:11:41: request (3s) must not exceed the verification budget (2s)"),
        problems);
  }

  @Test
  void badMaxAge() {
    PolicyFiles files = PolicyFiles.standard(dir).write("shop.yaml", SHOP.replace("maxAge: 720h", "maxAge: 30 days"));
    assertEquals(List.of("shop.yaml:23:69: maxAge: duration \"30 days\" must be written without spaces, e.g. 30s, 10m, 1h30m, 720h"),
        files.problems());
  }

  @Test
  void badImageAndNamespaceGlobs() {
    PolicyFiles files = PolicyFiles.standard(dir)
        .write("x.yaml", API + """
            kind: PromotionPolicy
            metadata: {name: x}
            spec:
              images:
                - shop/**
                - nginx
                - registry.acme.example/shop/[ab]
                - registry.acme.example/Shop/*
                - registry.acme.example/shop/web:1.0
                - index.docker.io/library/nginx
                - registry.acme.example/***
              environments:
                dev: {}
            """)
        .write("gate.yaml", GATE.replace("\"*-prod\"", "\"*.prod\""));
    assertEquals(List.of(
        "gate.yaml:6:15: match \"*.prod\" is not a namespace glob: namespace names have lower-case letters, digits"
            + " and '-'; the glob may add * and ?",
        "x.yaml:6:7: image glob \"shop/**\" starts with \"shop\", which is not a registry host; repositories are"
            + " normalised with their registry, e.g. docker.io/shop/**",
        "x.yaml:7:7: image glob \"nginx\" has no registry host: globs match normalised repositories such as"
            + " docker.io/library/nginx or registry.acme.example/shop/web",
        "x.yaml:8:7: images: glob \"registry.acme.example/shop/[ab]\" uses '[', which promgate globs do not support"
            + " (only *, ** and ?)",
        "x.yaml:9:7: image glob \"registry.acme.example/Shop/*\" never matches: repository paths are lower case",
        "x.yaml:10:7: image glob \"registry.acme.example/shop/web:1.0\" names a tag or digest; globs match the"
            + " repository only, e.g. registry.acme.example/shop/web",
        "x.yaml:11:7: image glob \"index.docker.io/library/nginx\" never matches: repositories are normalised to"
            + " docker.io/library/nginx",
        "x.yaml:12:7: images: glob \"registry.acme.example/***\" has '***'; use '*' or '**'"),
        files.problems());
  }

  @Test
  void registryHosts() {
    PolicyFiles files = PolicyFiles.standard(dir).write("gate.yaml", GATE + """
          registries:
            - host: https://registry.acme.example
            - host: Registry.Acme.Example
            - host: registry.acme.example:99999
            - host: index.docker.io
            - host: 127.0.0.1:5000
            - host: 127.0.0.1:5000
              insecure: true
              caFile: ca.pem
        """);
    assertEquals(List.of(
        "gate.yaml:8:13: registry host \"https://registry.acme.example\" is not valid: write the host without a"
            + " scheme, e.g. registry.acme.example",
        "gate.yaml:9:13: registry host \"Registry.Acme.Example\" is not valid: write it in lower case:"
            + " registry.acme.example",
        "gate.yaml:10:13: registry host \"registry.acme.example:99999\" is not valid: port 99999 is out of range",
        "gate.yaml:11:13: registry host \"index.docker.io\" is not valid: image references are normalised to"
            + " docker.io; write docker.io",
        "gate.yaml:13:13: registry 127.0.0.1:5000 is listed twice; the first entry is at "
            + dir.resolve("gate.yaml") + ":12:13",
        "gate.yaml:15:15: caFile has no effect on a registry with insecure: true (plain HTTP); remove one of them"),
        files.problems());
  }

  @Test
  void regularExpressionsAndIdentities() throws Exception {
    PolicyFiles files = PolicyFiles.standard(dir).write("x.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: x}
        spec:
          images: [registry.acme.example/x/*]
          authorities:
            - name: people
              keyless:
                trustedRoot: root.json
                identities:
                  - {issuer: "https://accounts.acme.example", subjectRegExp: "(.*@acme\\\\.example"}
                  - {issuerRegExp: "https://[a-", subject: "alice@acme.example"}
                  - {issuer: "https://accounts.acme.example", subject: ".*@acme\\\\.example"}
                  - {issuer: "https://accounts.acme.example"}
                  - {issuer: "https://accounts.acme.example", subject: a, subjectRegExp: b}
          environments:
            dev: {signatures: [people]}
        """);
    Files.copy(dev.promgate.testing.Fixtures.path("sigstore-trusted-roots", "production_trusted_root.json"),
        dir.resolve("root.json"));
    assertEquals(List.of(
        "x.yaml:11:70: subjectRegExp is not a valid regular expression: Unclosed group near index 17",
        "x.yaml:12:28: issuerRegExp is not a valid regular expression: Illegal character range near index 11",
        "x.yaml:13:64: subject \".*@acme\\.example\" is compared exactly but looks like a regular expression;"
            + " write subjectRegExp if you mean one",
        "x.yaml:14:13: identity needs subject (exact) or subjectRegExp (regular expression)",
        "x.yaml:15:67: give either subject or subjectRegExp, not both"),
        files.problems());
  }

  @Test
  void keyFiles() {
    PolicyFiles files = PolicyFiles.standard(dir)
        .write("keys/private.pem", PolicyFiles.privatePem(PolicyFiles.ecKeyPair()))
        .write("keys/garbage.pub", "hello\n")
        .write("keys/dir/.keep", "")
        .write("x.yaml", API + """
            kind: PromotionPolicy
            metadata: {name: x}
            spec:
              images: [registry.acme.example/x/*]
              authorities:
                - {name: a, key: {publicKeyFile: keys/missing.pub}}
                - {name: b, key: {publicKeyFile: keys/private.pem}}
                - {name: c, key: {publicKeyFile: keys/garbage.pub}}
                - {name: d, key: {publicKeyFile: keys/dir}}
                - {name: e, key: {publicKey: "-----BEGIN RSA PRIVATE KEY-----\\nAAAA\\n-----END RSA PRIVATE KEY-----"}}
                - {name: f, key: {publicKeyFile: keys/ci.pub, publicKey: x}}
                - {name: g, key: {}}
                - {name: h}
              environments:
                dev: {signatures: [a, b, c, d, e, f, g, h]}
            """);
    String keys = dir.resolve("keys").toString();
    assertEquals(List.of(
        "x.yaml:7:38: publicKeyFile " + keys + "/missing.pub does not exist",
        "x.yaml:8:38: publicKeyFile " + keys + "/private.pem: this is a private key (PRIVATE KEY); policies take"
            + " the public key (cosign public-key --key …)",
        "x.yaml:9:38: publicKeyFile " + keys + "/garbage.pub: no PEM block found (expected -----BEGIN PUBLIC KEY-----)",
        "x.yaml:10:38: publicKeyFile " + keys + "/dir is a directory, not a file",
        "x.yaml:11:34: publicKey: this is a private key (RSA PRIVATE KEY); policies take the public key"
            + " (cosign public-key --key …)",
        "x.yaml:12:51: give the key either as publicKeyFile or as publicKey, not both",
        "x.yaml:13:22: key needs publicKeyFile (a PEM file) or publicKey (PEM text)",
        "x.yaml:14:7: authority \"h\" needs key: {publicKeyFile: …}, keyless: {trustedRoot: …, identities: […]}"
            + ", certificateChain: {roots: …} or notation: {trustStore: …, trustedIdentities: […]}"),
        files.problems());
  }

  @Test
  void trustedRoots() {
    String identity = "[{issuer: \"https://accounts.acme.example\", subject: alice@acme.example}]";
    PolicyFiles files = PolicyFiles.standard(dir)
        .write("trust/garbage.json", "nonsense")
        .write("trust/empty.json", "{}")
        .write("x.yaml", API + """
            kind: PromotionPolicy
            metadata: {name: x}
            spec:
              images: [registry.acme.example/x/*]
              authorities:
                - {name: a, keyless: {trustedRoot: trust/missing.json, identities: %1$s}}
                - {name: b, keyless: {trustedRoot: trust/garbage.json, identities: %1$s}}
                - {name: c, keyless: {trustedRoot: trust/empty.json, identities: %1$s}}
                - {name: d, keyless: {trustedRoot: trust/empty.json, identities: []}}
                - {name: e, key: {publicKeyFile: keys/ci.pub}, keyless: {trustedRoot: trust/empty.json}}
              environments:
                dev: {signatures: [a]}
            """.formatted(identity));
    String trust = dir.resolve("trust").toString();
    assertEquals(List.of(
        "x.yaml:7:40: trustedRoot " + trust + "/missing.json does not exist",
        "x.yaml:8:40: trustedRoot " + trust + "/garbage.json is not a valid Sigstore trusted root:"
            + " Expect message object but got: \"nonsense\"",
        "x.yaml:9:40: trustedRoot " + trust + "/empty.json has no certificate authorities; keyless signatures"
            + " need a Fulcio CA",
        "x.yaml:10:40: trustedRoot " + trust + "/empty.json has no certificate authorities; keyless signatures"
            + " need a Fulcio CA",
        "x.yaml:10:70: identities must list at least one {issuer, subject} pair; without one, any Fulcio"
            + " certificate would count",
        "x.yaml:11:52: an authority is exactly one of key, keyless, certificateChain, notation, not key and keyless;"
            + " split it in two"),
        files.problems());
  }

  @Test
  void celConditionErrorsPointIntoTheExpression() {
    PolicyFiles files = PolicyFiles.standard(dir).write("x.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: x}
        spec:
          images: [registry.acme.example/x/*]
          authorities:
            - {name: ci, key: {publicKeyFile: keys/ci.pub}}
          environments:
            dev:
              attestations:
                - {predicateType: a, signedBy: [ci], condition: 'predicate.x +'}
                - {predicateType: b, signedBy: [ci], condition: predicate.size() + 1}
                - {predicateType: c, signedBy: [ci], condition: "has(predicate.x) && builder == 'x'"}
                - predicateType: d
                  signedBy: [ci]
                  condition: |
                    has(predicate.x) &&
                      predicate.x.startsWith(1)
                - predicateType: e
                  signedBy: [ci]
                  condition: >
                    predicate.x ==
                    unknown
                - {predicateType: "https://promgate.dev/promotion/v1", signedBy: [ci]}
        """);
    assertEquals(List.of(
        "x.yaml:11:71: condition: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!',"
            + " 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
        "x.yaml:12:74: condition: expected type 'bool' but found 'int'",
        "x.yaml:13:78: condition: undeclared reference to 'builder'",
        "x.yaml:18:37: condition: found no matching overload for 'startsWith' applied to 'dyn.(int)'"
            + " (candidates: string.(string))",
        "x.yaml:21:22: condition: undeclared reference to 'unknown' (line 1, column 16 of the expression)",
        "x.yaml:24:27: promotion attestations are required under promotions: ({environment, signedBy, maxAge}),"
            + " not under attestations"),
        files.problems());
  }

  // --- the directory -----------------------------------------------------------------------

  @Test
  void missingEmptyOrNonDirectory() throws Exception {
    Path missing = dir.resolve("nope");
    assertEquals(List.of(new PolicyProblem(missing.toString(), 1, 1, "the policy directory does not exist")),
        PolicyLoader.check(missing));
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Files.writeString(empty.resolve("README.md"), "nothing");
    assertEquals(List.of(new PolicyProblem(empty.toString(), 1, 1, "no policy files (*.yaml, *.yml) in this directory")),
        PolicyLoader.check(empty));
    Path file = Files.writeString(dir.resolve("file.yaml"), GATE);
    assertEquals(List.of(new PolicyProblem(file.toString(), 1, 1,
        "is not a directory; give the directory that holds the policy files")), PolicyLoader.check(file));
  }

  @Test
  void notUtf8() throws Exception {
    PolicyFiles files = PolicyFiles.standard(dir);
    Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});
    assertEquals(List.of("latin1.yaml:1:1: file is not UTF-8 text"), files.problems());
  }

  @Test
  void everyProblemOfEveryFileInFileAndPositionOrder() {
    PolicyFiles files = PolicyFiles.standard(dir)
        .write("a.yaml", API + "kind: GateConfig\nspec: {mode: strict}\n")
        .write("z.yaml", API + "kind: Policy\n---\n" + API + "kind: GateConfig\nspec: {cache: {ttl: forever}}\n");
    assertEquals(List.of(
        "a.yaml:3:14: mode must be enforce or audit, not \"strict\"",
        "gate.yaml:2:7: a second GateConfig; a policy set has at most one, and the first is at "
            + dir.resolve("a.yaml") + ":2:7",
        "z.yaml:2:7: unknown kind \"Policy\"; expected GateConfig or PromotionPolicy",
        "z.yaml:5:7: a second GateConfig; a policy set has at most one, and the first is at "
            + dir.resolve("a.yaml") + ":2:7",
        "z.yaml:6:21: ttl: duration \"forever\" is not a number followed by a unit (write e.g. 30s, 10m, 1h30m, 720h)"),
        files.problems());
  }
}
