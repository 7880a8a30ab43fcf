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
 * Reads an AdmissionReview into a JSON tree of only the fields promgate reads: the review's kind
 * and version, the request's envelope (uid, kind, operation, namespace, name, user, dry run) and,
 * of {@code request.object} and {@code request.oldObject}, the path to the pod spec, the
 * containers' names and images, image volumes and the workload's annotations (break-glass). Every
 * other part is still read and checked as JSON (a syntax error or a duplicate key anywhere is an
 * error); it only never becomes nodes. Building nodes for managed fields, env, probes, the
 * request's options and user groups was most of the cost of reading a review.
 *
 * <p>The lists below are what {@code AdmissionReviews} and the workload step read; a field added
 * there must be added here, or it reads as missing ({@code AdmissionReviewsTest} and
 * {@code WorkloadImagesTest} read through this tree).
 */
final class PrunedTree {

  /** Fields of a workload object on the way to, or inside, its pod spec that hold images or annotations. */
  static final Set<String> WORKLOAD_FIELDS = Set.of(
      "metadata", "annotations", "spec", "template", "jobTemplate",
      "initContainers", "containers", "ephemeralContainers", "volumes", "name", "image", "reference");

  /** Fields of {@code request} that promgate reads; {@code object} and {@code oldObject} are pruned as workloads. */
  static final Set<String> REQUEST_FIELDS = Set.of(
      "uid", "kind", "subResource", "namespace", "name", "operation", "userInfo", "dryRun", "object", "oldObject");

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

  /** What a node is in the review, which decides which of its fields are kept. */
  private enum Where { ROOT, REQUEST, USER, WORKLOAD, WHOLE }

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
          Where inside = inside(where, name);
          if (inside == null) {
            p.skipChildren();
            continue;
          }
          object.set(name, value(p, next, nodes, inside));
        }
        return object;
      }
      case START_ARRAY: {
        ArrayNode array = nodes.arrayNode();
        // List items are what their list is: containers, volumes, annotations' values never are lists.
        Where items = where == Where.WORKLOAD ? Where.WORKLOAD : Where.WHOLE;
        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
          array.add(value(p, item, nodes, items));
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

  /** What the field {@code name} of a node of kind {@code parent} is, or null to leave it out. */
  private static Where inside(Where parent, String name) {
    return switch (parent) {
      case ROOT -> name.equals("request") ? Where.REQUEST
          : name.equals("kind") || name.equals("apiVersion") ? Where.WHOLE : null;
      case REQUEST -> !REQUEST_FIELDS.contains(name) ? null
          : name.equals("object") || name.equals("oldObject") ? Where.WORKLOAD
          : name.equals("userInfo") ? Where.USER : Where.WHOLE;
      case USER -> name.equals("username") ? Where.WHOLE : null;
      case WORKLOAD -> !WORKLOAD_FIELDS.contains(name) ? null
          : name.equals("annotations") ? Where.WHOLE : Where.WORKLOAD;
      case WHOLE -> Where.WHOLE;
    };
  }
}
