package dev.promgate.policy;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the authorities of a PromotionPolicy: public keys (with the transparency they require),
 * keyless (Fulcio) identities and enterprise certificate chains (the last two through
 * {@link SigstoreAuthoritiesReader}).
 */
final class AuthoritiesReader {

  static final int MAX_KEY_FILE_BYTES = 64 << 10;
  /** The kinds of authority, as policy keys; an authority is exactly one. */
  private static final List<String> KINDS = List.of("key", "keyless", "certificateChain", "notation");

  private final PolicyFile file;
  private final FileProblems problems;
  private final SigstoreAuthoritiesReader sigstore;

  AuthoritiesReader(PolicyFile file) {
    this.file = file;
    this.problems = file.problems;
    this.sigstore = new SigstoreAuthoritiesReader(file);
  }

  /** The authorities of one policy: every declared name (even if broken) and those that loaded. */
  record Authorities(Set<String> declared, Map<String, Authority> built) {}

  Authorities read(List<Node> nodes) {
    Set<String> declared = new LinkedHashSet<>();
    Map<String, Authority> built = new LinkedHashMap<>();
    Map<String, Node> firstAt = new LinkedHashMap<>();
    if (nodes == null) {
      return new Authorities(declared, built);
    }
    for (Node node : nodes) {
      Fields a = Fields.of(node, PolicyShapes.AUTHORITY, problems);
      if (a == null) {
        continue;
      }
      Node nameNode = a.value("name");
      String name = nameNode == null ? null : Fields.string(nameNode, "name", problems);
      if (name != null && !PolicyFile.DNS_LABEL.matcher(name).matches()) {
        problems.at(nameNode, "authority name \"" + name + "\" must be lower-case letters, digits and '-',"
            + " at most 63, starting and ending with a letter or digit");
        name = null;
      }
      if (name != null) {
        Node first = firstAt.putIfAbsent(name, nameNode);
        if (first != null) {
          problems.at(nameNode, "authority \"" + name + "\" is declared twice in this policy; the first is at "
              + problems.where(first));
          name = null; // still check the rest of it
        } else {
          declared.add(name);
        }
      }
      List<String> kinds = KINDS.stream().filter(a::has).toList();
      if (kinds.size() > 1) {
        problems.at(a.keyNode(kinds.get(1)), "an authority is exactly one of " + String.join(", ", KINDS)
            + ", not " + String.join(" and ", kinds) + "; split it in two");
        continue;
      }
      if (kinds.isEmpty()) {
        problems.at(node, "authority" + (name == null ? "" : " \"" + name + "\"")
            + " needs key: {publicKeyFile: …}, keyless: {trustedRoot: …, identities: […]}"
            + ", certificateChain: {roots: …} or notation: {trustStore: …, trustedIdentities: […]}");
        continue;
      }
      Node kindNode = a.value(kinds.get(0));
      Authority authority = switch (kinds.get(0)) {
        case "key" -> keyAuthority(name, kindNode);
        case "keyless" -> sigstore.keyless(name, kindNode);
        case "certificateChain" -> sigstore.certificateChain(name, kindNode);
        case "notation" -> new NotationAuthorityReader(file).read(name, kindNode);
        default -> throw new IllegalStateException("authority kind " + kinds.get(0) + " has no reader");
      };
      if (authority != null && name != null) {
        built.put(name, authority);
      }
    }
    return new Authorities(declared, built);
  }

  private Authority keyAuthority(String name, Node node) {
    Fields key = Fields.of(node, PolicyShapes.KEY, problems);
    if (key == null) {
      return null;
    }
    Node fileNode = key.value("publicKeyFile");
    Node inlineNode = key.value("publicKey");
    if (fileNode != null && inlineNode != null) {
      problems.at(key.keyNode("publicKey"), "give the key either as publicKeyFile or as publicKey, not both");
      return null;
    }
    if (fileNode == null && inlineNode == null) {
      problems.at(node, "key needs publicKeyFile (a PEM file) or publicKey (PEM text)");
      return null;
    }
    String source;
    String pem;
    Node at;
    if (fileNode != null) {
      PolicyFile.ReadFile read = file.readReferenced(fileNode, "publicKeyFile", MAX_KEY_FILE_BYTES);
      if (read == null) {
        return null;
      }
      pem = new String(read.bytes(), StandardCharsets.UTF_8);
      at = fileNode;
      source = read.display();
    } else {
      pem = Fields.string(inlineNode, "publicKey", problems);
      if (pem == null) {
        return null;
      }
      source = "inline";
      at = inlineNode;
    }
    PublicKey publicKey;
    try {
      publicKey = PublicKeys.parsePem(pem);
    } catch (IllegalArgumentException e) {
      problems.at(at, (fileNode != null ? "publicKeyFile " + source : "publicKey") + ": " + e.getMessage());
      return null;
    }
    Optional<Authority.Transparency> transparency = sigstore.transparency(key);
    if (transparency == null) {
      return null;
    }
    return name == null ? null : new Authority.Key(name, publicKey, source, PublicKeys.fingerprint(publicKey),
        transparency);
  }
}
