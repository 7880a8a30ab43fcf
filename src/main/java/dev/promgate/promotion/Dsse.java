package dev.promgate.promotion;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.promgate.image.ImageReference;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The signed form of a promotion, as {@code cosign attest --key} writes it: an in-toto Statement
 * v1 about the digest, in a DSSE envelope signed over the pre-authentication encoding.
 */
final class Dsse {

  static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

  private Dsse() {}

  /**
   * {@code {"_type", "subject": [{"name": repository, "digest": {alg: hex}}], "predicateType", "predicate"}};
   * the subject name is the repository, as cosign writes it.
   */
  static byte[] statement(ImageReference pinned, PromotionPredicate predicate) {
    ObjectNode s = SigningJson.MAPPER.createObjectNode();
    s.put("_type", STATEMENT_TYPE);
    ObjectNode subject = s.putArray("subject").addObject();
    subject.put("name", pinned.name());
    subject.putObject("digest").put(pinned.digest().algorithm(), pinned.digest().hex());
    s.put("predicateType", PromotionPredicate.TYPE);
    s.set("predicate", predicate.toJson());
    return SigningJson.bytes(s);
  }

  /**
   * {@code {"payloadType", "payload", "signatures": [{"keyid": "", "sig"}]}}, the fields in the order
   * and with the empty key id cosign's DSSE signer writes.
   */
  static byte[] envelope(byte[] statement, SigningKey key) {
    byte[] signature = key.sign(pae(IN_TOTO_PAYLOAD_TYPE, statement));
    ObjectNode e = SigningJson.MAPPER.createObjectNode();
    e.put("payloadType", IN_TOTO_PAYLOAD_TYPE);
    e.put("payload", Base64.getEncoder().encodeToString(statement));
    e.putArray("signatures").addObject()
        .put("keyid", "")
        .put("sig", Base64.getEncoder().encodeToString(signature));
    return SigningJson.bytes(e);
  }

  /** {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, lengths in bytes. */
  static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
