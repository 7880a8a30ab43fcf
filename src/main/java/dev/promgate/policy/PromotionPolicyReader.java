package dev.promgate.policy;

import dev.promgate.policy.EnvironmentRules.AttestationRule;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import dev.promgate.policy.LoadContext.Definition;
import dev.promgate.policy.LoadContext.PolicyDocument;
import dev.promgate.policy.LoadContext.PromotionEdge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a PromotionPolicy document: its name, image globs, authorities (through
 * {@link AuthoritiesReader}) and the rules of each environment.
 */
final class PromotionPolicyReader {

  static final String PROMOTION_PREDICATE_TYPE = EnvironmentRules.PromotionRule.PREDICATE_TYPE;

  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
      "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final PolicyFile file;
  private final LoadContext context;
  private final FileProblems problems;
  private final AuthoritiesReader authorities;

  PromotionPolicyReader(PolicyFile file) {
    this.file = file;
    this.context = file.context;
    this.problems = file.problems;
    this.authorities = new AuthoritiesReader(file);
  }

  void read(Fields doc) {
    String name = null;
    Node nameNode = null;
    Node metadataNode = doc.value("metadata");
    if (metadataNode instanceof MappingNode m) {
      nameNode = DocumentReader.find(m, "name");
      if (nameNode != null && !Fields.isNull(nameNode)) {
        name = Fields.string(nameNode, "name", problems);
        if (name != null && !DNS_SUBDOMAIN.matcher(name).matches()) {
          problems.at(nameNode, "policy name \"" + name + "\" must be lower-case letters, digits, '-' and '.',"
              + " starting and ending with a letter or digit (like a Kubernetes object name)");
          name = null;
        }
      }
    }
    Node specNode = doc.value("spec");
    Fields spec = specNode == null ? null : Fields.of(specNode, PolicyShapes.POLICY_SPEC, problems);
    if (spec == null) {
      return;
    }
    List<Glob> images = images(spec);
    AuthoritiesReader.Authorities authorities = this.authorities.read(spec.list("authorities"));
    Map<String, EnvironmentRules> environments = environments(spec, authorities);
    if (name != null) {
      context.policies.add(new PolicyDocument(
          new PromotionPolicy(name, file.displayFile, images, authorities.built(), environments), nameNode, problems));
    }
  }

  private List<Glob> images(Fields spec) {
    List<ScalarNode> nodes = spec.strings("images");
    if (nodes == null) {
      return List.of();
    }
    if (nodes.isEmpty() && spec.list("images").isEmpty()) {
      problems.at(spec.value("images"), "images must list at least one repository glob,"
          + " e.g. registry.acme.example/shop/**");
    }
    List<Glob> globs = new ArrayList<>();
    for (ScalarNode node : nodes) {
      String text = node.getValue();
      String problem = imageGlobProblem(text);
      if (problem != null) {
        problems.at(node, "image glob \"" + text + "\" " + problem);
        continue;
      }
      Glob g = file.glob(node, text, "images");
      if (g != null) {
        globs.add(g);
        context.imageGlobs.add(new LoadContext.ImageGlob(text, node, problems));
      }
    }
    return List.copyOf(globs);
  }

  /** Catches globs that compile but can never match a normalised repository. */
  static String imageGlobProblem(String text) {
    if (text.equals("**")) {
      return null;
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return "has no registry host: globs match normalised repositories such as"
          + " docker.io/library/nginx or registry.acme.example/shop/web";
    }
    String host = text.substring(0, slash);
    String path = text.substring(slash + 1);
    boolean wildHost = host.contains("*") || host.contains("?");
    if (!wildHost && !host.contains(".") && !host.contains(":") && !host.equals("localhost")) {
      return "starts with \"" + host + "\", which is not a registry host; repositories are normalised with"
          + " their registry, e.g. docker.io/" + text;
    }
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      return "never matches: repositories are normalised to docker.io/" + path;
    }
    if (!host.equals(host.toLowerCase(Locale.ROOT))) {
      return "never matches: write the registry host in lower case";
    }
    if (!path.equals(path.toLowerCase(Locale.ROOT))) {
      return "never matches: repository paths are lower case";
    }
    if (path.contains("@") || path.contains(":")) {
      return "names a tag or digest; globs match the repository only, e.g. " + host + "/"
          + path.replaceAll("[:@].*", "");
    }
    return null;
  }

  // --- environments ------------------------------------------------------------------------

  private Map<String, EnvironmentRules> environments(Fields spec, AuthoritiesReader.Authorities authorities) {
    Node node = spec.value("environments");
    if (node == null) {
      return Map.of();
    }
    if (!(node instanceof MappingNode mapping)) {
      problems.at(node, "environments must be a mapping of environment names to rules, not "
          + Fields.describe(node));
      return Map.of();
    }
    if (mapping.getValue().isEmpty()) {
      problems.at(node, "environments must define at least one environment");
      return Map.of();
    }
    Map<String, EnvironmentRules> environments = new LinkedHashMap<>();
    Map<String, Node> seen = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String env = file.environmentName(keyNode, "environment name");
      if (env == null) {
        continue;
      }
      Node first = seen.putIfAbsent(env, keyNode);
      if (first != null) {
        problems.at(keyNode, "environment \"" + env + "\" is defined twice in this policy; the first is at "
            + problems.where(first));
        continue;
      }
      context.definedEnvironments.putIfAbsent(env, new Definition(keyNode, problems));
      EnvironmentRules rules = environmentRules(env, tuple.getValueNode(), authorities);
      if (rules != null) {
        environments.put(env, rules);
      }
    }
    return environments;
  }

  private EnvironmentRules environmentRules(String env, Node node, AuthoritiesReader.Authorities authorities) {
    if (Fields.isNull(node)) {
      return rules(env, Optional.empty(), List.of(), List.of(), List.of());
    }
    Fields rules = Fields.of(node, PolicyShapes.ENVIRONMENT, problems);
    if (rules == null) {
      return null;
    }
    Mode mode = file.mode(rules);
    List<Authority> signatures = authorityList(rules, "signatures", authorities, false);
    if (signatures == null) {
      signatures = List.of(); // reported; the load fails, so the partial rules are never used
    }

    List<PromotionRule> promotions = new ArrayList<>();
    List<Node> promotionNodes = rules.list("promotions");
    Map<String, Node> promotedTo = new LinkedHashMap<>();
    if (promotionNodes != null) {
      for (Node p : promotionNodes) {
        PromotionRule rule = promotion(env, p, authorities, promotedTo);
        if (rule != null) {
          promotions.add(rule);
        }
      }
    }

    List<AttestationRule> attestations = new ArrayList<>();
    List<Node> attestationNodes = rules.list("attestations");
    if (attestationNodes != null) {
      for (Node a : attestationNodes) {
        AttestationRule rule = attestation(a, authorities);
        if (rule != null) {
          attestations.add(rule);
        }
      }
    }
    return rules(env, Optional.ofNullable(mode), signatures, promotions, attestations);
  }

  private static EnvironmentRules rules(String env, Optional<Mode> mode, List<Authority> signatures,
                                        List<PromotionRule> promotions, List<AttestationRule> attestations) {
    return new EnvironmentRules(env, mode, List.copyOf(signatures), List.copyOf(promotions),
        List.copyOf(attestations), Fingerprints.of(signatures, promotions, attestations));
  }

  private PromotionRule promotion(String env, Node node, AuthoritiesReader.Authorities authorities, Map<String, Node> promotedTo) {
    Fields p = Fields.of(node, PolicyShapes.PROMOTION, problems);
    if (p == null) {
      return null;
    }
    Node targetNode = p.value("environment");
    String target = targetNode == null ? null : file.environmentName(targetNode, "environment");
    if (target != null) {
      Node first = promotedTo.putIfAbsent(target, targetNode);
      if (first != null) {
        problems.at(targetNode, "a promotion to " + target + " is already required at " + problems.where(first)
            + "; merge the two");
        target = null;
      } else {
        file.reference(target, targetNode, "promotion");
        if (!target.equals(env)) {
          context.promotionEdges.add(new PromotionEdge(target, env, targetNode, problems));
        }
      }
    }
    List<Authority> signedBy = authorityList(p, "signedBy", authorities, true);
    Duration maxAge = null;
    if (p.has("maxAge")) {
      maxAge = file.positive(p, "maxAge");
    }
    if (target == null || signedBy == null) {
      return null;
    }
    return new PromotionRule(target, signedBy, Optional.ofNullable(maxAge));
  }

  private AttestationRule attestation(Node node, AuthoritiesReader.Authorities authorities) {
    Fields a = Fields.of(node, PolicyShapes.ATTESTATION, problems);
    if (a == null) {
      return null;
    }
    String predicateType = a.string("predicateType");
    if (predicateType != null) {
      if (predicateType.isBlank() || !predicateType.equals(predicateType.strip())
          || predicateType.chars().anyMatch(Character::isWhitespace)) {
        problems.at(a.value("predicateType"), "predicateType must be a URI without white space, e.g. "
            + "https://slsa.dev/provenance/v1");
        predicateType = null;
      } else if (predicateType.equals(PROMOTION_PREDICATE_TYPE)) {
        problems.at(a.value("predicateType"), "promotion attestations are required under promotions:"
            + " ({environment, signedBy, maxAge}), not under attestations");
        predicateType = null;
      }
    }
    List<Authority> signedBy = authorityList(a, "signedBy", authorities, true);
    Optional<AttestationCondition> condition = Optional.empty();
    boolean conditionOk = true;
    Node conditionNode = a.value("condition");
    if (conditionNode != null) {
      String expression = Fields.string(conditionNode, "condition", problems);
      conditionOk = false;
      if (expression != null) {
        CelAttestationCondition.Compilation c = CelAttestationCondition.tryCompile(expression);
        if (c.condition() != null) {
          condition = Optional.of(c.condition());
          conditionOk = true;
        } else {
          for (CelAttestationCondition.Issue issue : c.issues()) {
            celProblem((ScalarNode) conditionNode, issue);
          }
        }
      }
    }
    if (predicateType == null || signedBy == null || !conditionOk) {
      return null;
    }
    return new AttestationRule(predicateType, signedBy, condition);
  }

  /**
   * Reports a CEL issue at its own position in the file when the scalar's source text is the
   * expression verbatim (plain or quoted on one line without escapes, or a literal block), else
   * at the start of the value with the position inside the expression.
   */
  private void celProblem(ScalarNode node, CelAttestationCondition.Issue issue) {
    String message = "condition: " + issue.message();
    int[] position = CelPositions.locate(file.source, node, issue.line(), issue.column());
    if (position != null) {
      problems.at(position[0], position[1], message);
    } else {
      problems.at(node, message + " (line " + issue.line() + ", column " + (issue.column() + 1)
          + " of the expression)");
    }
  }

  /**
   * Authority names in {@code key}; unknown names are reported with a suggestion. Returns null when
   * the list is required and missing or empty, or when a name could not be resolved.
   */
  private List<Authority> authorityList(Fields fields, String key, AuthoritiesReader.Authorities authorities, boolean required) {
    List<ScalarNode> nodes = fields.strings(key);
    if (nodes == null) {
      return required ? null : List.of();
    }
    if (required && fields.list(key).isEmpty()) {
      problems.at(fields.value(key), key + " must name at least one authority");
      return null;
    }
    boolean complete = nodes.size() == fields.list(key).size();
    List<Authority> resolved = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ScalarNode n : nodes) {
      String name = n.getValue();
      if (!seen.add(name)) {
        problems.at(n, "authority \"" + name + "\" is listed twice");
        complete = false;
        continue;
      }
      Authority a = authorities.built().get(name);
      if (a instanceof NotationAuthority && key.equals("signedBy")) {
        problems.at(n, "authority \"" + name + "\" is a Notation authority: Notation signs images, not in-toto"
            + " attestations, so it can be listed under signatures only");
        complete = false;
        continue;
      }
      if (a != null) {
        resolved.add(a);
        continue;
      }
      complete = false;
      if (!authorities.declared().contains(name)) {
        // A declared authority that failed to load was reported where it is declared.
        problems.at(n, "unknown authority \"" + name + "\" in " + key
            + Suggestions.closest(name, authorities.declared()).map(c -> "; did you mean \"" + c + "\"?")
                .orElse(authorities.declared().isEmpty() ? "; this policy declares no authorities"
                    : " (declared: " + String.join(", ", authorities.declared()) + ")"));
      }
    }
    return complete ? List.copyOf(resolved) : null;
  }
}
