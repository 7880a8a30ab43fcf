package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

/** A policy directory written by a test, with helpers to load it and read its problems. */
final class PolicyFiles {

  static final String API = "apiVersion: promgate.dev/v1alpha1\n";

  /** A GateConfig that names dev, preprod and prod, which {@link #SHOP} defines. */
  static final String GATE = API + """
      kind: GateConfig
      spec:
        defaultEnvironment: dev
        namespaces:
          - {match: "*-prod", environment: prod}
      """;

  /** A policy over the three environments with key authorities ci and release-managers. */
  static final String SHOP = API + """
      kind: PromotionPolicy
      metadata: {name: shop}
      spec:
        images: ["registry.acme.example/shop/**"]
        authorities:
          - name: ci
            key: {publicKeyFile: keys/ci.pub}
          - name: release-managers
            key: {publicKeyFile: keys/release-managers.pub}
        environments:
          dev:
            mode: audit
            signatures: [ci]
          preprod:
            signatures: [ci]
            promotions:
              - {environment: preprod, signedBy: [release-managers]}
          prod:
            signatures: [ci]
            promotions:
              - {environment: preprod, signedBy: [release-managers]}
              - {environment: prod, signedBy: [release-managers], maxAge: 720h}
            attestations:
              - predicateType: https://slsa.dev/provenance/v1
                signedBy: [ci]
                condition: 'predicate.buildDefinition.buildType.startsWith("https://")'
      """;

  final Path dir;

  PolicyFiles(Path dir) {
    this.dir = dir;
  }

  /** A directory with {@code keys/ci.pub} and {@code keys/release-managers.pub} and nothing else. */
  static PolicyFiles withKeys(Path dir) {
    PolicyFiles files = new PolicyFiles(dir);
    files.write("keys/ci.pub", publicPem(ecKeyPair()));
    files.write("keys/release-managers.pub", publicPem(ecKeyPair()));
    return files;
  }

  /** The standard valid directory: GATE and SHOP with their keys. */
  static PolicyFiles standard(Path dir) {
    return withKeys(dir).write("gate.yaml", GATE).write("shop.yaml", SHOP);
  }

  /**
   * Replaces a file at once, as a ConfigMap update does (a watcher never sees it half written: a
   * truncated file would be read as an emptied one).
   */
  PolicyFiles write(String name, String content) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
      Files.writeString(partial, content, StandardCharsets.UTF_8);
      Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  PolicyFiles delete(String name) {
    try {
      Files.deleteIfExists(dir.resolve(name));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  PolicyLoadResult load() {
    return PolicyLoader.load(dir);
  }

  /** Loads and expects success. */
  PolicySet loaded() {
    PolicyLoadResult result = load();
    if (result instanceof PolicyLoadResult.Failed failed) {
      fail("expected the policies to load, got:\n" + String.join("\n",
          failed.problems().stream().map(PolicyProblem::toString).toList()));
    }
    return ((PolicyLoadResult.Loaded) result).policies();
  }

  /** Loads and expects problems; returns them as {@code file:line:column: message}, file relative to the directory. */
  List<String> problems() {
    PolicyLoadResult result = load();
    PolicyLoadResult.Failed failed = assertInstanceOf(PolicyLoadResult.Failed.class, result,
        "expected problems, but the policies loaded");
    String prefix = dir + dir.getFileSystem().getSeparator();
    return failed.problems().stream()
        .map(p -> p.toString().startsWith(prefix) ? p.toString().substring(prefix.length()) : p.toString())
        .toList();
  }

  static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String publicPem(KeyPair pair) {
    return pem("PUBLIC KEY", pair.getPublic().getEncoded());
  }

  static String privatePem(KeyPair pair) {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
