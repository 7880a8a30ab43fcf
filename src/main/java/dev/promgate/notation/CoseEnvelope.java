package dev.promgate.notation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A COSE_Sign1 Notary Project signature ({@code application/cose}, RFC 9052): tag 18 around
 * {@code [protected bstr, unprotected map, payload bstr, signature bstr]}. The protected header
 * holds the algorithm (label 1), {@code crit} (2), the content type (3) and the Notary Project
 * attributes, times as tag 1 epoch seconds; the unprotected header holds the certificate chain
 * (x5chain, label 33) and the timestamp countersignature. The signature covers the
 * {@code Sig_structure} {@code ["Signature1", protected, h'', payload]}.
 */
final class CoseEnvelope {

  private static final long TAG_COSE_SIGN1 = 18;
  private static final long TAG_EPOCH_TIME = 1;
  private static final long LABEL_ALG = 1;
  private static final long LABEL_CRIT = 2;
  private static final long LABEL_CONTENT_TYPE = 3;
  private static final long LABEL_X5CHAIN = 33;
  private static final Map<Long, String> ALGORITHMS = Map.of(
      -37L, "PS256", -38L, "PS384", -39L, "PS512", -7L, "ES256", -35L, "ES384", -36L, "ES512");
  private static final Set<Object> KNOWN = Set.of(LABEL_ALG, LABEL_CRIT, LABEL_CONTENT_TYPE,
      Envelope.SIGNING_SCHEME, Envelope.SIGNING_TIME, Envelope.AUTHENTIC_SIGNING_TIME, Envelope.EXPIRY);

  private CoseEnvelope() {}

  static Envelope parse(byte[] bytes) throws Failure {
    Object decoded = cbor(bytes, "envelope");
    if (decoded instanceof Cbor.Tagged tagged) {
      if (tagged.tag() != TAG_COSE_SIGN1) {
        throw Failure.integrity("the COSE envelope has CBOR tag " + tagged.tag() + ", not 18 (COSE_Sign1)");
      }
      decoded = tagged.value();
    }
    if (!(decoded instanceof List<?> parts) || parts.size() != 4) {
      throw Failure.integrity("the COSE envelope is not a COSE_Sign1 array of four items");
    }
    if (!(parts.get(0) instanceof byte[] protectedBytes) || !(parts.get(1) instanceof Map<?, ?> unprotected)
        || !(parts.get(2) instanceof byte[] payload) || !(parts.get(3) instanceof byte[] signature)) {
      throw Failure.integrity("the COSE_Sign1 items are not [bstr, map, bstr, bstr] (a detached payload is not accepted)");
    }
    if (signature.length == 0) {
      throw Failure.integrity("the COSE envelope's signature is empty");
    }
    if (!(cbor(protectedBytes, "protected header") instanceof Map<?, ?> p)) {
      throw Failure.integrity("the COSE protected header is not a map");
    }
    String alg = ALGORITHMS.get(p.get(LABEL_ALG) instanceof Long l ? l : null);
    if (alg == null) {
      throw Failure.integrity("the COSE algorithm " + p.get(LABEL_ALG) + " is not one the Notary Project allows");
    }
    if (!(p.get(LABEL_CONTENT_TYPE) instanceof String contentType)) {
      throw Failure.integrity("the COSE protected header has no content type string");
    }
    if (!(p.get(Envelope.SIGNING_SCHEME) instanceof String scheme)) {
      throw Failure.integrity("the COSE protected header has no signing scheme");
    }
    Instant signingTime = signingTime(p, scheme);
    Optional<Instant> expiry = p.containsKey(Envelope.EXPIRY) ? Optional.of(time(p, Envelope.EXPIRY)) : Optional.empty();
    checkCritical(p, scheme, expiry.isPresent());

    Object x5chain = unprotected.get(LABEL_X5CHAIN);
    List<byte[]> der = new ArrayList<>();
    if (x5chain instanceof byte[] single) {
      der.add(single);
    } else if (x5chain instanceof List<?> list) {
      for (Object c : list) {
        if (!(c instanceof byte[] b)) {
          throw Failure.integrity("the COSE x5chain holds something other than certificates");
        }
        der.add(b);
      }
    }
    Object token = unprotected.get(Envelope.TIMESTAMP_SIGNATURE);
    if (token != null && !(token instanceof byte[])) {
      throw Failure.integrity("the COSE timestamp countersignature is not a byte string");
    }
    return new Envelope("COSE", alg, sigStructure(protectedBytes, payload), signature, payload, contentType, scheme,
        signingTime, expiry, Envelope.certificates(der, "COSE"), Optional.ofNullable((byte[]) token));
  }

  private static Instant signingTime(Map<?, ?> p, String scheme) throws Failure {
    switch (scheme) {
      case Envelope.SCHEME_X509:
        if (p.containsKey(Envelope.AUTHENTIC_SIGNING_TIME)) {
          throw Failure.integrity("\"" + Envelope.AUTHENTIC_SIGNING_TIME + "\" must not be present for "
              + Envelope.SCHEME_X509);
        }
        return time(p, Envelope.SIGNING_TIME);
      case Envelope.SCHEME_SIGNING_AUTHORITY:
        if (p.containsKey(Envelope.SIGNING_TIME)) {
          throw Failure.integrity("\"" + Envelope.SIGNING_TIME + "\" must not be present for "
              + Envelope.SCHEME_SIGNING_AUTHORITY);
        }
        return time(p, Envelope.AUTHENTIC_SIGNING_TIME);
      default:
        throw Failure.integrity("unsupported signing scheme " + scheme);
    }
  }

  private static void checkCritical(Map<?, ?> p, String scheme, boolean hasExpiry) throws Failure {
    if (!(p.get(LABEL_CRIT) instanceof List<?> crit) || crit.isEmpty()) {
      throw Failure.integrity("the COSE protected header has no crit list");
    }
    Set<Object> must = new LinkedHashSet<>();
    must.add(Envelope.SIGNING_SCHEME);
    if (hasExpiry) {
      must.add(Envelope.EXPIRY);
    }
    if (Envelope.SCHEME_SIGNING_AUTHORITY.equals(scheme)) {
      must.add(Envelope.AUTHENTIC_SIGNING_TIME);
    }
    for (Object name : crit) {
      if (must.remove(name)) {
        continue;
      }
      if (!p.containsKey(name)) {
        throw Failure.integrity("\"" + name + "\" header is marked critical but not present");
      }
      if (!KNOWN.contains(name)) {
        throw Failure.integrity("the critical header \"" + name + "\" is not one promgate can process");
      }
    }
    if (!must.isEmpty()) {
      throw Failure.integrity("these required headers are not marked as critical: " + must);
    }
  }

  private static Instant time(Map<?, ?> p, String label) throws Failure {
    Object v = p.get(label);
    if (v == null) {
      throw Failure.integrity("the COSE protected header has no \"" + label + "\"");
    }
    if (!(v instanceof Cbor.Tagged t) || t.tag() != TAG_EPOCH_TIME) {
      throw Failure.integrity("\"" + label + "\" is not a tag-1 epoch time");
    }
    if (t.value() instanceof Long seconds) {
      return Instant.ofEpochSecond(seconds);
    }
    if (t.value() instanceof Double seconds && Double.isFinite(seconds) && Math.abs(seconds) < 1e12) {
      return Instant.ofEpochMilli(Math.round(seconds * 1000));
    }
    throw Failure.integrity("\"" + label + "\" is not a number of seconds");
  }

  private static Object cbor(byte[] bytes, String what) throws Failure {
    try {
      return Cbor.decode(bytes);
    } catch (Cbor.MalformedException e) {
      throw Failure.integrity("the COSE " + what + " is not valid CBOR: " + e.getMessage());
    }
  }

  /** {@code ["Signature1", protected, h'', payload]}, CBOR-encoded. */
  static byte[] sigStructure(byte[] protectedBytes, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + protectedBytes.length + 32);
    byte[] context = "Signature1".getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(Cbor.header(4, 4));
    out.writeBytes(Cbor.header(3, context.length));
    out.writeBytes(context);
    out.writeBytes(Cbor.header(2, protectedBytes.length));
    out.writeBytes(protectedBytes);
    out.writeBytes(Cbor.header(2, 0));
    out.writeBytes(Cbor.header(2, payload.length));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
