package dev.promgate.verification;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A DSSE envelope: a payload, its type, and signatures over the pre-authentication encoding of
 * both. The lengths in the encoding are byte lengths, as the DSSE specification says (sigstore-java
 * 2.0.0 counts characters, which differs for non-ASCII payloads).
 */
record DsseEnvelope(String payloadType, byte[] payload, List<byte[]> signatures) {

  static final String IN_TOTO = "application/vnd.in-toto+json";

  static DsseEnvelope parse(JsonNode envelope, String what) throws Invalid {
    if (!envelope.isObject()) {
      throw new Invalid(what + " must be a JSON object, found " + Json.typeOf(envelope));
    }
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

  /** {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}. */
  byte[] pae() {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
