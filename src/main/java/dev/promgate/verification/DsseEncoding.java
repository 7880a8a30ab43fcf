package dev.promgate.verification;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The DSSE pre-authentication encoding, which signatures of an envelope are made over: the one
 * implementation for verifying ({@link DsseEnvelope}) and for signing promotions.
 */
public final class DsseEncoding {

  /** The payload type of an in-toto statement. */
  public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

  private DsseEncoding() {}

  /**
   * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}. The lengths are byte lengths, as
   * the DSSE specification says (sigstore-java 2.0.0 counts characters, which differs for
   * non-ASCII payloads).
   */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
