package dev.promgate.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/**
 * A development PKI for the webhook: a self-signed CA ({@code ca.crt}) and a serving certificate
 * signed by it ({@code tls.crt}, {@code tls.key}), as {@code promgate certs generate} and
 * {@code promgate serve} on an empty certificate folder make them.
 *
 * <p>Both keys are ECDSA P-256. The CA may sign end-entity certificates only. The serving
 * certificate names the webhook in its subject alternative names, where the Kubernetes API server
 * looks (it ignores the common name), and is for TLS servers only (extended key usage serverAuth).
 * The CA's base64 PEM ({@link Generated#caBundle()}) goes into the {@code caBundle} of the
 * ValidatingWebhookConfiguration.
 *
 * <p>The CA's private key is never written: a development CA is throwaway and signs exactly one
 * certificate, so nothing can be issued from it later, should {@code ca.crt} leak into a trust
 * store. To renew, generate a new pair and update the {@code caBundle}. Production installs use
 * cert-manager or their own PKI and only hand promgate {@code tls.crt} and {@code tls.key}.
 */
public final class DevCertificates {

  public static final String CA_FILE = "ca.crt";

  /** The webhook Service {@code promgate} in namespace {@code promgate-system}, and local testing. */
  public static final List<String> DEFAULT_DNS_NAMES = List.of(
      "promgate",
      "promgate.promgate-system",
      "promgate.promgate-system.svc",
      "promgate.promgate-system.svc.cluster.local",
      "localhost");
  public static final List<String> DEFAULT_IP_ADDRESSES = List.of("127.0.0.1");
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

  /** Tolerance for clocks that run a little behind this one. */
  private static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final Pattern DNS_NAME = Pattern.compile(
      "(?:\\*\\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

  private DevCertificates() {}

  /**
   * What {@link #generate} wrote.
   *
   * @param directory         the folder holding {@code ca.crt}, {@code tls.crt} and {@code tls.key}
   * @param caCertificatePem  the content of {@code ca.crt}
   * @param serving           the serving certificate, loaded back and checked like any other
   */
  public record Generated(Path directory, String caCertificatePem, ServingCertificate serving) {

    /** {@code ca.crt} in base64, the form the webhook configuration's {@code caBundle} takes. */
    public String caBundle() {
      return Base64.getEncoder().encodeToString(caCertificatePem.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** {@link #generate(Path, List, List, Duration, boolean)} without replacing existing files. */
  public static Generated generate(Path outDir, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
    return generate(outDir, dnsNames, ipAddresses, validity, false);
  }

  /**
   * Writes {@code ca.crt}, {@code tls.crt} and {@code tls.key} (mode 0600 where the file system has
   * POSIX permissions) into {@code outDir}, creating it if needed. Each file is written to a
   * temporary name and moved into place, so a reader never sees half a file.
   *
   * @param dnsNames    DNS subject alternative names, e.g. {@link #DEFAULT_DNS_NAMES}
   * @param ipAddresses IP subject alternative names, e.g. {@link #DEFAULT_IP_ADDRESSES}
   * @param validity    how long both certificates are valid; null means {@link #DEFAULT_VALIDITY}
   * @param force       replace files that exist; without it, existing files are an error
   * @throws CertificateFilesException on bad names, existing files (without {@code force}) or I/O failures
   */
  public static Generated generate(Path outDir, List<String> dnsNames, List<String> ipAddresses,
      Duration validity, boolean force) {
    List<String> dns = checkedDnsNames(dnsNames);
    List<String> ips = checkedIpAddresses(ipAddresses);
    if (dns.isEmpty() && ips.isEmpty()) {
      throw new CertificateFilesException("a serving certificate needs at least one DNS name or IP address");
    }
    Duration lifetime = validity == null ? DEFAULT_VALIDITY : validity;
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new CertificateFilesException("certificate validity must be positive, was " + lifetime);
    }

    Path caFile = outDir.resolve(CA_FILE);
    Path certificateFile = outDir.resolve(ServingCertificate.CERTIFICATE_FILE);
    Path keyFile = outDir.resolve(ServingCertificate.KEY_FILE);
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new CertificateFilesException("cannot create the certificate folder " + outDir + ": " + Pem.describe(e), e);
    }
    if (!force) {
      List<String> existing = new ArrayList<>();
      for (Path file : List.of(caFile, certificateFile, keyFile)) {
        if (Files.exists(file)) {
          existing.add(file.getFileName().toString());
        }
      }
      if (!existing.isEmpty()) {
        throw new CertificateFilesException(String.join(", ", existing) + (existing.size() == 1 ? " exists" : " exist")
            + " in " + outDir + "; not replacing " + (existing.size() == 1 ? "it" : "them")
            + " (force replacement, or choose another folder)");
      }
    }

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = now.plus(lifetime);
    // Date and a random tag tell development CAs apart in trust stores and in openssl output.
    String caName = "promgate development CA " + LocalDate.ofInstant(now, ZoneOffset.UTC) + " "
        + HexFormat.of().formatHex(randomTag());
    CertificateIssuer.Issued ca = CertificateIssuer.selfSignedCa(
        caName, CertificateIssuer.newP256KeyPair(), notBefore, notAfter);
    KeyPair servingKeys = CertificateIssuer.newP256KeyPair();
    X509Certificate serving =
        CertificateIssuer.serving(ca, servingKeys.getPublic(), dns, ips, notBefore, notAfter);

    byte[] keyPem = Pem.encode("PRIVATE KEY", servingKeys.getPrivate().getEncoded());
    byte[] certificatePem = Pem.encode("CERTIFICATE", encoded(serving));
    byte[] caPem = Pem.encode("CERTIFICATE", encoded(ca.certificate()));
    // Key first: a reloader that sees the new certificate before its key only fails one check.
    write(keyFile, keyPem, OWNER_ONLY);
    write(certificateFile, certificatePem, WORLD_READABLE);
    write(caFile, caPem, WORLD_READABLE);
    return new Generated(outDir, new String(caPem, StandardCharsets.US_ASCII),
        ServingCertificate.fromBytes(outDir, certificatePem, keyPem, now));
  }

  private static List<String> checkedDnsNames(List<String> names) {
    Set<String> checked = new LinkedHashSet<>();
    for (String name : names == null ? List.<String>of() : names) {
      if (name == null || name.length() > 253 || !DNS_NAME.matcher(name).matches()) {
        throw new CertificateFilesException("\"" + name + "\" is not a DNS name (letters, digits and '-'"
            + " in dot-separated labels of up to 63 characters, optionally after \"*.\")");
      }
      checked.add(name);
    }
    return List.copyOf(checked);
  }

  private static List<String> checkedIpAddresses(List<String> addresses) {
    Set<String> checked = new LinkedHashSet<>();
    for (String address : addresses == null ? List.<String>of() : addresses) {
      if (address == null || !IPAddress.isValid(address)) {
        throw new CertificateFilesException("\"" + address + "\" is not an IPv4 or IPv6 address");
      }
      checked.add(address);
    }
    return List.copyOf(checked);
  }

  private static byte[] randomTag() {
    byte[] tag = new byte[4];
    RANDOM.nextBytes(tag);
    return tag;
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a certificate just issued", e);
    }
  }

  /** Writes to a temporary file beside {@code target} with its final permissions, then renames it. */
  private static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) {
    Path directory = target.toAbsolutePath().getParent();
    boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] attributes = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
        : new FileAttribute<?>[0];
    Path temporary = null;
    try {
      temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp", attributes);
      Files.write(temporary, content);
      if (posix) {
        Files.setPosixFilePermissions(temporary, permissions); // createTempFile's mode is subject to umask
      }
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
      temporary = null;
    } catch (IOException e) {
      throw new CertificateFilesException("cannot write " + target + ": " + Pem.describe(e), e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
          // best effort; the temporary name starts with a dot and ends in .tmp
        }
      }
    }
  }
}
