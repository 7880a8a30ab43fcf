package dev.promgate.manifests;

import dev.promgate.json.Mappers;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.PolicySet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A companion {@code ValidatingAdmissionPolicy} (admissionregistration.k8s.io/v1, Kubernetes 1.30
 * and later) and its binding: the digest rule, evaluated by the API server itself in CEL, for the
 * namespaces the webhook gates. It holds when the webhook cannot: while promgate is unreachable,
 * or under the audit overlay's {@code failurePolicy: Ignore}. It checks every way a workload names
 * an image — containers, init containers, ephemeral containers and image volumes, in Pods and in
 * the pod templates of every workload kind — and, like the webhook, on UPDATE only the images
 * that are new versus the old object, so existing workloads keep working.
 *
 * <p>Only the pin is checked here: signatures and promotions need registry reads, which CEL
 * cannot do. The expressions use standard CEL plus {@code join} (the strings extension Kubernetes
 * enables), nothing else of Kubernetes' libraries.
 */
public final class AdmissionPolicy {

  public static final String NAME = "promgate-digest-pinned";

  /** What the webhook accepts as a pin: a sha256, sha384 or sha512 digest at the end of the reference. */
  static final String PINNED = "@(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$";

  private static final YAMLMapper YAML = Mappers.YAML;

  private AdmissionPolicy() {}

  /**
   * The policy's variables, in evaluation order: name → CEL expression. Each may use
   * {@code object}, {@code oldObject}, {@code request} and the variables before it.
   */
  public static Map<String, String> variables() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("podSpec", podSpec("object"));
    v.put("oldPodSpec", "request.operation == 'UPDATE' && oldObject != null\n? " + podSpec("oldObject") + "\n: {}");
    v.put("images", images("variables.podSpec"));
    v.put("oldImages", images("variables.oldPodSpec"));
    v.put("unpinned", "variables.images.filter(i,\n  !i.matches('" + PINNED + "') && !(i in variables.oldImages))");
    return v;
  }

  /** The one validation: the expression that must hold, and the message when it does not. */
  public static final String VALIDATION = "size(variables.unpinned) == 0";
  public static final String MESSAGE = "'promgate: images must be referenced by digest "
      + "(registry/repository@sha256:<digest>); not pinned: ' + variables.unpinned.join(', ')";

  /** The pod spec of any workload kind the webhook judges, or {} when it has none. */
  private static String podSpec(String root) {
    // The request names the kind; the object need not (and old and new objects share it).
    String kind = "request.kind.kind";
    String template = root + ".spec.template";
    String jobTemplate = root + ".spec.jobTemplate.spec.template";
    return "(" + kind + " == 'Pod' ? (has(" + root + ".spec) ? " + root + ".spec : {})"
        + "\n : " + kind + " == 'PodTemplate' ? (has(" + root + ".template) && has(" + root + ".template.spec) ? "
        + root + ".template.spec : {})"
        + "\n : " + kind + " == 'CronJob' ? (has(" + root + ".spec) && has(" + root + ".spec.jobTemplate)"
        + " && has(" + root + ".spec.jobTemplate.spec) && has(" + jobTemplate + ") && has(" + jobTemplate + ".spec) ? "
        + jobTemplate + ".spec : {})"
        + "\n : (has(" + root + ".spec) && has(" + template + ") && has(" + template + ".spec) ? " + template
        + ".spec : {}))";
  }

  /** Every image string of a pod spec: containers, init and ephemeral containers, image volumes. */
  private static String images(String spec) {
    StringBuilder s = new StringBuilder();
    for (String field : List.of("containers", "initContainers", "ephemeralContainers")) {
      s.append("(has(").append(spec).append('.').append(field).append(") ? ").append(spec).append('.').append(field)
          .append(".map(c, has(c.image) ? c.image : '') : [])\n+ ");
    }
    s.append("(has(").append(spec).append(".volumes) ? ").append(spec)
        .append(".volumes.filter(v, has(v.image)).map(v, has(v.image.reference) ? v.image.reference : '') : [])");
    return s.toString();
  }

  /** The policy and its binding as two YAML documents. */
  public static String yaml(PolicySet policies, WebhookConfiguration.Target target) {
    ObjectNode policy = YAML.createObjectNode();
    policy.put("apiVersion", "admissionregistration.k8s.io/v1");
    policy.put("kind", "ValidatingAdmissionPolicy");
    metadata(policy);
    ObjectNode spec = policy.putObject("spec");
    spec.put("failurePolicy", "Fail");
    ObjectNode constraints = spec.putObject("matchConstraints");
    WebhookConfiguration.addRules(constraints.putArray("resourceRules"));
    ArrayNode variables = spec.putArray("variables");
    variables().forEach((name, expression) -> variables.addObject().put("name", name).put("expression", expression));
    ObjectNode validation = spec.putArray("validations").addObject();
    validation.put("expression", VALIDATION);
    validation.put("messageExpression", MESSAGE);
    validation.put("reason", "Forbidden");

    ObjectNode binding = YAML.createObjectNode();
    binding.put("apiVersion", "admissionregistration.k8s.io/v1");
    binding.put("kind", "ValidatingAdmissionPolicyBinding");
    metadata(binding);
    ObjectNode bindingSpec = binding.putObject("spec");
    bindingSpec.put("policyName", NAME);
    bindingSpec.putArray("validationActions").add("Deny");
    ObjectNode selector = bindingSpec.putObject("matchResources").putObject("namespaceSelector");
    ArrayNode expressions = selector.putArray("matchExpressions");
    if (policies.gate().unlabelledNamespaces() != GateConfig.UnlabelledNamespaces.GATE) {
      expressions.addObject().put("key", WebhookConfiguration.ENVIRONMENT_LABEL).put("operator", "Exists");
    }
    ObjectNode excluded = expressions.addObject().put("key", WebhookConfiguration.NAMESPACE_NAME_LABEL)
        .put("operator", "NotIn");
    ArrayNode values = excluded.putArray("values");
    WebhookConfiguration.excludedNamespaces(policies, target).forEach(values::add);
    return "# Generated by 'promgate manifests admission-policy' from the policies; do not edit by hand.\n"
        + "#\n# The digest rule in the API server itself (Kubernetes 1.30+): in the namespaces the webhook gates,\n"
        + "# an image that is not referenced by digest is denied even while promgate is unreachable or the\n"
        + "# webhook's failurePolicy is Ignore. Signatures and promotions stay the webhook's job.\n"
        + YAML.writeValueAsString(policy) + "---\n" + YAML.writeValueAsString(binding);
  }

  private static void metadata(ObjectNode object) {
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", NAME);
    metadata.putObject("labels").put("app.kubernetes.io/name", "promgate");
  }
}
