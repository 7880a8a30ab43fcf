package dev.promgate.admission;

import dev.promgate.json.Mappers;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes {@code admission.k8s.io/v1} AdmissionReviews with fabric8's model. fabric8 8
 * runs on Jackson 3; the admission objects stay Jackson 3 trees ({@code AdmissionCall}), which the
 * workload step reads.
 */
public final class AdmissionReviews {

  public static final String API_VERSION = "admission.k8s.io/v1";
  public static final String KIND = "AdmissionReview";

  /** Unknown fields ignored, duplicate keys refused, nulls for primitives their default: {@link Mappers#JSON}. */
  private static final JsonMapper MAPPER = Mappers.JSON;

  private AdmissionReviews() {}

  /** The outcome of reading a body: exactly one of {@code call} and {@code bad} is present. */
  public record Parsed(Optional<AdmissionCall> call, Optional<BadReview> bad) {
    static Parsed ok(AdmissionCall call) {
      return new Parsed(Optional.of(call), Optional.empty());
    }

    static Parsed bad(String reason) {
      return new Parsed(Optional.empty(), Optional.of(new BadReview(reason)));
    }
  }

  /**
   * Reads an AdmissionReview; every problem becomes a {@link BadReview} with a one-line reason.
   *
   * <p>One pass over the body builds a tree of only what promgate reads ({@link PrunedTree}): the
   * envelope's fields are taken from it with their Kubernetes types checked, and the objects stay
   * trees of their pod specs' images. Binding the envelope or a whole Pod to fabric8's model cost
   * more than everything else on the cached decision path.
   */
  public static Parsed read(byte[] body) {
    int first = firstNonWhitespace(body);
    if (first < 0) {
      return Parsed.bad("the body is empty; POST an AdmissionReview");
    }
    if (body[first] != '{') {
      return body.length - first >= 4 && body[first] == 'n' && body[first + 1] == 'u'
          && body[first + 2] == 'l' && body[first + 3] == 'l'
          ? Parsed.bad("the body is JSON null, not an AdmissionReview")
          : Parsed.bad("the body is not a JSON object; POST an AdmissionReview");
    }
    JsonNode root;
    try {
      root = PrunedTree.read(MAPPER, body);
    } catch (StreamReadException e) {
      return Parsed.bad("malformed JSON" + location(e) + ": " + firstLine(e.getOriginalMessage()));
    } catch (RuntimeException e) {
      return Parsed.bad("malformed JSON: " + firstLine(String.valueOf(e.getMessage())));
    }
    if (!KIND.equals(root.path("kind").stringValue(null))) {
      return Parsed.bad("kind is " + quoted(root.path("kind")) + ", expected AdmissionReview");
    }
    if (!API_VERSION.equals(root.path("apiVersion").stringValue(null))) {
      return Parsed.bad("apiVersion " + quoted(root.path("apiVersion")) + " is not supported; promgate speaks "
          + API_VERSION + " (set admissionReviewVersions: [v1] in the webhook configuration)");
    }
    JsonNode requestNode = root.path("request");
    if (!requestNode.isObject()) {
      return Parsed.bad(requestNode.isMissingNode() || requestNode.isNull()
          ? "the AdmissionReview has no request" : "request is not a JSON object");
    }
    ObjectNode envelope = (ObjectNode) requestNode;
    try {
      String uid = string(envelope, "uid", "request.uid");
      String operation = string(envelope, "operation", "request.operation");
      JsonNode kind = object(envelope, "kind", "request.kind");
      String kindName = string(kind, "kind", "request.kind.kind");
      if (isBlank(uid)) {
        return Parsed.bad("request.uid is missing");
      }
      if (isBlank(operation)) {
        return Parsed.bad("request.operation is missing");
      }
      if (isBlank(kindName)) {
        return Parsed.bad("request.kind is missing");
      }
      JsonNode userInfo = object(envelope, "userInfo", "request.userInfo");
      JsonNode dryRun = envelope.path("dryRun");
      if (!dryRun.isMissingNode() && !dryRun.isNull() && !dryRun.isBoolean()) {
        throw new WrongType("request.dryRun is not a boolean");
      }
      return Parsed.ok(new AdmissionCall(
          uid,
          nullToEmpty(string(kind, "group", "request.kind.group")),
          nullToEmpty(string(kind, "version", "request.kind.version")),
          kindName,
          nullToEmpty(string(envelope, "subResource", "request.subResource")),
          nullToEmpty(string(envelope, "namespace", "request.namespace")),
          nullToEmpty(string(envelope, "name", "request.name")),
          operation,
          nullToEmpty(string(userInfo, "username", "request.userInfo.username")),
          dryRun.asBoolean(false),
          present(envelope.get("object")),
          present(envelope.get("oldObject"))));
    } catch (WrongType e) {
      return Parsed.bad("not an AdmissionReview: " + e.getMessage());
    }
  }

  /** A field of the envelope whose JSON type is not the one Kubernetes gives it. */
  private static final class WrongType extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WrongType(String message) {
      super(message, null, false, false);
    }
  }

  /** A string field, or null when it is missing or JSON null; any other type is refused. */
  private static String string(JsonNode parent, String field, String path) {
    JsonNode value = parent.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw new WrongType(path + " is not a string");
    }
    return value.stringValue();
  }

  /** An object field, or a missing node when it is missing or JSON null; any other type is refused. */
  private static JsonNode object(JsonNode parent, String field, String path) {
    JsonNode value = parent.path(field);
    if (value.isNull()) {
      return tools.jackson.databind.node.MissingNode.getInstance();
    }
    if (!value.isMissingNode() && !value.isObject()) {
      throw new WrongType(path + " is not an object");
    }
    return value;
  }

  /**
   * The response review, streamed: the answer to every request, so no model objects and no tree.
   * The same JSON fabric8's {@link AdmissionReview} would make ({@code AdmissionReviewsTest} holds
   * the two side by side).
   *
   * @param statusCode HTTP-like code of a denial (with {@code message}); ignored when allowed
   */
  public static byte[] write(String uid, boolean allowed, int statusCode, String message,
                             List<String> warnings, Map<String, String> auditAnnotations) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + message.length());
    try (JsonGenerator g = MAPPER.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringProperty("apiVersion", API_VERSION);
      g.writeStringProperty("kind", KIND);
      g.writeObjectPropertyStart("response");
      g.writeStringProperty("uid", uid);
      g.writeBooleanProperty("allowed", allowed);
      if (!allowed) {
        g.writeObjectPropertyStart("status");
        g.writeStringProperty("apiVersion", "v1");
        g.writeStringProperty("kind", "Status");
        g.writeNumberProperty("code", statusCode);
        g.writeStringProperty("message", message);
        if (statusCode == 403) {
          g.writeStringProperty("reason", "Forbidden");
        }
        g.writeEndObject();
      }
      if (!warnings.isEmpty()) {
        g.writeArrayPropertyStart("warnings");
        for (String w : warnings) {
          g.writeString(w);
        }
        g.writeEndArray();
      }
      if (!auditAnnotations.isEmpty()) {
        g.writeObjectPropertyStart("auditAnnotations");
        for (Map.Entry<String, String> a : auditAnnotations.entrySet()) {
          g.writeStringProperty(a.getKey(), a.getValue());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  /** fabric8's serialization of the same response: what {@link #write} must match. For tests. */
  static byte[] writeWithModel(String uid, boolean allowed, int statusCode, String message,
                               List<String> warnings, Map<String, String> auditAnnotations) {
    AdmissionResponse response = new AdmissionResponse();
    response.setUid(uid);
    response.setAllowed(allowed);
    if (!allowed) {
      Status status = new StatusBuilder()
          .withCode(statusCode)
          .withMessage(message)
          .withReason(statusCode == 403 ? "Forbidden" : null)
          .build();
      response.setStatus(status);
    }
    if (!warnings.isEmpty()) {
      response.setWarnings(warnings);
    }
    if (!auditAnnotations.isEmpty()) {
      response.setAuditAnnotations(auditAnnotations);
    }
    AdmissionReview review = new AdmissionReview();
    review.setApiVersion(API_VERSION);
    review.setKind(KIND);
    review.setResponse(response);
    return MAPPER.writeValueAsBytes(review);
  }


  /** An object node, or nothing for a missing or JSON null object. */
  private static Optional<JsonNode> present(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? Optional.empty() : Optional.of(node);
  }

  private static String location(StreamReadException e) {
    if (e.getLocation() == null) {
      return "";
    }
    return " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    // Users need "expected a list", not our class names.
    line = QUALIFIED_NAME.matcher(line).replaceAll("$1");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  private static int firstNonWhitespace(byte[] body) {
    for (int i = 0; i < body.length; i++) {
      byte b = body[i];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return i;
      }
    }
    return -1;
  }

  private static final java.util.regex.Pattern QUALIFIED_NAME =
      java.util.regex.Pattern.compile("(?:[a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_$]*)");

  private static String quoted(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return "missing";
    }
    String text = node.isString() ? node.stringValue() : node.toString();
    return "\"" + (text.length() > 60 ? text.substring(0, 60) + "…" : text) + "\"";
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
