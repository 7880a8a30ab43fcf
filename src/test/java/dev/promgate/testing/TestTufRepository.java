package dev.promgate.testing;

import com.sun.net.httpserver.HttpServer;
import dev.promgate.json.Mappers;
import dev.sigstore.json.canonicalizer.JsonCanonicalizer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A TUF repository made and served by a test, the way Sigstore's is: real signed metadata (root,
 * timestamp, snapshot, targets; ECDSA P-256 keys, {@code ecdsa-sha2-nistp256}, signatures over the
 * canonical JSON of {@code signed}), consistent snapshots ({@code N.snapshot.json},
 * {@code N.targets.json}, {@code targets/<sha256>.trusted_root.json}), served over HTTP on a
 * loopback port chosen by the system. It publishes a Sigstore trusted root as its one target,
 * rotates its root, and can be tampered with or taken down, to see what a TUF client makes of it.
 */
public final class TestTufRepository implements AutoCloseable {

  private static final ObjectMapper JSON = Mappers.JSON;
  private static final String TRUSTED_ROOT = "trusted_root.json";

  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean down;
  private KeyPair rootKey = ecKey();
  private final KeyPair timestampKey = ecKey();
  private final KeyPair snapshotKey = ecKey();
  private final KeyPair targetsKey = ecKey();
  private int rootVersion = 1;
  private int timestampVersion;
  private int snapshotVersion;
  private int targetsVersion;
  private Instant expires;
  private byte[] firstRoot;

  private TestTufRepository(Instant expires) throws IOException {
    this.expires = expires;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      String name = exchange.getRequestURI().getPath().substring(1);
      byte[] body = down ? null : files.get(name);
      int status = down ? 503 : body == null ? 404 : 200;
      exchange.sendResponseHeaders(status, body == null ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        if (body != null) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  /**
   * A repository whose metadata expires at {@code expires}, publishing {@code trustedRoot} as its
   * first target.
   */
  public static TestTufRepository start(byte[] trustedRoot, Instant expires) {
    try {
      TestTufRepository repository = new TestTufRepository(expires);
      repository.firstRoot = repository.signRoot(repository.rootKey, List.of(repository.rootKey));
      repository.files.put("1.root.json", repository.firstRoot);
      repository.publish(trustedRoot);
      return repository;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The mirror's base URL, e.g. {@code http://127.0.0.1:41234}. */
  public URI mirror() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** {@code 127.0.0.1:port}, as the GateConfig allows it. */
  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** The version 1 root metadata: what a policy names as {@code tuf.root}. */
  public byte[] initialRoot() {
    return firstRoot.clone();
  }

  public void writeInitialRoot(Path file) {
    try {
      Files.write(file, firstRoot);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Publishes a new trusted root: a new target, targets, snapshot and timestamp version. */
  public synchronized void publish(byte[] trustedRoot) {
    byte[] target = trustedRoot.clone();
    String sha256 = hex(sha256(target));
    files.put("targets/" + sha256 + "." + TRUSTED_ROOT, target);
    ObjectNode targets = signed("targets", ++targetsVersion);
    ObjectNode entry = targets.putObject("targets").putObject(TRUSTED_ROOT);
    entry.put("length", target.length);
    entry.putObject("hashes").put("sha256", sha256);
    targets.putObject("delegations").putObject("keys");
    ((ObjectNode) targets.get("delegations")).putArray("roles");
    byte[] targetsFile = envelope(targets, List.of(targetsKey));
    files.put(targetsVersion + ".targets.json", targetsFile);

    ObjectNode snapshot = signed("snapshot", ++snapshotVersion);
    snapshot.putObject("meta").putObject("targets.json").put("version", targetsVersion);
    byte[] snapshotFile = envelope(snapshot, List.of(snapshotKey));
    files.put(snapshotVersion + ".snapshot.json", snapshotFile);
    publishTimestamp(snapshotFile);
  }

  /**
   * Rotates the root key: version {@code n+1} of the root, signed by the old and the new root key,
   * as the TUF specification requires.
   */
  public synchronized void rotateRoot() {
    KeyPair next = ecKey();
    rootVersion++;
    byte[] root = signRoot(next, List.of(rootKey, next));
    files.put(rootVersion + ".root.json", root);
    rootKey = next;
  }

  /** Replaces a served file with other bytes (metadata or a target), to tamper with the repository. */
  public void replace(String name, byte[] content) {
    if (!files.containsKey(name)) {
      throw new IllegalArgumentException("the repository serves no " + name + " (serves " + files.keySet() + ")");
    }
    files.put(name, content.clone());
  }

  /** The served bytes of a file. */
  public byte[] file(String name) {
    return files.get(name).clone();
  }

  /** The name of the current targets metadata file, e.g. {@code 2.targets.json}. */
  public String targetsFile() {
    return targetsVersion + ".targets.json";
  }

  /** Re-signs the current timestamp with a key the root does not list. */
  public synchronized void signTimestampWithAStrangeKey() {
    ObjectNode timestamp = signed("timestamp", ++timestampVersion);
    byte[] snapshotFile = files.get(snapshotVersion + ".snapshot.json");
    ObjectNode meta = timestamp.putObject("meta").putObject("snapshot.json");
    meta.put("version", snapshotVersion);
    meta.put("length", snapshotFile.length);
    meta.putObject("hashes").put("sha256", hex(sha256(snapshotFile)));
    files.put("timestamp.json", envelope(timestamp, List.of(ecKey())));
  }

  /** Metadata published from now on expires at {@code at}. */
  public void expireAt(Instant at) {
    this.expires = at;
  }

  /** While down, every request gets a 503, as from a mirror behind a failing CDN. */
  public void down(boolean down) {
    this.down = down;
  }

  public int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // --- metadata --------------------------------------------------------------------------------

  private void publishTimestamp(byte[] snapshotFile) {
    ObjectNode timestamp = signed("timestamp", ++timestampVersion);
    ObjectNode meta = timestamp.putObject("meta").putObject("snapshot.json");
    meta.put("version", snapshotVersion);
    meta.put("length", snapshotFile.length);
    meta.putObject("hashes").put("sha256", hex(sha256(snapshotFile)));
    files.put("timestamp.json", envelope(timestamp, List.of(timestampKey)));
  }

  private byte[] signRoot(KeyPair root, List<KeyPair> signers) {
    ObjectNode signed = signed("root", rootVersion);
    signed.put("consistent_snapshot", true);
    ObjectNode keys = signed.putObject("keys");
    ObjectNode roles = signed.putObject("roles");
    for (Map.Entry<String, KeyPair> role : Map.of("root", root, "timestamp", timestampKey, "snapshot", snapshotKey,
        "targets", targetsKey).entrySet()) {
      String id = keyId(role.getValue());
      keys.set(id, keyJson(role.getValue()));
      ObjectNode r = roles.putObject(role.getKey());
      r.putArray("keyids").add(id);
      r.put("threshold", 1);
    }
    return envelope(signed, signers);
  }

  private ObjectNode signed(String type, int version) {
    ObjectNode signed = JSON.createObjectNode();
    signed.put("_type", type);
    signed.put("spec_version", "1.0");
    signed.put("version", version);
    signed.put("expires", expires.toString());
    return signed;
  }

  private static byte[] envelope(ObjectNode signed, List<KeyPair> signers) {
    try {
      byte[] canonical = new JsonCanonicalizer(JSON.writeValueAsString(signed)).getEncodedUTF8();
      ObjectNode envelope = JSON.createObjectNode();
      ArrayNode signatures = envelope.putArray("signatures");
      for (KeyPair key : signers) {
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(key.getPrivate());
        ecdsa.update(canonical);
        ObjectNode s = signatures.addObject();
        s.put("keyid", keyId(key));
        s.put("sig", hex(ecdsa.sign()));
      }
      envelope.set("signed", signed);
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(envelope);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode keyJson(KeyPair key) {
    ObjectNode json = JSON.createObjectNode();
    json.put("keytype", "ecdsa");
    json.put("scheme", "ecdsa-sha2-nistp256");
    json.putArray("keyid_hash_algorithms").add("sha256").add("sha512");
    json.putObject("keyval").put("public", "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    return json;
  }

  /** As TUF defines it: the sha256 of the key's canonical JSON. */
  private static String keyId(KeyPair key) {
    try {
      return hex(sha256(new JsonCanonicalizer(JSON.writeValueAsString(keyJson(key))).getEncodedUTF8()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeyPair ecKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
