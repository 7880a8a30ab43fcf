package dev.promgate.verification;

import dev.promgate.image.Digest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * An in-toto Statement (v0.1 or v1): what is attested ({@code predicateType}, {@code predicate})
 * about which artifacts ({@code subject}, by digest). A subject's {@code name} is optional here, as
 * in the specification; cosign 3 leaves it out of image signatures.
 *
 * @param asMap the whole statement as plain Java values, for attestation conditions
 */
record InTotoStatement(String type, String predicateType, List<Subject> subjects,
                       JsonNode predicate, Map<String, Object> asMap) {

  /** The predicate type of cosign 3's image signatures: the statement is the signature. */
  static final String COSIGN_IMAGE_SIGNATURE = "https://sigstore.dev/cosign/sign/v1";
  static final Set<String> TYPES = Set.of("https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1");

  record Subject(Optional<String> name, Map<String, String> digest) {}

  static InTotoStatement parse(byte[] payload) throws Invalid {
    String what = "the in-toto statement";
    JsonNode statement = Json.parseObject(payload, what);
    String type = Json.text(statement, "_type", what);
    if (!TYPES.contains(type)) {
      throw new Invalid(what + " has _type \"" + abbreviate(type) + "\"; supported: " + String.join(", ", TYPES.stream().sorted().toList()));
    }
    String predicateType = Json.text(statement, "predicateType", what);
    JsonNode subjectArray = Json.array(statement, "subject", what);
    if (subjectArray.isEmpty()) {
      throw new Invalid(what + " has no subject");
    }
    List<Subject> subjects = new ArrayList<>(subjectArray.size());
    for (JsonNode s : subjectArray) {
      if (!s.isObject()) {
        throw new Invalid(what + ": every subject must be an object");
      }
      JsonNode digestNode = Json.object(s, "digest", what + " subject");
      Map<String, String> digest = new LinkedHashMap<>();
      for (var e : digestNode.properties()) {
        if (!e.getValue().isTextual()) {
          throw new Invalid(what + ": subject digest \"" + e.getKey() + "\" must be a string");
        }
        digest.put(e.getKey(), e.getValue().textValue());
      }
      subjects.add(new Subject(Json.optionalText(s, "name", what + " subject"), Collections.unmodifiableMap(digest)));
    }
    JsonNode predicate = statement.get("predicate");
    return new InTotoStatement(type, predicateType, List.copyOf(subjects), predicate,
        Collections.unmodifiableMap(Json.toMap(statement)));
  }

  /** Whether a subject names {@code digest} (same algorithm, same hex, case-insensitive). */
  boolean covers(Digest digest) {
    for (Subject s : subjects) {
      String hex = s.digest().get(digest.algorithm());
      if (hex != null && hex.toLowerCase(Locale.ROOT).equals(digest.hex())) {
        return true;
      }
    }
    return false;
  }

  /** The subjects' digests, shortened, for messages: {@code sha256:0123456789ab…}. */
  String describeSubjects() {
    List<String> all = new ArrayList<>();
    for (Subject s : subjects) {
      for (var e : s.digest().entrySet()) {
        String hex = e.getValue();
        all.add(e.getKey() + ":" + (hex.length() > 12 ? hex.substring(0, 12) + "…" : hex));
      }
    }
    return all.isEmpty() ? "no digest" : String.join(", ", all);
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
