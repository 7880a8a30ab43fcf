package dev.promgate.manifests;

import dev.promgate.json.Mappers;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Glob;
import dev.promgate.policy.PolicySet;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The {@code ValidatingWebhookConfiguration} for a policy set.
 *
 * <p>Scope is opt-in. One webhook per environment selects namespaces labelled
 * {@code promgate.dev/environment=<env>} and calls {@code /validate/<env>}, so promgate needs no
 * read access to the cluster. Namespaces whose label names an environment no policy defines go to
 * {@code /unknown-environment}, which denies with a message saying so: a namespace that opted in
 * with a typo must not fall out of enforcement. Namespaces without the label are left alone — the
 * API server never calls promgate for them, so cert-manager, ingress controllers and the rest of a
 * cluster keep working the day promgate is installed — unless the GateConfig says
 * {@code unlabelledNamespaces: gate}; then a catch-all webhook sends them to {@code /validate}
 * (GateConfig namespace rules, then {@code defaultEnvironment}).
 *
 * <p>Every webhook leaves out the namespace promgate runs in and the GateConfig's exempt
 * namespaces that are plain names (a label selector cannot express a glob such as
 * {@code team-*}; those are exempted by the server when it is asked).
 */
public final class WebhookConfiguration {

  public static final String ENVIRONMENT_LABEL = "promgate.dev/environment";
  public static final int TIMEOUT_SECONDS = 10;
  public static final String UNKNOWN_ENVIRONMENT_PATH = "/unknown-environment";
  /** Set by the API server on every namespace (Kubernetes 1.22 and later). */
  public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private static final YAMLMapper YAML = Mappers.YAML;

  /**
   * Where the webhook runs and how the API server trusts it.
   *
   * @param namespace       the namespace of the promgate Service
   * @param service         the Service name
   * @param caBundle        PEM of the CA that signed the serving certificate, if known
   * @param certManagerFrom {@code namespace/certificate} for cert-manager's CA injector, if used
   * @param failurePolicy   what the API server does when it cannot reach promgate: {@code Fail}
   *                        (deny; enforcing) or {@code Ignore} (admit; the audit rollout)
   */
  public record Target(String namespace, String service, Optional<byte[]> caBundle,
                       Optional<String> certManagerFrom, FailurePolicy failurePolicy) {
    public static final String DEFAULT_NAMESPACE = "promgate-system";

    public static Target defaults() {
      return new Target(DEFAULT_NAMESPACE, "promgate", Optional.empty(),
          Optional.of(DEFAULT_NAMESPACE + "/promgate-serving"), FailurePolicy.Fail);
    }

    public Target withFailurePolicy(FailurePolicy policy) {
      return new Target(namespace, service, caBundle, certManagerFrom, policy);
    }
  }

  /** The webhook's {@code failurePolicy}, spelled as Kubernetes spells it. */
  public enum FailurePolicy { Fail, Ignore }

  private WebhookConfiguration() {}

  /** The configuration as YAML. */
  public static String yaml(PolicySet policies, Target target) {
    ObjectNode root = YAML.createObjectNode();
    root.put("apiVersion", "admissionregistration.k8s.io/v1");
    root.put("kind", "ValidatingWebhookConfiguration");
    ObjectNode metadata = root.putObject("metadata");
    metadata.put("name", "promgate");
    metadata.putObject("labels").put("app.kubernetes.io/name", "promgate");
    target.certManagerFrom().ifPresent(from ->
        metadata.putObject("annotations").put("cert-manager.io/inject-ca-from", from));

    Set<String> environments = policies.environments();
    List<String> excluded = excludedNamespaces(policies, target);
    ArrayNode webhooks = root.putArray("webhooks");
    for (String env : environments) {
      ObjectNode selector = YAML.createObjectNode();
      ArrayNode expressions = selector.putArray("matchExpressions");
      expression(expressions, ENVIRONMENT_LABEL, "In", List.of(env));
      exclude(expressions, excluded);
      webhooks.add(webhook(env + ".promgate.dev", "/validate/" + env, selector, target));
    }
    if (policies.gate().unlabelledNamespaces() == GateConfig.UnlabelledNamespaces.GATE) {
      ObjectNode unlabelled = YAML.createObjectNode();
      ArrayNode none = unlabelled.putArray("matchExpressions");
      expression(none, ENVIRONMENT_LABEL, "DoesNotExist", List.of());
      exclude(none, excluded);
      webhooks.add(webhook("default.promgate.dev", "/validate", unlabelled, target));
    }

    ObjectNode unknown = YAML.createObjectNode();
    ArrayNode other = unknown.putArray("matchExpressions");
    expression(other, ENVIRONMENT_LABEL, "Exists", List.of());
    if (!environments.isEmpty()) {
      expression(other, ENVIRONMENT_LABEL, "NotIn", List.copyOf(environments));
    }
    exclude(other, excluded);
    webhooks.add(webhook("unknown-environment.promgate.dev", UNKNOWN_ENVIRONMENT_PATH, unknown, target));

    return "# Generated by 'promgate manifests webhook' from the policies; do not edit by hand.\n"
        + scopeComment(policies, target, excluded)
        + YAML.writeValueAsString(root);
  }

  /**
   * What the configuration gates, in words, for the top of the generated file: an operator reading
   * {@code kubectl apply} output should not have to decode label selectors to know.
   */
  static String scopeComment(PolicySet policies, Target target, List<String> excluded) {
    StringBuilder c = new StringBuilder();
    String labels = policies.environments().stream().map(e -> ENVIRONMENT_LABEL + "=" + e)
        .collect(Collectors.joining(", "));
    c.append("#\n# Gated: namespaces labelled ").append(labels.isEmpty() ? "(no environment is defined)" : labels)
        .append(";\n#   a namespace labelled with any other environment is denied (a typo must not switch promgate off).\n");
    if (policies.gate().unlabelledNamespaces() == GateConfig.UnlabelledNamespaces.GATE) {
      c.append("# Namespaces without the label: gated too (GateConfig spec.unlabelledNamespaces: gate), judged by the\n"
          + "#   GateConfig namespace rules, then defaultEnvironment ")
          .append(policies.gate().defaultEnvironment().orElse("(none: such requests are denied)")).append(".\n");
    } else {
      c.append("# Namespaces without the label: not gated (GateConfig spec.unlabelledNamespaces: ignore, the default).\n"
          + "#   Widen: kubectl label namespace NAME ").append(ENVIRONMENT_LABEL)
          .append("=ENV, or set unlabelledNamespaces: gate and regenerate.\n");
    }
    c.append("# Never gated: ").append(String.join(", ", excluded))
        .append(" (promgate's own namespace and GateConfig exemptNamespaces).\n");
    c.append("# failurePolicy: ").append(target.failurePolicy())
        .append(target.failurePolicy() == FailurePolicy.Fail
            ? " (when promgate cannot be reached, gated requests are denied).\n"
            : " (when promgate cannot be reached, gated requests are admitted).\n");
    return c.toString();
  }

  /** promgate's own namespace first, then the GateConfig's exempt namespaces that are plain names. */
  static List<String> excludedNamespaces(PolicySet policies, Target target) {
    Set<String> names = new LinkedHashSet<>();
    names.add(target.namespace());
    for (Glob g : policies.gate().exemptNamespaces()) {
      if (g.isLiteral()) {
        names.add(g.toString());
      }
    }
    return List.copyOf(names);
  }

  /**
   * {@link #RULES} as admissionregistration writes them, CREATE and UPDATE of namespaced objects:
   * the webhook's rules and the companion admission policy's resource rules.
   */
  static void addRules(ArrayNode rules) {
    for (Rule rule : RULES) {
      ObjectNode r = rules.addObject();
      r.putArray("apiGroups").add(rule.group());
      ArrayNode versions = r.putArray("apiVersions");
      rule.versions().forEach(versions::add);
      r.putArray("operations").add("CREATE").add("UPDATE");
      ArrayNode resources = r.putArray("resources");
      rule.resources().forEach(resources::add);
      r.put("scope", "Namespaced");
    }
  }

  private static ObjectNode webhook(String name, String path, ObjectNode namespaceSelector, Target target) {
    ObjectNode w = YAML.createObjectNode();
    w.put("name", name);
    w.putArray("admissionReviewVersions").add("v1");
    w.put("sideEffects", "None");
    w.put("failurePolicy", target.failurePolicy().name());
    w.put("matchPolicy", "Equivalent");
    w.put("timeoutSeconds", TIMEOUT_SECONDS);
    ObjectNode client = w.putObject("clientConfig");
    ObjectNode service = client.putObject("service");
    service.put("name", target.service());
    service.put("namespace", target.namespace());
    service.put("path", path);
    service.put("port", 443);
    target.caBundle().ifPresent(ca -> client.put("caBundle", Base64.getEncoder().encodeToString(ca)));
    w.set("namespaceSelector", namespaceSelector);
    addRules(w.putArray("rules"));
    return w;
  }

  /** One API group's resources that start containers, as a webhook or policy rule names them. */
  record Rule(String group, List<String> versions, List<String> resources) {}

  /** Every way to start a container: CREATE and UPDATE of these (ephemeral containers are a subresource). */
  static final List<Rule> RULES = List.of(
      new Rule("", List.of("v1"), List.of("pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates")),
      new Rule("apps", List.of("v1"), List.of("deployments", "replicasets", "statefulsets", "daemonsets")),
      new Rule("batch", List.of("v1", "v1beta1"), List.of("jobs", "cronjobs")));

  private static void exclude(ArrayNode expressions, List<String> names) {
    expression(expressions, NAMESPACE_NAME_LABEL, "NotIn", names);
  }

  private static void expression(ArrayNode expressions, String key, String operator, List<String> values) {
    ObjectNode e = expressions.addObject();
    e.put("key", key);
    e.put("operator", operator);
    if (!values.isEmpty()) {
      ArrayNode v = e.putArray("values");
      values.forEach(v::add);
    }
  }
}
