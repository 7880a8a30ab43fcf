package dev.promgate.manifests;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Which webhooks of a {@code ValidatingWebhookConfiguration} the Kubernetes API server calls for a
 * request, decided the way the API server decides it: the rules (group, version, operation,
 * {@code resource/subresource} with its wildcards, scope) and the {@code namespaceSelector} with
 * label-selector semantics ({@code NotIn} also matches a namespace without the key; an empty or
 * absent selector matches everything; every namespace carries {@code kubernetes.io/metadata.name}).
 * Written after k8s.io/apiserver's webhook predicates and k8s.io/apimachinery's label selectors.
 */
final class ApiServerMatching {

  private ApiServerMatching() {}

  /** A namespace and its labels, without the name label the API server adds itself. */
  record Namespace(String name, Map<String, String> labels) {
    static Namespace unlabelled(String name) {
      return new Namespace(name, Map.of());
    }

    static Namespace labelled(String name, String environment) {
      return new Namespace(name, Map.of(WebhookConfiguration.ENVIRONMENT_LABEL, environment));
    }

    /** The labels as the API server sees them (1.22 and later always set the name label). */
    Map<String, String> effectiveLabels() {
      Map<String, String> all = new LinkedHashMap<>(labels);
      all.put(WebhookConfiguration.NAMESPACE_NAME_LABEL, name);
      return all;
    }
  }

  /** What the API server is asked to do: {@code apps/v1 deployments CREATE}, {@code v1 pods/ephemeralcontainers UPDATE}. */
  record Request(String group, String version, String resource, String subresource, String operation) {
    static Request of(String group, String version, String resourceAndSub, String operation) {
      int slash = resourceAndSub.indexOf('/');
      return slash < 0 ? new Request(group, version, resourceAndSub, "", operation)
          : new Request(group, version, resourceAndSub.substring(0, slash), resourceAndSub.substring(slash + 1), operation);
    }
  }

  /** The webhooks called for a namespaced request, in configuration order. */
  static List<JsonNode> matching(JsonNode configuration, Namespace namespace, Request request) {
    List<JsonNode> called = new ArrayList<>();
    for (JsonNode webhook : configuration.path("webhooks")) {
      if (anyRuleMatches(webhook.path("rules"), request)
          && selectorMatches(webhook.path("namespaceSelector"), namespace.effectiveLabels())) {
        called.add(webhook);
      }
    }
    return called;
  }

  static boolean anyRuleMatches(JsonNode rules, Request request) {
    for (JsonNode rule : rules) {
      if (listMatches(rule.path("apiGroups"), request.group())
          && listMatches(rule.path("apiVersions"), request.version())
          && listMatches(rule.path("operations"), request.operation())
          && resourceMatches(rule.path("resources"), request)
          && scopeMatches(rule.path("scope").asText("*"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean listMatches(JsonNode values, String value) {
    for (JsonNode v : values) {
      if (v.asText().equals("*") || v.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** {@code pods} matches only the resource, {@code pods/*} its subresources, {@code *\/*} everything. */
  private static boolean resourceMatches(JsonNode resources, Request request) {
    for (JsonNode r : resources) {
      String text = r.asText();
      int slash = text.indexOf('/');
      String resource = slash < 0 ? text : text.substring(0, slash);
      String sub = slash < 0 ? "" : text.substring(slash + 1);
      if ((resource.equals("*") || resource.equals(request.resource()))
          && (sub.equals("*") || sub.equals(request.subresource()))) {
        return true;
      }
    }
    return false;
  }

  /** Every request here is namespaced: {@code Namespaced} and {@code *} match it, {@code Cluster} does not. */
  private static boolean scopeMatches(String scope) {
    return scope.equals("*") || scope.equals("Namespaced");
  }

  static boolean selectorMatches(JsonNode selector, Map<String, String> labels) {
    if (selector.isMissingNode() || selector.isNull()) {
      return true;
    }
    for (var e : selector.path("matchLabels").properties()) {
      if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText();
      Set<String> values = new HashSet<>();
      expression.path("values").forEach(v -> values.add(v.asText()));
      boolean has = labels.containsKey(key);
      boolean ok = switch (expression.path("operator").asText()) {
        case "In" -> has && values.contains(labels.get(key));
        case "NotIn" -> !has || !values.contains(labels.get(key));
        case "Exists" -> has;
        case "DoesNotExist" -> !has;
        default -> throw new AssertionError("the API server rejects the operator " + expression.path("operator"));
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
