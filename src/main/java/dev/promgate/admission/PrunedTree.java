package dev.promgate.admission;

import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an AdmissionReview into a JSON tree, leaving out the parts of {@code request.object} and
 * {@code request.oldObject} that can never name an image: managed fields, status, and per
 * container the environment, probes, resources, mounts and the like. The skipped parts are still
 * read and checked as JSON (a syntax error anywhere is an error), they only never become nodes.
 * Building those nodes was most of the cost of reading a typical pod; this keeps promgate's parse
 * cheaper than a plain tree parse of the whole review.
 *
 * <p>Nothing that can hold an image is ever left out: containers keep {@code name} and
 * {@code image}, and {@code volumes} stay whole (image volumes name images too).
 */
final class PrunedTree {

  /** Fields of workload objects that never contain an image reference, at any depth. */
  static final Set<String> NEVER_IMAGES = Set.of(
      "managedFields", "status",
      "env", "envFrom", "resources", "resizePolicy", "livenessProbe", "readinessProbe", "startupProbe",
      "lifecycle", "securityContext", "ports", "volumeMounts", "volumeDevices", "command", "args",
      "affinity", "tolerations", "topologySpreadConstraints", "nodeSelector", "dnsConfig", "hostAliases",
      "readinessGates", "resourceClaims", "schedulingGates", "overhead");

  private PrunedTree() {}

  static JsonNode read(JsonMapper mapper, byte[] body) {
    JsonNodeFactory nodes = mapper.getNodeFactory();
    try (JsonParser p = mapper.createParser(body)) {
      JsonNode root = value(p, p.nextToken(), nodes, Where.ROOT);
      if (p.nextToken() != null) {
        throw new StreamReadException(p, "unexpected content after the AdmissionReview object");
      }
      return root;
    }
  }

  /** What a node is in the review: only workload objects are pruned. */
  private enum Where { ROOT, REQUEST, OBJECT, OTHER }

  private static JsonNode value(JsonParser p, JsonToken t, JsonNodeFactory nodes, Where where) {
    if (t == null) {
      throw new StreamReadException(p, "unexpected end of input");
    }
    switch (t) {
      case START_OBJECT: {
        ObjectNode object = nodes.objectNode();
        for (JsonToken field = p.nextToken(); field != JsonToken.END_OBJECT; field = p.nextToken()) {
          String name = p.currentName();
          JsonToken next = p.nextToken();
          if (where == Where.OBJECT && NEVER_IMAGES.contains(name)) {
            p.skipChildren();
            continue;
          }
          object.set(name, value(p, next, nodes, inside(where, name)));
        }
        return object;
      }
      case START_ARRAY: {
        ArrayNode array = nodes.arrayNode();
        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
          array.add(value(p, item, nodes, where == Where.OBJECT ? Where.OBJECT : Where.OTHER));
        }
        return array;
      }
      case VALUE_STRING:
        return nodes.stringNode(p.getString());
      case VALUE_NUMBER_INT:
        return switch (p.getNumberType()) {
          case INT -> nodes.numberNode(p.getIntValue());
          case LONG -> nodes.numberNode(p.getLongValue());
          default -> nodes.numberNode(p.getBigIntegerValue());
        };
      case VALUE_NUMBER_FLOAT:
        return nodes.numberNode(p.getDecimalValue());
      case VALUE_TRUE:
        return nodes.booleanNode(true);
      case VALUE_FALSE:
        return nodes.booleanNode(false);
      case VALUE_NULL:
        return nodes.nullNode();
      default:
        throw new StreamReadException(p, "unexpected token " + t);
    }
  }

  /** What the field {@code name} of a node of kind {@code parent} is. */
  private static Where inside(Where parent, String name) {
    return switch (parent) {
      case ROOT -> name.equals("request") ? Where.REQUEST : Where.OTHER;
      case REQUEST -> name.equals("object") || name.equals("oldObject") ? Where.OBJECT : Where.OTHER;
      case OBJECT -> Where.OBJECT;
      case OTHER -> Where.OTHER;
    };
  }
}
