package dev.promgate.verification;

import dev.promgate.json.Mappers;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON and base64 reading for signed material: {@link Mappers#JSON}'s rules (duplicate keys are
 * refused — two {@code docker-manifest-digest} keys must not mean one thing to cosign and another
 * to us — and so is anything after the value), and whole numbers become {@code Long}, as a CEL
 * {@code int} expects.
 */
final class Json {

  static final JsonMapper MAPPER = Mappers.JSON.rebuild()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .build();

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private Json() {}

  /** Parses {@code bytes}; {@code what} names them in the message, e.g. "the simple-signing payload". */
  static JsonNode parse(byte[] bytes, String what) throws Invalid {
    if (bytes == null || bytes.length == 0) {
      throw new Invalid(what + " is empty");
    }
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new Invalid(what + " is empty");
      }
      return node;
    } catch (JacksonException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new Invalid(what + " is not valid JSON: " + e.getOriginalMessage() + where);
    }
  }

  /** {@code node}, which must be a JSON object; {@code what} names it in the message. */
  static JsonNode requireObject(JsonNode node, String what) throws Invalid {
    if (node == null || !node.isObject()) {
      throw new Invalid(what + " must be a JSON object, found " + (node == null ? "nothing" : typeOf(node)));
    }
    return node;
  }

  /** {@link #parse}, for bytes that must hold a JSON object. */
  static JsonNode parseObject(byte[] bytes, String what) throws Invalid {
    return requireObject(parse(bytes, what), what);
  }

  /** A JSON object as plain Java values (maps, lists, strings, Long/Double, booleans, null). */
  static Map<String, Object> toMap(JsonNode object) {
    return MAPPER.convertValue(object, MAP);
  }

  static JsonNode object(JsonNode parent, String field, String what) throws Invalid {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      throw new Invalid(what + " has no \"" + field + "\"");
    }
    if (!node.isObject()) {
      throw new Invalid(what + ": \"" + field + "\" must be an object, found " + typeOf(node));
    }
    return node;
  }

  static JsonNode array(JsonNode parent, String field, String what) throws Invalid {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      throw new Invalid(what + " has no \"" + field + "\"");
    }
    if (!node.isArray()) {
      throw new Invalid(what + ": \"" + field + "\" must be an array, found " + typeOf(node));
    }
    return node;
  }

  static String text(JsonNode parent, String field, String what) throws Invalid {
    return optionalText(parent, field, what)
        .orElseThrow(() -> new Invalid(what + " has no \"" + field + "\""));
  }

  static Optional<String> optionalText(JsonNode parent, String field, String what) throws Invalid {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw new Invalid(what + ": \"" + field + "\" must be a string, found " + typeOf(node));
    }
    return Optional.of(node.textValue());
  }

  /** A whole number, written as a JSON number or, as protobuf JSON writes 64-bit numbers, a string. */
  static long number(JsonNode parent, String field, String what) throws Invalid {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      throw new Invalid(what + " has no \"" + field + "\"");
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.textValue());
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
    }
    throw new Invalid(what + ": \"" + field + "\" must be a whole number, found " + typeOf(node));
  }

  /** A base64 text field, decoded. */
  static byte[] base64Field(JsonNode parent, String field, String what) throws Invalid {
    return base64(text(parent, field, what), what + " \"" + field + "\"");
  }

  /**
   * Decodes base64 leniently where real signers are sloppy (line breaks, missing padding, the URL
   * alphabet protobuf JSON allows) and strictly everywhere else: any other character is an error,
   * never skipped.
   */
  static byte[] base64(String text, String what) throws Invalid {
    StringBuilder compact = new StringBuilder(text.length());
    boolean urlAlphabet = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
        continue;
      }
      urlAlphabet |= c == '-' || c == '_';
      compact.append(c);
    }
    try {
      return (urlAlphabet ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(compact.toString());
    } catch (IllegalArgumentException e) {
      throw new Invalid(what + " is not valid base64");
    }
  }

  static String typeOf(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
      case BINARY -> "binary data";
    };
  }
}
