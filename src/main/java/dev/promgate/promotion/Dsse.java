package dev.promgate.promotion;

import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.verification.DsseEncoding;
import java.util.Base64;
import tools.jackson.databind.node.ObjectNode;

/**
 * The signed form of a promotion, as {@code cosign attest --key} writes it: an in-toto Statement
 * v1 about the digest, in a DSSE envelope signed over the pre-authentication encoding.
 */
final class Dsse {

  static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  static final String IN_TOTO_PAYLOAD_TYPE = DsseEncoding.IN_TOTO_PAYLOAD_TYPE;

  private Dsse() {}

  /**
   * {@code {"_type", "subject": [{"name": repository, "digest": {alg: hex}}], "predicateType", "predicate"}};
   * the subject name is the repository, as cosign writes it.
   */
  static byte[] statement(ImageReference pinned, PromotionPredicate predicate) {
    ObjectNode s = Mappers.JSON.createObjectNode();
    s.put("_type", STATEMENT_TYPE);
    ObjectNode subject = s.putArray("subject").addObject();
    subject.put("name", pinned.name());
    subject.putObject("digest").put(pinned.digest().algorithm(), pinned.digest().hex());
    s.put("predicateType", PromotionPredicate.TYPE);
    s.set("predicate", predicate.toJson());
    return Mappers.JSON.writeValueAsBytes(s);
  }

  /**
   * {@code {"payloadType", "payload", "signatures": [{"keyid": "", "sig"}]}}, the fields in the order
   * and with the empty key id cosign's DSSE signer writes.
   */
  static byte[] envelope(byte[] statement, SigningKey key) {
    byte[] signature = key.sign(DsseEncoding.pae(IN_TOTO_PAYLOAD_TYPE, statement));
    ObjectNode e = Mappers.JSON.createObjectNode();
    e.put("payloadType", IN_TOTO_PAYLOAD_TYPE);
    e.put("payload", Base64.getEncoder().encodeToString(statement));
    e.putArray("signatures").addObject()
        .put("keyid", "")
        .put("sig", Base64.getEncoder().encodeToString(signature));
    return Mappers.JSON.writeValueAsBytes(e);
  }
}
