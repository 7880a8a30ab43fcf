package dev.promgate.policy;

import dev.promgate.policy.PolicyShapes.Shape;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the documents of one policy file into model records, reporting every problem it finds
 * at its position and recording what the cross-file checks need in the {@link LoadContext}.
 * It checks what every document has (kind, apiVersion, metadata) and hands the rest to
 * {@link GateConfigReader} or {@link PromotionPolicyReader}.
 */
final class DocumentReader {

  private static final List<String> KINDS = List.of("GateConfig", "PromotionPolicy");

  private final FileProblems problems;
  private final GateConfigReader gateConfigs;
  private final PromotionPolicyReader promotionPolicies;

  DocumentReader(LoadContext context, FileProblems problems, Path file, Path displayFile, String text) {
    PolicyFile policyFile = new PolicyFile(context, problems, file, displayFile, text);
    this.problems = problems;
    this.gateConfigs = new GateConfigReader(policyFile);
    this.promotionPolicies = new PromotionPolicyReader(policyFile);
  }

  void read(Node document) {
    if (Fields.isNull(document)) {
      return; // an empty document, e.g. after a trailing ---
    }
    if (!(document instanceof MappingNode mapping)) {
      problems.at(document, "a policy document must be a mapping with apiVersion, kind, metadata and spec, not "
          + Fields.describe(document));
      return;
    }
    Node kindNode = find(mapping, "kind");
    if (kindNode == null || Fields.isNull(kindNode)) {
      problems.at(document, "document has no kind; expected kind: GateConfig or kind: PromotionPolicy");
      return;
    }
    String kind = Fields.string(kindNode, "kind", problems);
    if (kind == null) {
      return;
    }
    if (!KINDS.contains(kind)) {
      problems.at(kindNode, "unknown kind \"" + kind + "\""
          + Suggestions.closest(kind, KINDS).map(c -> "; did you mean \"" + c + "\"?")
              .orElse("; expected GateConfig or PromotionPolicy"));
      return;
    }
    Node apiVersionNode = find(mapping, "apiVersion");
    if (apiVersionNode != null && !Fields.isNull(apiVersionNode)) {
      String apiVersion = Fields.string(apiVersionNode, "apiVersion", problems);
      if (apiVersion == null) {
        return;
      }
      if (!apiVersion.equals(PolicyShapes.API_VERSION)) {
        problems.at(apiVersionNode, "unsupported apiVersion \"" + apiVersion + "\" for " + kind
            + "; this promgate reads " + PolicyShapes.API_VERSION);
        return; // another version may mean another schema: its keys are not worth checking
      }
    }
    if (kind.equals("GateConfig")) {
      Fields doc = Fields.of(mapping, PolicyShapes.GATE_CONFIG, problems);
      readMetadata(doc, PolicyShapes.METADATA);
      gateConfigs.read(doc, kindNode);
    } else {
      Fields doc = Fields.of(mapping, PolicyShapes.PROMOTION_POLICY, problems);
      readMetadata(doc, PolicyShapes.POLICY_METADATA);
      promotionPolicies.read(doc);
    }
  }

  static Node find(MappingNode mapping, String key) {
    for (NodeTuple t : mapping.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
        return t.getValueNode();
      }
    }
    return null;
  }

  private void readMetadata(Fields doc, Shape shape) {
    Node node = doc.value("metadata");
    if (node == null) {
      return;
    }
    Fields metadata = Fields.of(node, shape, problems);
    if (metadata == null) {
      return;
    }
    for (String key : List.of("labels", "annotations")) {
      Node map = metadata.value(key);
      if (map == null) {
        continue;
      }
      if (!(map instanceof MappingNode m)) {
        problems.at(map, key + " must be a mapping of names to strings, not " + Fields.describe(map));
        continue;
      }
      for (NodeTuple t : m.getValue()) {
        Fields.string(t.getKeyNode(), key + " names", problems);
        Fields.string(t.getValueNode(), key + " values", problems);
      }
    }
  }
}
