package dev.promgate.policy;

import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the authorities of a PromotionPolicy: public keys and keyless (Fulcio) identities. */
final class AuthoritiesReader {

  static final int MAX_KEY_FILE_BYTES = 64 << 10;
  static final int MAX_TRUSTED_ROOT_BYTES = 4 << 20;

  /** An exact identity value that looks like a regular expression was probably meant as one. */
  private static final Pattern REGEX_LOOKING = Pattern.compile("^\\^|\\\\|\\.[*+]|\\$$|\\(\\?");

  private final PolicyFile file;
  private final FileProblems problems;

  AuthoritiesReader(PolicyFile file) {
    this.file = file;
    this.problems = file.problems;
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
      Node keyNode = a.value("key");
      Node keylessNode = a.value("keyless");
      Node notationNode = a.value("notation");
      List<String> kinds = new ArrayList<>();
      for (String kind : List.of("key", "keyless", "notation")) {
        if (a.value(kind) != null) {
          kinds.add(kind);
        }
      }
      if (kinds.size() > 1) {
        problems.at(a.keyNode(kinds.get(1)), "an authority is one of key, keyless or notation, not "
            + String.join(" and ", kinds) + "; split it");
        continue;
      }
      if (kinds.isEmpty()) {
        problems.at(node, "authority" + (name == null ? "" : " \"" + name + "\"")
            + " needs key: {publicKeyFile: …}, keyless: {trustedRoot: …, identities: […]}"
            + " or notation: {trustStore: …, trustedIdentities: […]}");
        continue;
      }
      Authority authority = keyNode != null ? keyAuthority(name, keyNode)
          : keylessNode != null ? keylessAuthority(name, keylessNode)
          : new NotationAuthorityReader(file).read(name, notationNode);
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
    return name == null ? null : new Authority.Key(name, publicKey, source, PublicKeys.fingerprint(publicKey));
  }

  private Authority keylessAuthority(String name, Node node) {
    Fields keyless = Fields.of(node, PolicyShapes.KEYLESS, problems);
    if (keyless == null) {
      return null;
    }
    SigstoreTrustedRoot trustedRoot = null;
    PolicyFile.ReadFile root = null;
    Node rootNode = keyless.value("trustedRoot");
    if (rootNode != null) {
      root = file.readReferenced(rootNode, "trustedRoot", MAX_TRUSTED_ROOT_BYTES);
      if (root != null) {
        trustedRoot = trustedRoot(rootNode, root);
      }
    }
    List<Authority.Identity> identities = new ArrayList<>();
    List<Node> identityNodes = keyless.list("identities");
    if (identityNodes != null && identityNodes.isEmpty()) {
      problems.at(keyless.value("identities"), "identities must list at least one {issuer, subject} pair;"
          + " without one, any Fulcio certificate would count");
    }
    boolean identitiesOk = identityNodes != null;
    if (identityNodes != null) {
      for (Node idNode : identityNodes) {
        Authority.Identity id = identity(idNode);
        if (id == null) {
          identitiesOk = false;
        } else {
          identities.add(id);
        }
      }
    }
    if (name == null || trustedRoot == null || !identitiesOk || identities.isEmpty()) {
      return null;
    }
    return new Authority.Keyless(name, root.path(), trustedRoot, root.digest(), List.copyOf(identities));
  }

  private SigstoreTrustedRoot trustedRoot(Node node, PolicyFile.ReadFile read) {
    String prefix = "trustedRoot " + read.display();
    try {
      // What TrustedRootProvider.from(path).get() does, but over the bytes already read and
      // digested, so the fingerprint describes exactly the root in use.
      SigstoreTrustedRoot root = SigstoreTrustedRoot.from(new ByteArrayInputStream(read.bytes()));
      if (root.getCAs().isEmpty()) {
        problems.at(node, prefix + " has no certificate authorities; keyless signatures need a Fulcio CA");
        return null;
      }
      if (root.getTLogs().isEmpty()) {
        problems.at(node, prefix + " has no transparency logs; keyless signatures need a Rekor log key");
        return null;
      }
      return root;
    } catch (SigstoreConfigurationException | RuntimeException e) {
      problems.at(node, prefix + " is not a valid Sigstore trusted root: " + rootCause(e));
      return null;
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    String line = message.lines().findFirst().orElse(message);
    // Parser messages may quote the file; keep them short in logs.
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }

  private Authority.Identity identity(Node node) {
    Fields id = Fields.of(node, PolicyShapes.IDENTITY, problems);
    if (id == null) {
      return null;
    }
    Exactly issuer = exactOrPattern(id, node, "issuer", "issuerRegExp");
    Exactly subject = exactOrPattern(id, node, "subject", "subjectRegExp");
    if (issuer == null || subject == null) {
      return null;
    }
    return new Authority.Identity(issuer.exact(), issuer.pattern(), subject.exact(), subject.pattern());
  }

  private record Exactly(Optional<String> exact, Optional<Pattern> pattern) {}

  private Exactly exactOrPattern(Fields id, Node node, String exactKey, String patternKey) {
    Node exactNode = id.value(exactKey);
    Node patternNode = id.value(patternKey);
    if (exactNode != null && patternNode != null) {
      problems.at(id.keyNode(patternKey), "give either " + exactKey + " or " + patternKey + ", not both");
      return null;
    }
    if (exactNode == null && patternNode == null) {
      problems.at(node, "identity needs " + exactKey + " (exact) or " + patternKey + " (regular expression)");
      return null;
    }
    if (exactNode != null) {
      String exact = Fields.string(exactNode, exactKey, problems);
      if (exact == null) {
        return null;
      }
      if (exact.isEmpty()) {
        problems.at(exactNode, exactKey + " must not be empty");
        return null;
      }
      if (REGEX_LOOKING.matcher(exact).find()) {
        problems.at(exactNode, exactKey + " \"" + exact + "\" is compared exactly but looks like a regular"
            + " expression; write " + patternKey + " if you mean one");
        return null;
      }
      return new Exactly(Optional.of(exact), Optional.empty());
    }
    String regex = Fields.string(patternNode, patternKey, problems);
    if (regex == null) {
      return null;
    }
    if (regex.isEmpty()) {
      problems.at(patternNode, patternKey + " must not be empty");
      return null;
    }
    try {
      // Matched with Matcher.matches(): the whole value, as if wrapped in ^…$.
      return new Exactly(Optional.empty(), Optional.of(Pattern.compile(regex)));
    } catch (PatternSyntaxException e) {
      problems.at(patternNode, patternKey + " is not a valid regular expression: " + e.getDescription()
          + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
      return null;
    }
  }
}
