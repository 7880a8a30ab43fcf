package dev.promgate.policy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code notation:} authority:
 * <pre>{@code
 * - name: acr-signers
 *   notation:
 *     trustStore: trust/notation/ca/          # FILE or DIR of certificates (PEM or DER): notary.x509 signatures
 *     signingAuthority: trust/notation/sa.pem # optional: notary.x509.signingAuthority signatures
 *     timestampAuthorities: trust/tsa/        # optional: TSA roots; then RFC 3161 timestamps are required
 *     verifyTimestamp: always                 # or afterCertExpiry (only with timestampAuthorities)
 *     trustedIdentities: ["x509.subject: C=US, ST=WA, O=Acme, CN=release"]   # or ["*"]
 * }</pre>
 * Paths are relative to the policy file. A directory is a Notation trust store: every regular,
 * non-hidden file in it holds certificates. A trust store certificate must be a CA or self-signed,
 * as Notation requires, so that a leaf certificate cannot be trusted by accident.
 */
final class NotationAuthorityReader {

  static final int MAX_STORE_FILE_BYTES = 1 << 20;
  static final int MAX_STORE_FILES = 100;

  private final InputFiles inputs;
  private final FileProblems problems;
  private final PolicyFile file;

  NotationAuthorityReader(PolicyFile file) {
    this.inputs = file.context.inputs;
    this.problems = file.problems;
    this.file = file;
  }

  /** The authority, or null when something is wrong (reported) or {@code name} is null. */
  NotationAuthority read(String name, Node node) {
    Fields fields = Fields.of(node, PolicyShapes.NOTATION, problems);
    if (fields == null) {
      return null;
    }
    boolean ok = true;
    StringBuilder digest = new StringBuilder();
    List<String> sources = new ArrayList<>();
    List<X509Certificate> ca = store(fields, "trustStore", sources, digest);
    List<X509Certificate> sa = store(fields, "signingAuthority", sources, digest);
    List<X509Certificate> tsa = store(fields, "timestampAuthorities", sources, digest);
    ok &= ca != null && sa != null && tsa != null;

    NotationAuthority.VerifyTimestamp verify = NotationAuthority.VerifyTimestamp.ALWAYS;
    Node verifyNode = fields.value("verifyTimestamp");
    if (verifyNode != null) {
      String word = Fields.string(verifyNode, "verifyTimestamp", problems);
      if (word != null) {
        var parsed = NotationAuthority.VerifyTimestamp.of(word);
        if (parsed.isEmpty()) {
          problems.at(verifyNode, "verifyTimestamp must be always or afterCertExpiry, not \"" + word + "\"");
          ok = false;
        } else {
          verify = parsed.get();
          if (fields.value("timestampAuthorities") == null) {
            problems.at(verifyNode, "verifyTimestamp needs timestampAuthorities: without TSA roots no timestamp"
                + " can be checked, and the signing certificates must be valid now");
            ok = false;
          }
        }
      } else {
        ok = false;
      }
    }
    digest.append("verify:").append(verify.word()).append('\n');

    List<Map<String, String>> identities = new ArrayList<>();
    Node identitiesNode = fields.value("trustedIdentities");
    List<Node> identityNodes = fields.list("trustedIdentities");
    if (identityNodes == null) {
      ok = false;
    } else if (identityNodes.isEmpty()) {
      problems.at(identitiesNode, "trustedIdentities must list at least one \"x509.subject: …\" name, or \"*\""
          + " to trust any certificate that chains to the trust store");
      ok = false;
    } else {
      boolean wildcard = false;
      for (Node n : identityNodes) {
        String identity = Fields.string(n, "trusted identity", problems);
        if (identity == null) {
          ok = false;
          continue;
        }
        if (identity.equals("*")) {
          wildcard = true;
          continue;
        }
        try {
          identities.add(NotationAuthority.trustedIdentity(identity));
        } catch (IllegalArgumentException e) {
          problems.at(n, e.getMessage());
          ok = false;
        }
      }
      if (wildcard && identityNodes.size() > 1) {
        problems.at(identitiesNode, "\"*\" trusts every identity; list it alone or leave it out");
        ok = false;
      }
      if (wildcard) {
        identities.clear();
      }
    }
    for (Map<String, String> id : identities) {
      digest.append("identity:").append(new java.util.TreeMap<>(id)).append('\n');
    }
    if (!ok || name == null) {
      return null;
    }
    if (ca.isEmpty() && sa.isEmpty()) {
      problems.at(node, "notation needs trustStore (certificates for notary.x509 signatures) or signingAuthority");
      return null;
    }
    return new NotationAuthority(name, ca, sa, tsa, verify, identities, String.join(", ", sources),
        sha256(digest.toString()));
  }

  /** The certificates at a key, empty when the key is absent, null when something is wrong (reported). */
  private List<X509Certificate> store(Fields fields, String key, List<String> sources, StringBuilder digest) {
    Node node = fields.value(key);
    if (node == null) {
      return List.of();
    }
    PolicyFile.Referenced at = file.referenced(node, key);
    if (at == null) {
      return null;
    }
    Path path = at.path();
    String display = at.display();
    sources.add(display);
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path entry : entries) {
          if (!entry.getFileName().toString().startsWith(".") && Files.isRegularFile(entry)) {
            files.add(entry);
          }
        }
      } catch (IOException e) {
        problems.at(node, key + " " + display + " cannot be listed: " + e.getMessage());
        return null;
      }
      if (files.size() > MAX_STORE_FILES) {
        problems.at(node, key + " " + display + " holds " + files.size() + " files, more than " + MAX_STORE_FILES);
        return null;
      }
      files.sort(null);
      if (files.isEmpty()) {
        problems.at(node, key + " " + display + " is an empty directory; a trust store needs certificates");
        return null;
      }
    } else {
      files.add(path);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Path f : files) {
      String shown = files.size() == 1 && f.equals(path) ? display : display + "/" + f.getFileName();
      byte[] bytes;
      try {
        bytes = inputs.read(f, MAX_STORE_FILE_BYTES);
      } catch (InputFiles.Unreadable e) {
        problems.at(node, key + " " + shown + " " + e.getMessage());
        return null;
      }
      Collection<? extends java.security.cert.Certificate> read;
      try {
        read = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
      } catch (CertificateException | RuntimeException e) {
        problems.at(node, key + " " + shown + " holds no readable X.509 certificates (PEM or DER)");
        return null;
      }
      if (read.isEmpty()) {
        problems.at(node, key + " " + shown + " holds no certificates");
        return null;
      }
      for (var c : read) {
        X509Certificate x = (X509Certificate) c;
        boolean selfSigned = x.getSubjectX500Principal().equals(x.getIssuerX500Principal());
        if (x.getBasicConstraints() < 0 && !selfSigned) {
          problems.at(node, key + " " + shown + ": the certificate \"" + x.getSubjectX500Principal().getName()
              + "\" is neither a CA nor self-signed; a trust store holds roots (or self-signed signing certificates)");
          return null;
        }
        certificates.add(x);
        try {
          digest.append(key).append(':').append(HexFormat.of().formatHex(
              MessageDigest.getInstance("SHA-256").digest(x.getEncoded()))).append('\n');
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return List.copyOf(certificates);
  }

  private static String sha256(String text) {
    return InputFiles.sha256(text.getBytes(StandardCharsets.UTF_8));
  }
}
