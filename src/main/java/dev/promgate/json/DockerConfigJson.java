package dev.promgate.json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Docker config file ({@code config.json}, a {@code .dockerconfigjson} pull secret, or the
 * legacy {@code .dockercfg} flat map without {@code auths}) exactly as Go's {@code encoding/json}
 * reads it for the kubelet and the docker CLI — not with promgate's strict rules ({@link Mappers#JSON}):
 * a file the cluster pulls with must not be refused here.
 * <ul>
 *   <li>duplicate keys: the last one wins; a repeated {@code auths} object adds its entries to the
 *       earlier ones (Go decodes into the map it already has), a repeated registry entry replaces the
 *       earlier one, and a {@code null} field leaves the field as it was;</li>
 *   <li>field names match case-insensitively ({@code Auths}, {@code Username});</li>
 *   <li>unknown fields ({@code credsStore}, {@code credHelpers}, {@code email}, …) are ignored;</li>
 *   <li>invalid UTF-8 becomes U+FFFD.</li>
 * </ul>
 * What Go refuses is refused: malformed JSON, anything after the value, and a field of the wrong
 * type. Messages name the file and a position, never a value: the file holds passwords.
 */
public final class DockerConfigJson {

  /** Duplicate keys allowed; trailing data is checked by hand. */
  private static final JsonMapper LENIENT = JsonMapper.builder().build();

  /** The fields of an entry promgate uses; others are skipped. */
  private static final List<String> FIELDS = List.of("auth", "username", "password", "identitytoken", "registrytoken");

  private DockerConfigJson() {}

  /**
   * One registry entry as written (the {@code auth} field still base64); an absent field is null.
   *
   * @param key the registry key as written in the file
   */
  public record Entry(String key, String auth, String username, String password, String identityToken,
                      String registryToken) {
    @Override
    public String toString() {
      return "Entry[" + key + "]";
    }
  }

  /** The file is not a docker config as Go reads one; the message names the file, never a secret. */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  /**
   * The registry entries of a docker config file, in the order of their last occurrence.
   *
   * @param what how to name the file in messages ("docker config /etc/promgate/config.json")
   */
  public static List<Entry> read(byte[] bytes, String what) throws MalformedException {
    // Go replaces invalid UTF-8 rather than failing; decoding with replacement does the same.
    String json = new String(bytes, StandardCharsets.UTF_8);
    boolean legacy = isLegacy(json, what);
    Map<String, Entry> entries = new LinkedHashMap<>();
    try (JsonParser p = LENIENT.createParser(json)) {
      JsonToken root = p.nextToken();
      if (root == null) {
        throw new MalformedException(what + " is empty");
      }
      if (root == JsonToken.START_OBJECT) {
        if (legacy) {
          entries(p, entries, what + " (legacy .dockercfg format)");
        } else {
          config(p, entries, what);
        }
      } else if (root != JsonToken.VALUE_NULL) {
        throw new MalformedException(what + " is not a docker config: expected a JSON object, not " + kind(root));
      }
      JsonToken after = p.nextToken();
      if (after != null) {
        throw new MalformedException(what + " has data after the JSON value" + at(p.currentTokenLocation()));
      }
    } catch (JacksonException e) {
      throw syntax(what, e);
    }
    return List.copyOf(entries.values());
  }

  /**
   * Base64 {@code user:password} of an {@code auth} field, padded or not (as the kubelet reads it), line
   * breaks ignored (as Go's decoder does), and NULs trimmed from the password (as docker and
   * containers/image do).
   *
   * @return the user name and the password
   * @throws IllegalArgumentException with a message that shows nothing of the value
   */
  public static String[] userAndPassword(String auth) {
    String cleaned = auth.trim().replace("\r", "").replace("\n", "");
    byte[] decoded;
    try {
      decoded = java.util.Base64.getDecoder().decode(cleaned);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"auth\" is not base64");
    }
    String text = new String(decoded, StandardCharsets.UTF_8);
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("\"auth\" does not decode to user:password");
    }
    return new String[] {text.substring(0, colon), trimNuls(text.substring(colon + 1))};
  }

  private static String trimNuls(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '\0') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '\0') {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * The legacy flat map has no {@code auths} and only objects at the top level; a config.json without
   * {@code auths} ({@code {"credsStore": "desktop"}}) has strings there and no entries either way.
   */
  private static boolean isLegacy(String json, String what) throws MalformedException {
    try (JsonParser p = LENIENT.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      boolean any = false;
      for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
        if (p.currentName().equalsIgnoreCase("auths")) {
          return false;
        }
        JsonToken value = p.nextToken();
        if (value != JsonToken.START_OBJECT && value != JsonToken.VALUE_NULL) {
          return false;
        }
        any = true;
        p.skipChildren();
      }
      return any;
    } catch (JacksonException e) {
      throw syntax(what, e);
    }
  }

  /** A config.json: the entries of every {@code auths}, other settings skipped. */
  private static void config(JsonParser p, Map<String, Entry> entries, String what) throws MalformedException {
    for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (!name.equalsIgnoreCase("auths")) {
        p.skipChildren();
      } else if (value == JsonToken.VALUE_NULL) {
        entries.clear(); // Go sets the map to nil
      } else if (value == JsonToken.START_OBJECT) {
        entries(p, entries, what);
      } else {
        throw new MalformedException(what + ": \"auths\" must be an object, not " + kind(value));
      }
    }
  }

  /** Registry key → entry pairs, parser on the object's start. */
  private static void entries(JsonParser p, Map<String, Entry> entries, String what) throws MalformedException {
    for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      Entry entry;
      if (value == JsonToken.VALUE_NULL) {
        entry = new Entry(key, null, null, null, null, null);
      } else if (value == JsonToken.START_OBJECT) {
        entry = entry(p, key, what);
      } else {
        throw new MalformedException(what + ": the entry \"" + key + "\" must be an object, not " + kind(value));
      }
      entries.remove(key); // keep the order of the last occurrence
      entries.put(key, entry);
    }
  }

  private static Entry entry(JsonParser p, String key, String what) throws MalformedException {
    String[] values = new String[FIELDS.size()];
    for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
      int field = FIELDS.indexOf(p.currentName().toLowerCase(Locale.ROOT));
      JsonToken value = p.nextToken();
      if (field < 0) {
        p.skipChildren();
      } else if (value == JsonToken.VALUE_STRING) {
        values[field] = p.getString();
      } else if (value != JsonToken.VALUE_NULL) { // null leaves a Go string as it was
        throw new MalformedException(what + ": the entry \"" + key + "\" has \"" + FIELDS.get(field)
            + "\" of the wrong type: expected a string, not " + kind(value));
      }
    }
    return new Entry(key, values[0], values[1], values[2], values[3], values[4]);
  }

  private static String kind(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name();
    };
  }

  /** Jackson's own message may quote the offending text (a password), so only the position is kept. */
  private static MalformedException syntax(String what, JacksonException e) {
    return new MalformedException(what + " is not valid JSON" + at(e.getLocation()));
  }

  private static String at(TokenStreamLocation location) {
    return location == null || location.getLineNr() < 1 ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
