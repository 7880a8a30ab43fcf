package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.json.Mappers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Keeps {@code promgate-policy.schema.json} (what editors complete and check) and the loader (what
 * promgate accepts) in step: every mapping shape the loader reads is a {@code $defs} entry with
 * the same keys and required keys, and documents are judged alike by both.
 */
class PolicySchemaTest {

  private static final ObjectMapper JSON = Mappers.JSON;
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final JsonNode SCHEMA = readSchema();

  private static JsonNode readSchema() {
    try (InputStream in = PolicySchemaTest.class.getResourceAsStream("/promgate-policy.schema.json")) {
      assertNotNull(in, "promgate-policy.schema.json is on the classpath");
      return JSON.readTree(in);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void isDraft2020_12() {
    assertEquals("https://json-schema.org/draft/2020-12/schema", SCHEMA.path("$schema").asText());
  }

  @Test
  void everyLoaderShapeIsASchemaDefinitionWithTheSameKeys() {
    JsonNode defs = SCHEMA.path("$defs");
    Set<String> withProperties = new TreeSet<>();
    defs.properties().forEach(e -> {
      if (e.getValue().has("properties")) {
        withProperties.add(e.getKey());
      }
    });
    assertEquals(new TreeSet<>(PolicyShapes.ALL.keySet()), withProperties,
        "schema definitions with properties versus loader shapes");

    for (PolicyShapes.Shape shape : PolicyShapes.ALL.values()) {
      JsonNode def = defs.path(shape.name());
      assertEquals(Set.copyOf(shape.keys()), fieldNames(def.path("properties")), shape.name() + " keys");
      assertEquals(Set.copyOf(shape.required()), textValues(def.path("required")), shape.name() + " required keys");
      assertFalse(def.path("additionalProperties").asBoolean(true), shape.name() + " refuses unknown keys");
    }
  }

  @Test
  void noPropertiesOutsideTheSharedDefinitions() {
    List<String> stray = new ArrayList<>();
    walk(SCHEMA, "#", stray);
    assertEquals(List.of(), stray, "mappings described inline cannot be checked against the loader");
  }

  private static void walk(JsonNode node, String path, List<String> stray) {
    if (node.isObject()) {
      boolean isDefinition = path.matches("#/\\$defs/[^/]+");
      if (node.has("properties") && !isDefinition) {
        stray.add(path);
      }
      node.properties().forEach(e -> {
        if (!e.getKey().equals("properties") || !isDefinition) {
          walk(e.getValue(), path + "/" + e.getKey(), stray);
        } else {
          e.getValue().properties().forEach(p -> walk(p.getValue(), path + "/properties/" + p.getKey(), stray));
        }
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "/" + i, stray);
      }
    }
  }

  @Test
  void enumsAndPatternsAgreeWithTheLoader() {
    JsonNode defs = SCHEMA.path("$defs");
    Set<String> modes = new LinkedHashSet<>();
    for (Mode m : Mode.values()) {
      modes.add(m.wireName());
    }
    assertEquals(modes, textValues(defs.path("mode").path("enum")));
    assertEquals(PolicyShapes.API_VERSION, defs.path("apiVersionValue").path("const").asText());
    assertEquals(PromotionPolicyReader.PROMOTION_PREDICATE_TYPE,
        defs.path("attestationRule").path("properties").path("predicateType").path("not").path("const").asText());

    Pattern duration = Pattern.compile(defs.path("duration").path("pattern").asText());
    for (String text : List.of("720h", "10m", "30s", "1h30m", "500ms", "1.5h", "0", "2us", "2µs", "7ns",
        "30d", "10", "-5m", "1 h", "1H", "h", "forever", "")) {
      boolean loaderAccepts;
      try {
        Durations.parse(text);
        loaderAccepts = true;
      } catch (IllegalArgumentException e) {
        loaderAccepts = false;
      }
      assertEquals(loaderAccepts, duration.matcher(text).matches(), "duration \"" + text + "\"");
    }
  }

  // --- documents judged alike ------------------------------------------------------------------

  @Test
  void acceptsTheShippedPoliciesAndTheTestPolicies() throws Exception {
    List<Path> shipped;
    try (Stream<Path> files = Files.list(Path.of("policies"))) {
      shipped = files.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
    }
    assertFalse(shipped.isEmpty());
    for (Path file : shipped) {
      for (JsonNode doc : documents(Files.readString(file))) {
        assertEquals(List.of(), validate(doc), file.toString());
      }
    }
    for (JsonNode doc : documents(PolicyFiles.GATE + "---\n" + PolicyFiles.SHOP)) {
      assertEquals(List.of(), validate(doc));
    }
    for (JsonNode doc : documents(PolicyFiles.API + """
        kind: PromotionPolicy
        metadata: {name: formats}
        spec:
          images: ["registry.acme.example/**"]
          authorities:
            - name: ci
              key: {publicKeyFile: keys/ci.pub, transparencyLog: required, trustedRoot: trust/public-good.json}
            - name: github
              keyless:
                trustedRoot: trust/github.json
                transparencyLog: ignored
                certificateTransparency: ignored
                identities:
                  - {issuer: "https://token.actions.githubusercontent.com", subjectRegExp: '.*', sourceRepositoryURI: x}
            - name: pki
              certificateChain:
                roots: pki/root.pem
                intermediates: pki/intermediates.pem
                identities: [{subject: release@acme.example}, {subjectRegExp: 'CN=.*', buildTrigger: push}]
          environments: {prod: {signatures: [ci, github, pki]}}
        """)) {
      assertEquals(List.of(), validate(doc));
    }
  }

  @Test
  void refusesWhatTheLoaderRefusesForItsShape() {
    String api = PolicyFiles.API;
    Map<String, String> bad = pairs(
        "unknown key", api + "kind: GateConfig\nspec: {tiemouts: {}}\n",
        "wrong type", api + "kind: GateConfig\nspec: {cache: {maxEntries: lots}}\n",
        "bad mode", api + "kind: GateConfig\nspec: {mode: strict}\n",
        "missing name", api + "kind: PromotionPolicy\nmetadata: {}\nspec: {images: [a/b], environments: {dev: {}}}\n",
        "unknown kind", api + "kind: Policy\n",
        "key and keyless", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  authorities: [{name: a, key: {publicKey: x}, keyless: {trustedRoot: r, identities: [{issuer: i, subject: s}]}}]\n"
            + "  environments: {dev: {}}\n",
        "identity without subject", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  authorities: [{name: a, keyless: {trustedRoot: r, identities: [{issuer: i}]}}]\n"
            + "  environments: {dev: {}}\n",
        "key and certificate chain", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  authorities: [{name: a, key: {publicKey: x}, certificateChain: {roots: r}}]\n  environments: {dev: {}}\n",
        "extension exact and regular expression", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  authorities: [{name: a, keyless: {trustedRoot: r, identities: [{issuer: i, subject: s,"
            + " sourceRepositoryURI: u, sourceRepositoryURIRegExp: v}]}}]\n  environments: {dev: {}}\n",
        "log neither required nor ignored", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  authorities: [{name: a, key: {publicKey: x, transparencyLog: optional}}]\n  environments: {dev: {}}\n",
        "empty certificate identity", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  authorities: [{name: a, certificateChain: {roots: r, identities: [{}]}}]\n  environments: {dev: {}}\n",
        "bad environment name", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec: {images: [a/b], environments: {Prod: {}}}\n",
        "bad duration", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  environments: {dev: {promotions: [{environment: dev, signedBy: [a], maxAge: 30d}]}}\n",
        "promotion type as attestation", api + "kind: PromotionPolicy\nmetadata: {name: x}\nspec:\n  images: [a/b]\n"
            + "  environments: {dev: {attestations: [{predicateType: 'https://promgate.dev/promotion/v1', signedBy: [a]}]}}\n");
    bad.forEach((what, text) -> {
      for (JsonNode doc : documents(text)) {
        assertFalse(validate(doc).isEmpty(), what + " passes the schema");
      }
    });
  }

  /** {@code what, document, what, document, …} in order (Map.of stops at ten). */
  private static Map<String, String> pairs(String... whatAndDocument) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < whatAndDocument.length; i += 2) {
      map.put(whatAndDocument[i], whatAndDocument[i + 1]);
    }
    return map;
  }

  private static List<JsonNode> documents(String yaml) {
    try {
      List<JsonNode> docs = new ArrayList<>();
      Iterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (JacksonException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- a small validator for the keywords this schema uses -------------------------------------

  private static List<String> validate(JsonNode instance) {
    List<String> errors = new ArrayList<>();
    validate(SCHEMA, instance, "", errors);
    return errors;
  }

  private static void validate(JsonNode schema, JsonNode value, String at, List<String> errors) {
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      assertTrue(ref.startsWith("#/$defs/"), ref);
      JsonNode target = SCHEMA.path("$defs").path(ref.substring("#/$defs/".length()));
      assertFalse(target.isMissingNode(), "dangling " + ref);
      validate(target, value, at, errors);
    }
    if (schema.has("type") && !hasType(value, schema.get("type").asText())) {
      errors.add(at + ": not a " + schema.get("type").asText());
      return;
    }
    if (schema.has("const") && !schema.get("const").equals(value)) {
      errors.add(at + ": not " + schema.get("const"));
    }
    if (schema.has("enum") && !contains((ArrayNode) schema.get("enum"), value)) {
      errors.add(at + ": not one of " + schema.get("enum"));
    }
    if (value.isTextual()) {
      if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
        errors.add(at + ": does not match " + schema.get("pattern").asText());
      }
      if (schema.has("minLength") && value.asText().codePointCount(0, value.asText().length()) < schema.get("minLength").asInt()) {
        errors.add(at + ": too short");
      }
    }
    if (value.isNumber()) {
      if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
        errors.add(at + ": below minimum");
      }
      if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
        errors.add(at + ": above maximum");
      }
    }
    if (value.isArray()) {
      if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
        errors.add(at + ": too few items");
      }
      if (schema.has("items")) {
        for (int i = 0; i < value.size(); i++) {
          validate(schema.get("items"), value.get(i), at + "/" + i, errors);
        }
      }
    }
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      if (schema.has("required")) {
        for (JsonNode r : schema.get("required")) {
          if (!value.has(r.asText())) {
            errors.add(at + ": missing " + r.asText());
          }
        }
      }
      if (schema.has("minProperties") && value.size() < schema.get("minProperties").asInt()) {
        errors.add(at + ": too few properties");
      }
      value.properties().forEach(e -> {
        String child = at + "/" + e.getKey();
        if (schema.has("propertyNames")) {
          validate(schema.get("propertyNames"), JSON.getNodeFactory().textNode(e.getKey()), child + " (name)", errors);
        }
        if (properties.has(e.getKey())) {
          validate(properties.get(e.getKey()), e.getValue(), child, errors);
        } else if (schema.has("additionalProperties")) {
          JsonNode additional = schema.get("additionalProperties");
          if (additional.isBoolean()) {
            if (!additional.asBoolean()) {
              errors.add(child + ": unknown key");
            }
          } else {
            validate(additional, e.getValue(), child, errors);
          }
        }
      });
    }
    if (schema.has("allOf")) {
      for (JsonNode s : schema.get("allOf")) {
        validate(s, value, at, errors);
      }
    }
    if (schema.has("anyOf") && count(schema.get("anyOf"), value, at) == 0) {
      errors.add(at + ": matches none of anyOf");
    }
    if (schema.has("oneOf")) {
      int n = count(schema.get("oneOf"), value, at);
      if (n != 1) {
        errors.add(at + ": matches " + n + " of oneOf");
      }
    }
    if (schema.has("not")) {
      List<String> inner = new ArrayList<>();
      validate(schema.get("not"), value, at, inner);
      if (inner.isEmpty()) {
        errors.add(at + ": matches a forbidden schema");
      }
    }
  }

  private static int count(JsonNode alternatives, JsonNode value, String at) {
    int n = 0;
    for (JsonNode s : alternatives) {
      List<String> inner = new ArrayList<>();
      validate(s, value, at, inner);
      if (inner.isEmpty()) {
        n++;
      }
    }
    return n;
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "boolean" -> value.isBoolean();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "null" -> value.isNull();
      default -> throw new AssertionError("unsupported type " + type);
    };
  }

  private static boolean contains(ArrayNode values, JsonNode value) {
    for (JsonNode v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    names.addAll(node.propertyNames());
    return names;
  }

  private static Set<String> textValues(JsonNode array) {
    Set<String> values = new LinkedHashSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

}
