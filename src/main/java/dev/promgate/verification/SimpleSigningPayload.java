package dev.promgate.verification;

import dev.promgate.image.Digest;
import dev.promgate.image.InvalidReferenceException;
import tools.jackson.databind.JsonNode;

/**
 * The payload of a cosign image signature ("simple signing"):
 * <pre>{"critical": {"identity": {"docker-reference": "…"}, "image": {"docker-manifest-digest": "sha256:…"},
 *   "type": "cosign container image signature"}, "optional": {…}}</pre>
 * The manifest digest is what the signature is about. The docker reference records where the image
 * was when it was signed and is not compared: the digest names the content, and a digest copied to
 * another registry (a mirror, {@code crane copy}, promotion between registries) keeps its
 * signatures, as with cosign's own verification.
 */
record SimpleSigningPayload(String dockerReference, Digest manifestDigest) {

  static final String TYPE = "cosign container image signature";

  static SimpleSigningPayload parse(byte[] payload) throws Invalid {
    String what = "the simple-signing payload";
    JsonNode root = Json.parseObject(payload, what);
    JsonNode critical = Json.object(root, "critical", what);
    String type = Json.text(critical, "type", what + " critical section");
    if (!TYPE.equals(type)) {
      throw new Invalid(what + " has type \"" + InTotoStatement.abbreviate(type) + "\", not \"" + TYPE + "\"");
    }
    JsonNode image = Json.object(critical, "image", what + " critical section");
    String digest = Json.text(image, "docker-manifest-digest", what + " critical.image");
    String reference = "";
    JsonNode identity = critical.get("identity");
    if (identity != null && identity.isObject()) {
      reference = Json.optionalText(identity, "docker-reference", what + " critical.identity").orElse("");
    }
    try {
      return new SimpleSigningPayload(reference, Digest.parse(digest));
    } catch (InvalidReferenceException e) {
      throw new Invalid(what + " names an invalid docker-manifest-digest: " + e.getMessage());
    }
  }
}
