package dev.promgate.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A checked serving certificate: {@code tls.crt} (the certificate, optionally followed by its
 * intermediates) and {@code tls.key} (its private key) from one folder, the layout of a Kubernetes
 * TLS secret and of cert-manager's output.
 *
 * <p>{@link #load} refuses, with a message naming the file and the problem, anything the
 * Kubernetes API server would refuse later with a vaguer one: a missing or unreadable file, text
 * that is not PEM, an encrypted key, a key that is not the certificate's, a certificate outside its
 * validity period, one without subject alternative names (the API server ignores the common
 * name) or not meant for TLS servers, and key types or sizes Go's TLS client does not accept.
 * Accepted keys: RSA of 2048 bits or more, EC on P-256, P-384 or P-521, and Ed25519; as PKCS#8
 * ({@code PRIVATE KEY}) or OpenSSL's {@code EC PRIVATE KEY} / {@code RSA PRIVATE KEY}.
 *
 * <p>{@link #keyPem()} is always PKCS#8, whatever the file held. Vert.x's PEM loader reads RSA and
 * EC keys only, so use {@link #keyCertOptions()}, which also covers Ed25519.
 */
public final class ServingCertificate {

  public static final String CERTIFICATE_FILE = "tls.crt";
  public static final String KEY_FILE = "tls.key";
  /** The TLS versions the webhook speaks. */
  public static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  /**
   * AEAD suites with forward secrecy only: TLS 1.3's three, and TLS 1.2's ECDHE with AES-GCM or
   * ChaCha20-Poly1305 (for ECDSA, Ed25519 and RSA keys). No CBC, no static RSA key exchange.
   */
  public static final List<String> TLS_CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private static final long MAX_FILE_BYTES = 1 << 20;

  private final Path directory;
  private final byte[] certificatePem;
  private final byte[] keyPem;
  private final PrivateKey key;
  private final List<X509Certificate> chain;
  private final List<String> dnsNames;
  private final List<String> ipAddresses;
  private final String fingerprint;

  private ServingCertificate(Path directory, byte[] certificatePem, PrivateKey key,
      List<X509Certificate> chain, List<String> dnsNames, List<String> ipAddresses, String fingerprint) {
    this.directory = directory;
    this.certificatePem = certificatePem;
    this.keyPem = Pem.encode("PRIVATE KEY", key.getEncoded());
    this.key = key;
    this.chain = List.copyOf(chain);
    this.dnsNames = List.copyOf(dnsNames);
    this.ipAddresses = List.copyOf(ipAddresses);
    this.fingerprint = fingerprint;
  }

  /** The result of {@link #ensure}: the certificate, and whether it was generated just now. */
  public record Ensured(ServingCertificate certificate, boolean generated) {}

  /**
   * Loads and checks {@code tls.crt} and {@code tls.key} from {@code directory}.
   *
   * @throws CertificateFilesException naming the file and what is wrong with it
   */
  public static ServingCertificate load(Path directory) {
    return load(directory, Instant.now());
  }

  static ServingCertificate load(Path directory, Instant now) {
    Path certificateFile = directory.resolve(CERTIFICATE_FILE);
    Path keyFile = directory.resolve(KEY_FILE);
    if (!Files.isDirectory(directory)) {
      throw new CertificateFilesException("certificate folder " + directory
          + (Files.exists(directory) ? " is not a folder" : " does not exist"));
    }
    boolean hasCertificate = Files.exists(certificateFile);
    boolean hasKey = Files.exists(keyFile);
    if (!hasCertificate && !hasKey) {
      throw new CertificateFilesException(directory + " has neither " + CERTIFICATE_FILE + " nor " + KEY_FILE);
    }
    if (!hasCertificate || !hasKey) {
      throw new CertificateFilesException((hasCertificate ? keyFile : certificateFile) + " is missing ("
          + (hasCertificate ? certificateFile : keyFile) + " is there; both are needed)");
    }
    return fromBytes(directory, read(certificateFile), read(keyFile), now);
  }

  /**
   * Loads the certificate in {@code directory}; when the folder has neither {@code tls.crt} nor
   * {@code tls.key}, generates a development CA and serving certificate there first
   * ({@link DevCertificates#generate} with its defaults), and says so in the result so the caller
   * can log it. Refuses to generate over half a pair, or next to a {@code ca.crt} whose key is
   * gone.
   */
  public static Ensured ensure(Path directory) {
    Path certificateFile = directory.resolve(CERTIFICATE_FILE);
    Path keyFile = directory.resolve(KEY_FILE);
    boolean hasCertificate = Files.exists(certificateFile);
    boolean hasKey = Files.exists(keyFile);
    if (hasCertificate || hasKey) {
      if (hasCertificate != hasKey) {
        throw new CertificateFilesException((hasCertificate ? keyFile : certificateFile) + " is missing but "
            + (hasCertificate ? certificateFile : keyFile) + " is there; supply both, or remove it to"
            + " have a development certificate generated (promgate does not generate over half a pair)");
      }
      return new Ensured(load(directory), false);
    }
    Path caFile = directory.resolve(DevCertificates.CA_FILE);
    if (Files.exists(caFile)) {
      throw new CertificateFilesException(directory + " has " + DevCertificates.CA_FILE + " but neither "
          + CERTIFICATE_FILE + " nor " + KEY_FILE + "; a development CA's key is not kept, so it cannot sign"
          + " a new certificate: delete " + caFile + " to have a new CA and certificate generated, or add "
          + CERTIFICATE_FILE + " and " + KEY_FILE);
    }
    DevCertificates.Generated generated = DevCertificates.generate(directory,
        DevCertificates.DEFAULT_DNS_NAMES, DevCertificates.DEFAULT_IP_ADDRESSES, DevCertificates.DEFAULT_VALIDITY);
    return new Ensured(generated.serving(), true);
  }

  /** Checks a pair given as bytes, named after the files of {@code directory} in messages. */
  static ServingCertificate fromBytes(Path directory, byte[] certificatePem, byte[] keyPem, Instant now) {
    Path certificateFile = directory.resolve(CERTIFICATE_FILE);
    Path keyFile = directory.resolve(KEY_FILE);
    List<X509Certificate> chain = Pem.certificates(certificateFile, certificatePem);
    PrivateKey key = Pem.privateKey(keyFile, keyPem);
    X509Certificate leaf = chain.get(0);

    ServingCertificateChecks.checkValidity(certificateFile, chain, now);
    List<String> dnsNames = new ArrayList<>();
    List<String> ipAddresses = new ArrayList<>();
    ServingCertificateChecks.subjectAlternativeNames(certificateFile, leaf, dnsNames, ipAddresses);
    if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new CertificateFilesException(certificateFile + ": the certificate ("
          + ServingCertificateChecks.subject(leaf) + ") has no subject alternative names; TLS clients, the"
          + " Kubernetes API server among them, ignore the common name and need the service's DNS name there");
    }
    ServingCertificateChecks.checkUsage(certificateFile, leaf);
    ServingCertificateChecks.checkKey(certificateFile, keyFile, leaf, key);
    return new ServingCertificate(directory, certificatePem.clone(), key, chain, dnsNames, ipAddresses,
        fingerprint(certificatePem, keyPem));
  }

  /** The certificate file's content as it was read: the certificate and any intermediates. */
  public byte[] certificatePem() {
    return certificatePem.clone();
  }

  /** The private key as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}), whatever the file's form. */
  public byte[] keyPem() {
    return keyPem.clone();
  }

  /**
   * Key and certificate for a Vert.x server: {@link PemKeyCertOptions} for RSA and EC keys, an
   * in-memory PKCS#12 key store for Ed25519 (which Vert.x's PEM loader does not read).
   */
  public KeyCertOptions keyCertOptions() {
    if (!(key instanceof EdECKey)) {
      return new PemKeyCertOptions()
          .setCertValue(Buffer.buffer(certificatePem))
          .setKeyValue(Buffer.buffer(keyPem));
    }
    // The password only protects bytes that never leave this process.
    String password = "promgate";
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("serving", key, password.toCharArray(), chain.toArray(X509Certificate[]::new));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, password.toCharArray());
      return new KeyStoreOptions().setType("PKCS12").setPassword(password)
          .setValue(Buffer.buffer(out.toByteArray()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an in-memory key store for the Ed25519 key", e);
    }
  }

  /** SSL options for {@code HttpServer.updateSSLOptions}: this certificate, TLS 1.2 and 1.3 only. */
  public ServerSSLOptions serverSslOptions() {
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(keyCertOptions())
        .setEnabledSecureTransportProtocols(TLS_PROTOCOLS);
    TLS_CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  /** Turns on TLS (1.2 and 1.3 only) with this certificate in {@code options}, and returns them. */
  public HttpServerOptions configure(HttpServerOptions options) {
    options.setSsl(true)
        .setKeyCertOptions(keyCertOptions())
        .setEnabledSecureTransportProtocols(TLS_PROTOCOLS);
    TLS_CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  /** The folder the files were read from (or written to). */
  public Path directory() {
    return directory;
  }

  /** The serving (leaf) certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  public String subject() {
    return ServingCertificateChecks.subject(certificate());
  }

  public Instant notBefore() {
    return certificate().getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** The DNS subject alternative names, in certificate order. */
  public List<String> dnsNames() {
    return dnsNames;
  }

  /** The IP address subject alternative names, in certificate order. */
  public List<String> ipAddresses() {
    return ipAddresses;
  }

  /**
   * {@code sha256:<hex>} over the bytes of both files: equal fingerprints mean nothing changed on
   * disk. Safe to log.
   */
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "ServingCertificate[" + subject() + ", dns=" + dnsNames + ", ip=" + ipAddresses
        + ", notAfter=" + notAfter() + ", " + fingerprint + "]";
  }

  // ------------------------------------------------------------------ checks

  static String fingerprint(byte[] certificatePem, byte[] keyPem) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(ByteBuffer.allocate(8).putLong(certificatePem.length).array());
      sha256.update(certificatePem);
      sha256.update(keyPem);
      return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  static byte[] read(Path file) {
    try {
      if (!Files.exists(file)) {
        throw new CertificateFilesException(file + " is missing");
      }
      if (!Files.isRegularFile(file)) {
        throw new CertificateFilesException(file + " is not a regular file");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new CertificateFilesException(file + " is larger than 1 MiB; it is not a certificate or key file");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CertificateFilesException(file + " is missing", e);
    } catch (IOException e) {
      throw new CertificateFilesException("cannot read " + file + ": " + Pem.describe(e), e);
    }
  }
}
