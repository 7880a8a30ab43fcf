package dev.promgate.verification;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A DSSE envelope: a payload, its type, and signatures over the pre-authentication encoding of
 * both ({@link DsseEncoding}).
 */
record DsseEnvelope(String payloadType, byte[] payload, List<byte[]> signatures) {

  static final String IN_TOTO = DsseEncoding.IN_TOTO_PAYLOAD_TYPE;

  static DsseEnvelope parse(JsonNode envelope, String what) throws Invalid {
    Json.requireObject(envelope, what);
    String payloadType = Json.text(envelope, "payloadType", what);
    byte[] payload = Json.base64Field(envelope, "payload", what);
    JsonNode signatures = Json.array(envelope, "signatures", what);
    if (signatures.isEmpty()) {
      throw new Invalid(what + " has no signatures");
    }
    List<byte[]> sigs = new ArrayList<>(signatures.size());
    for (JsonNode s : signatures) {
      if (!s.isObject()) {
        throw new Invalid(what + ": every signature must be an object");
      }
      sigs.add(Json.base64Field(s, "sig", what + " signature"));
    }
    return new DsseEnvelope(payloadType, payload, List.copyOf(sigs));
  }

  /** What the signatures are over: {@link DsseEncoding#pae}. */
  byte[] pae() {
    return DsseEncoding.pae(payloadType, payload);
  }
}
