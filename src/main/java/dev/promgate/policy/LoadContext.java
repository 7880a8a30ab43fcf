package dev.promgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * What the documents of all files contribute to the checks that span files: environment
 * definitions and references, the promotion order, GateConfig documents and policy names.
 */
final class LoadContext {

  /** A place that names an environment, which some policy must define. */
  record EnvironmentReference(String environment, Node at, FileProblems file, String role) {}

  /** "{@code before} comes before {@code after}": {@code after}'s rules require a promotion to {@code before}. */
  record PromotionEdge(String before, String after, Node at, FileProblems file) {}

  /** Where a name was first defined. */
  record Definition(Node at, FileProblems file) {}

  record GateDocument(GateConfig config, Node at, FileProblems file) {}

  record PolicyDocument(PromotionPolicy policy, Node nameAt, FileProblems file) {}

  /** A TUF mirror a trusted root names: its host must be allowed by the GateConfig. */
  record MirrorReference(java.net.URI mirror, Node at, FileProblems file) {}
  /** An image glob of a policy, where it is written: checked against the registry allow-list. */
  record ImageGlob(String text, Node at, FileProblems file) {}

  final InputFiles inputs = new InputFiles();
  final List<EnvironmentReference> environmentReferences = new ArrayList<>();
  final List<PromotionEdge> promotionEdges = new ArrayList<>();
  final Map<String, Definition> definedEnvironments = new LinkedHashMap<>();
  final List<GateDocument> gates = new ArrayList<>();
  final List<PolicyDocument> policies = new ArrayList<>();
  final List<MirrorReference> mirrors = new ArrayList<>();
  final List<ImageGlob> imageGlobs = new ArrayList<>();
}
