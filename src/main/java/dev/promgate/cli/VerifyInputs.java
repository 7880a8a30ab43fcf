package dev.promgate.cli;

import dev.promgate.image.Digest;
import dev.promgate.json.Mappers;
import dev.promgate.verification.SignedContent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The signature material a policy author has in hand for {@code promgate verify}, recognized by
 * content and turned into the webhook's {@link SignedContent}:
 * <ul>
 *   <li>a Sigstore bundle ({@code cosign sign/attest --bundle}, {@code gh attestation download});</li>
 *   <li>a Notation envelope, JWS or COSE ({@code notation sign}, {@code oras pull} of the signature),
 *       with the image manifest it signs (its media type and size are signed too);</li>
 *   <li>a cosign signature: the simple-signing payload with its base64 signature file
 *       ({@code cosign sign --output-payload --output-signature}) and optionally the PEM certificate
 *       ({@code --output-certificate}), or the lines {@code cosign download signature} prints;</li>
 *   <li>a DSSE envelope (a cosign attestation layer);</li>
 *   <li>an OCI image layout ({@code oras copy --to-oci-layout}, {@code notation}'s e2e layouts):
 *       the image with the digest, its referrers, and cosign's {@code sha256-<hex>.sig/.att} tags.</li>
 * </ul>
 * Anything else is an input error with a message that says what was expected.
 */
final class VerifyInputs {

  static final int MAX_FILE_BYTES = 16 << 20;
  private static final ObjectMapper JSON = Mappers.JSON;
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/=\\s]+");
  private static final String NOTATION = "application/vnd.cncf.notary.signature";
  private static final String SIGNATURE = "dev.cosignproject.cosign/signature";
  private static final String CERTIFICATE = "dev.sigstore.cosign/certificate";
  private static final String CHAIN = "dev.sigstore.cosign/chain";
  private static final String BUNDLE = "dev.sigstore.cosign/bundle";
  private static final String RFC3161_TIMESTAMP = "dev.sigstore.cosign/rfc3161timestamp";

  /** Input that cannot be used, said so that the author can fix it. */
  static final class InputException extends Exception {
    InputException(String message) {
      super(message, null, false, false);
    }
  }

  private final Digest digest;
  private final List<SignedContent.SignatureLayer> signatures = new ArrayList<>();
  private final List<SignedContent.AttestationLayer> attestations = new ArrayList<>();
  private final List<SignedContent.SigstoreBundle> bundles = new ArrayList<>();
  private final List<PendingNotation> notations = new ArrayList<>();
  /** What a source says about its transparency log entry or timestamps, for the report. */
  private final Map<String, String> evidence = new LinkedHashMap<>();
  private byte[] payload;
  private String payloadSource;
  private String base64Signature;
  private String signatureSource;
  private String certificatePem;
  private String manifestMediaType;
  private long manifestSize = -1;

  private record PendingNotation(String source, String mediaType, byte[] envelope) {}

  VerifyInputs(Digest digest) {
    this.digest = digest;
  }

  void read(Path file) throws InputException {
    if (Files.isDirectory(file)) {
      if (!Files.isRegularFile(file.resolve("oci-layout"))) {
        throw new InputException(file + " is a directory without an oci-layout file; give an OCI image layout or files");
      }
      layout(file);
      return;
    }
    byte[] bytes = bytes(file);
    String source = file.toString();
    if (bytes.length > 0 && ((bytes[0] & 0xff) == 0xd2 || (bytes[0] & 0xff) == 0x84)) {
      notations.add(new PendingNotation(source, "application/cose", bytes));
      return;
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (text.startsWith("-----BEGIN CERTIFICATE-----")) {
      certificatePem = text + "\n";
      return;
    }
    if (!text.startsWith("{")) {
      if (BASE64.matcher(text).matches() && !text.isEmpty()) {
        if (base64Signature != null) {
          throw new InputException("two signature files (" + signatureSource + ", " + source + "); give one per run");
        }
        base64Signature = text.replaceAll("\\s", "");
        signatureSource = source;
        return;
      }
      throw new InputException(source + " is neither JSON, a COSE envelope, a PEM certificate nor a base64 signature");
    }
    List<JsonNode> documents = new ArrayList<>();
    try (var it = JSON.readerFor(JsonNode.class).<JsonNode>readValues(bytes)) {
      while (it.hasNext()) {
        documents.add(it.next());
      }
    } catch (RuntimeException e) {
      throw new InputException(source + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    for (JsonNode doc : documents) {
      json(doc, bytes, source, documents.size() > 1);
    }
  }

  private void json(JsonNode doc, byte[] bytes, String source, boolean several) throws InputException {
    if (doc.path("mediaType").asText("").startsWith("application/vnd.dev.sigstore.bundle")) {
      bundles.add(new SignedContent.SigstoreBundle(source, doc.path("mediaType").asText(), several ? json(doc) : bytes));
      evidence.put(source, bundleEvidence(doc));
    } else if (doc.has("protected") && doc.has("payload") && doc.has("signature")) {
      notations.add(new PendingNotation(source, "application/jose+json", bytes));
    } else if (doc.has("payloadType") && doc.has("signatures")) {
      attestations.add(new SignedContent.AttestationLayer(source, "application/vnd.dsse.envelope.v1+json",
          several ? json(doc) : bytes, Map.of()));
    } else if (doc.has("Base64Signature") && doc.has("Payload")) {
      signatures.add(downloaded(doc, source));
    } else if (doc.has("critical")) {
      if (payload != null) {
        throw new InputException("two simple-signing payloads (" + payloadSource + ", " + source + "); give one per run");
      }
      payload = bytes;
      payloadSource = source;
    } else if (doc.has("schemaVersion") && (doc.has("config") || doc.has("manifests"))) {
      if (!digest.matches(bytes)) {
        throw new InputException(source + " is a manifest whose sha256 is " + Digest.sha256Of(bytes) + ", not "
            + digest + "; give the manifest of the image being verified");
      }
      String mediaType = doc.path("mediaType").asText("");
      if (mediaType.isEmpty()) {
        throw new InputException(source + " is a manifest without a mediaType field, so the media type a Notation"
            + " signature names cannot be checked");
      }
      manifestMediaType = mediaType;
      manifestSize = bytes.length;
    } else {
      throw new InputException(source + " is JSON, but not a Sigstore bundle, a Notation JWS envelope, a DSSE"
          + " envelope, a cosign simple-signing payload, cosign download signature output or an image manifest");
    }
  }

  /** One line of {@code cosign download signature}. */
  private SignedContent.SignatureLayer downloaded(JsonNode doc, String source) throws InputException {
    byte[] p;
    try {
      p = Base64.getDecoder().decode(doc.path("Payload").asText());
    } catch (IllegalArgumentException e) {
      throw new InputException(source + ": Payload is not base64");
    }
    Map<String, String> annotations = new HashMap<>();
    annotations.put(SIGNATURE, doc.path("Base64Signature").asText());
    if (doc.hasNonNull("Cert") && !doc.path("Cert").asText().isEmpty()) {
      annotations.put(CERTIFICATE, doc.path("Cert").asText());
    }
    if (doc.hasNonNull("Chain") && !doc.path("Chain").asText().isEmpty()) {
      annotations.put(CHAIN, doc.path("Chain").asText());
    }
    if (doc.hasNonNull("Bundle") && doc.path("Bundle").isObject()) {
      annotations.put(BUNDLE, doc.path("Bundle").toString());
      logEntry(source, doc.path("Bundle").toString());
    }
    if (doc.hasNonNull("RFC3161Timestamp") && doc.path("RFC3161Timestamp").isObject()) {
      annotations.put(RFC3161_TIMESTAMP, doc.path("RFC3161Timestamp").toString());
    }
    return new SignedContent.SignatureLayer(source, "application/vnd.dev.cosign.simplesigning.v1+json", p, annotations);
  }

  private void layout(Path dir) throws InputException {
    Map<Digest, JsonNode> manifests = new LinkedHashMap<>();
    Map<Digest, String> tags = new HashMap<>();
    JsonNode index = readJson(dir.resolve("index.json"), dir + "/index.json");
    walk(dir, index, manifests, tags, 0);
    JsonNode image = manifests.get(digest);
    if (image != null) {
      byte[] bytes = blob(dir, digest);
      manifestMediaType = image.path("mediaType").asText(null);
      manifestSize = bytes.length;
    }
    String prefix = digest.tagPrefix();
    for (Map.Entry<Digest, JsonNode> e : manifests.entrySet()) {
      JsonNode m = e.getValue();
      String tag = tags.getOrDefault(e.getKey(), "");
      String source = dir + "@" + e.getKey();
      if (tag.equals(prefix + ".sig") || tag.equals(prefix + ".att")) {
        boolean sig = tag.endsWith(".sig");
        int i = 0;
        for (JsonNode layer : m.path("layers")) {
          Map<String, String> annotations = new HashMap<>();
          layer.path("annotations").properties().forEach(a -> annotations.put(a.getKey(), a.getValue().asText()));
          byte[] content = blob(dir, Digest.parse(layer.path("digest").asText()));
          String at = dir + ":" + tag + " layer " + i++;
          logEntry(at, annotations.get(BUNDLE));
          if (sig) {
            signatures.add(new SignedContent.SignatureLayer(at, layer.path("mediaType").asText(null), content, annotations));
          } else {
            attestations.add(new SignedContent.AttestationLayer(at, layer.path("mediaType").asText(null), content, annotations));
          }
        }
        continue;
      }
      if (!m.path("subject").path("digest").asText("").equals(digest.toString()) || m.has("manifests")) {
        continue;
      }
      String type = m.path("artifactType").asText(m.path("config").path("mediaType").asText(""));
      for (JsonNode layer : m.path("layers")) {
        byte[] content = blob(dir, Digest.parse(layer.path("digest").asText()));
        if (type.equals(NOTATION)) {
          notations.add(new PendingNotation(source + " (referrer)", layer.path("mediaType").asText(""), content));
        } else if (type.startsWith("application/vnd.dev.sigstore.bundle")) {
          bundles.add(new SignedContent.SigstoreBundle(source + " (referrer)", type, content));
          try {
            evidence.put(source + " (referrer)", bundleEvidence(JSON.readTree(content)));
          } catch (JacksonException ignored) {
            // an unreadable bundle is reported by the verifier
          }
        }
      }
    }
  }

  private void walk(Path dir, JsonNode index, Map<Digest, JsonNode> manifests, Map<Digest, String> tags, int depth)
      throws InputException {
    if (depth > 4) {
      throw new InputException(dir + ": indexes nested deeper than 4 levels");
    }
    for (JsonNode d : index.path("manifests")) {
      Digest child;
      try {
        child = Digest.parse(d.path("digest").asText());
      } catch (RuntimeException e) {
        throw new InputException(dir + ": a descriptor has an invalid digest " + d.path("digest").asText());
      }
      String tag = d.path("annotations").path("org.opencontainers.image.ref.name").asText("");
      if (!tag.isEmpty()) {
        tags.putIfAbsent(child, tag);
      }
      if (manifests.containsKey(child) || manifests.size() > 1000) {
        continue;
      }
      JsonNode m = readJsonBytes(blob(dir, child), dir + "@" + child);
      manifests.put(child, m);
      if (m.has("manifests")) {
        walk(dir, m, manifests, tags, depth + 1);
      }
    }
  }

  /** The material read so far, as the webhook's attachments; checks that pairs are complete. */
  SignedContent attachments() throws InputException {
    if (payload != null || base64Signature != null) {
      if (payload == null || base64Signature == null) {
        throw new InputException(payload == null
            ? "a signature file (" + signatureSource + ") needs its simple-signing payload file"
            : "a simple-signing payload (" + payloadSource + ") needs its base64 signature file");
      }
      Map<String, String> annotations = new HashMap<>();
      annotations.put(SIGNATURE, base64Signature);
      if (certificatePem != null) {
        annotations.put(CERTIFICATE, certificatePem);
      }
      signatures.add(new SignedContent.SignatureLayer(payloadSource, "application/vnd.dev.cosign.simplesigning.v1+json",
          payload, annotations));
    }
    List<SignedContent.NotationSignature> notation = new ArrayList<>();
    for (PendingNotation n : notations) {
      if (manifestMediaType == null) {
        throw new InputException("the Notation signature " + n.source() + " signs the image manifest's media type and"
            + " size: give the manifest file (or an OCI layout that holds it) too");
      }
      notation.add(new SignedContent.NotationSignature(n.source(), n.mediaType(), n.envelope(), manifestMediaType,
          manifestSize));
    }
    return new SignedContent(signatures, attestations, bundles, notation);
  }

  /** The log entry or timestamps a source carries, if any, for the report. */
  Optional<String> evidence(String source) {
    return Optional.ofNullable(evidence.get(source));
  }

  /** The Rekor entry a cosign layer's bundle annotation names, for the report. */
  private void logEntry(String source, String rekorBundle) {
    if (rekorBundle == null) {
      return;
    }
    try {
      JsonNode payload = JSON.readTree(rekorBundle).path("Payload");
      if (payload.has("logIndex")) {
        evidence.put(source, "Rekor entry " + payload.path("logIndex").asText()
            + (payload.has("integratedTime")
                ? " integrated at " + java.time.Instant.ofEpochSecond(payload.path("integratedTime").asLong()) : ""));
      }
    } catch (JacksonException e) {
      // an unreadable bundle is reported by the verifier
    }
  }

  private static String bundleEvidence(JsonNode bundle) {
    List<String> parts = new ArrayList<>();
    for (JsonNode entry : bundle.path("verificationMaterial").path("tlogEntries")) {
      parts.add("Rekor entry " + entry.path("logIndex").asText("?")
          + (entry.has("integratedTime") ? " integrated at " + java.time.Instant.ofEpochSecond(entry.path("integratedTime").asLong()) : ""));
    }
    int stamps = bundle.path("verificationMaterial").path("timestampVerificationData").path("rfc3161Timestamps").size();
    if (stamps > 0) {
      parts.add(stamps + " RFC 3161 timestamp" + (stamps == 1 ? "" : "s"));
    }
    return String.join(", ", parts);
  }

  private static byte[] json(JsonNode doc) {
    return doc.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(Path file) throws InputException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(MAX_FILE_BYTES + 1);
      if (b.length > MAX_FILE_BYTES) {
        throw new InputException(file + " is larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
      }
      return b;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InputException(file + " does not exist");
    } catch (IOException e) {
      throw new InputException(file + " cannot be read: " + e.getMessage());
    }
  }

  private static byte[] blob(Path dir, Digest d) throws InputException {
    Path file = dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    byte[] b = bytes(file);
    if (!d.matches(b)) {
      throw new InputException(file + " does not hash to its name");
    }
    return b;
  }

  private static JsonNode readJson(Path file, String what) throws InputException {
    return readJsonBytes(bytes(file), what);
  }

  private static JsonNode readJsonBytes(byte[] b, String what) throws InputException {
    try {
      return JSON.readTree(b);
    } catch (JacksonException e) {
      throw new InputException(what + " is not valid JSON");
    }
  }
}
