package dev.promgate.notation;

import dev.promgate.json.Mappers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The JWS JSON serialization of a Notary Project signature ({@code application/jose+json}): one
 * signature, protected header fields as notation-core-go writes and checks them.
 *
 * <p>Strictness that matters: the protected header, payload and signature are unpadded base64url
 * (RFC 7515), so a trailing {@code =} is an error and not quietly accepted, because a lenient
 * reader would verify different bytes than the signer signed; duplicate JSON keys are refused;
 * {@code crit} must list the signing scheme, the expiry when present, and the authentic signing
 * time for the signingAuthority scheme, and every header it lists must be present.
 */
final class JwsEnvelope {

  /** Duplicate keys refused, nothing after the value: {@link Mappers#JSON}. */
  static final ObjectMapper JSON = Mappers.JSON;
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
  private static final Set<String> KNOWN = Set.of("alg", "crit", "cty", Envelope.SIGNING_SCHEME,
      Envelope.SIGNING_TIME, Envelope.AUTHENTIC_SIGNING_TIME, Envelope.EXPIRY);
  private static final Set<String> ALGORITHMS = Set.of("PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  private JwsEnvelope() {}

  static Envelope parse(byte[] bytes) throws Failure {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JacksonException e) {
      throw Failure.integrity("the JWS envelope is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw Failure.integrity("the JWS envelope is not a JSON object");
    }
    String protectedPart = text(root, "protected");
    String payloadPart = text(root, "payload");
    String signaturePart = text(root, "signature");
    byte[] protectedBytes = base64url(protectedPart, "protected header");
    byte[] payload = base64url(payloadPart, "payload");
    byte[] signature = base64url(signaturePart, "signature");
    if (signature.length == 0) {
      throw Failure.integrity("the JWS envelope's signature is empty");
    }
    JsonNode header = root.path("header");
    List<byte[]> der = new ArrayList<>();
    JsonNode x5c = header.path("x5c");
    if (!x5c.isArray()) {
      throw Failure.integrity("the JWS envelope has no certificate chain (header x5c)");
    }
    for (JsonNode c : x5c) {
      der.add(base64(c, "x5c"));
    }
    Optional<byte[]> timestamp = header.has(Envelope.TIMESTAMP_SIGNATURE)
        ? Optional.of(base64(header.get(Envelope.TIMESTAMP_SIGNATURE), Envelope.TIMESTAMP_SIGNATURE))
        : Optional.empty();

    JsonNode p;
    try {
      p = JSON.readTree(protectedBytes);
    } catch (JacksonException e) {
      throw Failure.integrity("the JWS protected header is not JSON");
    }
    if (p == null || !p.isObject()) {
      throw Failure.integrity("the JWS protected header is not a JSON object");
    }
    String alg = text(p, "alg");
    if (!ALGORITHMS.contains(alg)) {
      throw Failure.integrity("the JWS algorithm " + alg + " is not one the Notary Project allows");
    }
    String scheme = text(p, Envelope.SIGNING_SCHEME);
    Instant signingTime = signingTime(p, scheme);
    Optional<Instant> expiry = p.has(Envelope.EXPIRY) ? Optional.of(time(p, Envelope.EXPIRY)) : Optional.empty();
    checkCritical(p, scheme, expiry.isPresent());
    byte[] signingInput = (protectedPart + "." + payloadPart).getBytes(StandardCharsets.US_ASCII);
    return new Envelope("JWS", alg, signingInput, signature, payload, p.path("cty").asText(null), scheme,
        signingTime, expiry, Envelope.certificates(der, "JWS"), timestamp);
  }

  private static Instant signingTime(JsonNode p, String scheme) throws Failure {
    switch (scheme) {
      case Envelope.SCHEME_X509:
        if (p.has(Envelope.AUTHENTIC_SIGNING_TIME)) {
          throw Failure.integrity("\"" + Envelope.AUTHENTIC_SIGNING_TIME + "\" must not be present for "
              + Envelope.SCHEME_X509);
        }
        if (!p.has(Envelope.SIGNING_TIME)) {
          throw Failure.integrity("the JWS envelope has no signing time");
        }
        return time(p, Envelope.SIGNING_TIME);
      case Envelope.SCHEME_SIGNING_AUTHORITY:
        if (p.has(Envelope.SIGNING_TIME)) {
          throw Failure.integrity("\"" + Envelope.SIGNING_TIME + "\" must not be present for "
              + Envelope.SCHEME_SIGNING_AUTHORITY);
        }
        if (!p.has(Envelope.AUTHENTIC_SIGNING_TIME)) {
          throw Failure.integrity("\"" + Envelope.AUTHENTIC_SIGNING_TIME + "\" must be present for "
              + Envelope.SCHEME_SIGNING_AUTHORITY);
        }
        return time(p, Envelope.AUTHENTIC_SIGNING_TIME);
      default:
        throw Failure.integrity("unsupported signing scheme " + scheme);
    }
  }

  private static void checkCritical(JsonNode p, String scheme, boolean hasExpiry) throws Failure {
    JsonNode crit = p.path("crit");
    if (!crit.isArray() || crit.isEmpty()) {
      throw Failure.integrity("the JWS protected header has no \"crit\" list");
    }
    Set<String> must = new LinkedHashSet<>();
    must.add(Envelope.SIGNING_SCHEME);
    if (hasExpiry) {
      must.add(Envelope.EXPIRY);
    }
    if (Envelope.SCHEME_SIGNING_AUTHORITY.equals(scheme)) {
      must.add(Envelope.AUTHENTIC_SIGNING_TIME);
    }
    for (JsonNode c : crit) {
      if (!c.isTextual()) {
        throw Failure.integrity("the JWS \"crit\" list holds a non-string");
      }
      String name = c.asText();
      if (must.remove(name)) {
        continue;
      }
      if (!p.has(name)) {
        throw Failure.integrity("\"" + name + "\" header is marked critical but not present");
      }
      if (!KNOWN.contains(name)) {
        // A critical extended attribute is one the verifier must understand; promgate understands
        // none (notation hands them to plugins), so it cannot accept the signature.
        throw Failure.integrity("the critical header \"" + name + "\" is not one promgate can process");
      }
    }
    if (!must.isEmpty()) {
      throw Failure.integrity("these required headers are not marked as critical: " + must);
    }
  }

  private static String text(JsonNode node, String field) throws Failure {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw Failure.integrity("the JWS envelope has no \"" + field + "\" string");
    }
    return v.asText();
  }

  private static Instant time(JsonNode node, String field) throws Failure {
    String value = text(node, field);
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw Failure.integrity("\"" + field + "\" is not an RFC 3339 time: " + value);
    }
  }

  private static byte[] base64url(String value, String what) throws Failure {
    if (!BASE64URL.matcher(value).matches()) {
      throw Failure.integrity("the JWS " + what + " is not unpadded base64url");
    }
    try {
      return Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw Failure.integrity("the JWS " + what + " is not unpadded base64url");
    }
  }

  private static byte[] base64(JsonNode node, String what) throws Failure {
    if (!node.isTextual()) {
      throw Failure.integrity("the JWS header " + what + " holds a non-string");
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw Failure.integrity("the JWS header " + what + " is not base64");
    }
  }
}
