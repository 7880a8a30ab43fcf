package dev.promgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promgate.policy.EnvironmentRules.AttestationRule;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import dev.promgate.policy.LoadContext.Definition;
import dev.promgate.policy.LoadContext.EnvironmentReference;
import dev.promgate.policy.LoadContext.GateDocument;
import dev.promgate.policy.LoadContext.PolicyDocument;
import dev.promgate.policy.LoadContext.PromotionEdge;
import dev.promgate.policy.PolicyShapes.Shape;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the documents of one policy file into model records, reporting every problem it finds
 * at its position and recording what the cross-file checks need in the {@link LoadContext}.
 */
final class DocumentReader {

  static final String PROMOTION_PREDICATE_TYPE = EnvironmentRules.PromotionRule.PREDICATE_TYPE;

  static final int MAX_KEY_FILE_BYTES = 64 << 10;
  static final int MAX_TRUSTED_ROOT_BYTES = 4 << 20;
  static final int MAX_CA_FILE_BYTES = 1 << 20;
  static final int MAX_DOCKER_CONFIG_BYTES = 1 << 20;

  /** Environment and authority names: they become URL path segments and label values. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
      "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern NAMESPACE_GLOB = Pattern.compile("[a-z0-9*?-]+");
  private static final Pattern HOST = Pattern.compile(
      "(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\\[[a-f0-9:]+\\])(?::([0-9]{1,5}))?");
  /** An exact identity value that looks like a regular expression was probably meant as one. */
  private static final Pattern REGEX_LOOKING = Pattern.compile("^\\^|\\\\|\\.[*+]|\\$$|\\(\\?");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> KINDS = List.of("GateConfig", "PromotionPolicy");
  private static final List<String> MODES = List.of("enforce", "audit");

  private final LoadContext context;
  private final FileProblems problems;
  /** The file's real location, to resolve relative paths for reading. */
  private final Path file;
  /** The file as the user named it, to show resolved paths in messages. */
  private final Path displayFile;
  /** The file's text as code points, which is how SnakeYAML marks count. */
  private final int[] source;

  DocumentReader(LoadContext context, FileProblems problems, Path file, Path displayFile, String text) {
    this.context = context;
    this.problems = problems;
    this.file = file;
    this.displayFile = displayFile;
    this.source = text.codePoints().toArray();
  }

  // --- documents ---------------------------------------------------------------------------

  void read(Node document) {
    if (Fields.isNull(document)) {
      return; // an empty document, e.g. after a trailing ---
    }
    if (!(document instanceof MappingNode mapping)) {
      problems.at(document, "a policy document must be a mapping with apiVersion, kind, metadata and spec, not "
          + Fields.describe(document));
      return;
    }
    Node kindNode = find(mapping, "kind");
    if (kindNode == null || Fields.isNull(kindNode)) {
      problems.at(document, "document has no kind; expected kind: GateConfig or kind: PromotionPolicy");
      return;
    }
    String kind = Fields.string(kindNode, "kind", problems);
    if (kind == null) {
      return;
    }
    if (!KINDS.contains(kind)) {
      problems.at(kindNode, "unknown kind \"" + kind + "\""
          + Suggestions.closest(kind, KINDS).map(c -> "; did you mean \"" + c + "\"?")
              .orElse("; expected GateConfig or PromotionPolicy"));
      return;
    }
    Node apiVersionNode = find(mapping, "apiVersion");
    if (apiVersionNode != null && !Fields.isNull(apiVersionNode)) {
      String apiVersion = Fields.string(apiVersionNode, "apiVersion", problems);
      if (apiVersion == null) {
        return;
      }
      if (!apiVersion.equals(PolicyShapes.API_VERSION)) {
        problems.at(apiVersionNode, "unsupported apiVersion \"" + apiVersion + "\" for " + kind
            + "; this promgate reads " + PolicyShapes.API_VERSION);
        return; // another version may mean another schema: its keys are not worth checking
      }
    }
    if (kind.equals("GateConfig")) {
      readGateConfig(mapping, kindNode);
    } else {
      readPromotionPolicy(mapping);
    }
  }

  private static Node find(MappingNode mapping, String key) {
    for (NodeTuple t : mapping.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
        return t.getValueNode();
      }
    }
    return null;
  }

  private void readMetadata(Fields doc, Shape shape) {
    Node node = doc.value("metadata");
    if (node == null) {
      return;
    }
    Fields metadata = Fields.of(node, shape, problems);
    if (metadata == null) {
      return;
    }
    for (String key : List.of("labels", "annotations")) {
      Node map = metadata.value(key);
      if (map == null) {
        continue;
      }
      if (!(map instanceof MappingNode m)) {
        problems.at(map, key + " must be a mapping of names to strings, not " + Fields.describe(map));
        continue;
      }
      for (NodeTuple t : m.getValue()) {
        Fields.string(t.getKeyNode(), key + " names", problems);
        Fields.string(t.getValueNode(), key + " values", problems);
      }
    }
  }

  // --- GateConfig --------------------------------------------------------------------------

  private void readGateConfig(MappingNode mapping, Node kindNode) {
    Fields doc = Fields.of(mapping, PolicyShapes.GATE_CONFIG, problems);
    readMetadata(doc, PolicyShapes.METADATA);
    Node specNode = doc.value("spec");
    GateConfig defaults = GateConfig.defaults();
    if (specNode == null) {
      context.gates.add(new GateDocument(defaults, kindNode, problems));
      return;
    }
    Fields spec = Fields.of(specNode, PolicyShapes.GATE_SPEC, problems);
    if (spec == null) {
      return;
    }
    Mode mode = mode(spec);
    GateConfig.UnlabelledNamespaces unlabelled = unlabelledNamespaces(spec);

    Optional<String> defaultEnvironment = Optional.empty();
    Node defaultEnvNode = spec.value("defaultEnvironment");
    if (defaultEnvNode != null) {
      String env = environmentName(defaultEnvNode, "defaultEnvironment");
      if (env != null) {
        defaultEnvironment = Optional.of(env);
        reference(env, defaultEnvNode, "defaultEnvironment");
      }
    }

    List<GateConfig.NamespaceRule> namespaces = new ArrayList<>();
    List<Node> rules = spec.list("namespaces");
    if (rules != null) {
      for (Node ruleNode : rules) {
        Fields rule = Fields.of(ruleNode, PolicyShapes.NAMESPACE_RULE, problems);
        if (rule == null) {
          continue;
        }
        Glob match = namespaceGlob(rule.value("match"), "match");
        Node envNode = rule.value("environment");
        String env = envNode == null ? null : environmentName(envNode, "environment");
        if (env != null) {
          reference(env, envNode, "namespace rule");
        }
        if (match != null && env != null) {
          namespaces.add(new GateConfig.NamespaceRule(match, env));
        }
      }
    }

    List<Glob> exempt = new ArrayList<>();
    List<ScalarNode> exemptNodes = spec.strings("exemptNamespaces");
    if (exemptNodes != null) {
      for (ScalarNode n : exemptNodes) {
        Glob g = namespaceGlob(n, "exemptNamespaces entry");
        if (g != null) {
          exempt.add(g);
        }
      }
    }

    List<GateConfig.RegistrySettings> registries = registries(spec.list("registries"));
    GateConfig.CacheSettings cache = cache(spec.value("cache"), defaults.cache());
    Optional<Path> credentials = credentials(spec.value("credentials"));
    GateConfig.Timeouts timeouts = timeouts(spec.value("timeouts"), defaults.timeouts());
    GateConfig.Limits limits = limits(spec.value("limits"), defaults.limits());

    Set<String> breakGlass = new LinkedHashSet<>();
    Node breakGlassNode = spec.value("breakGlass");
    if (breakGlassNode != null) {
      Fields bg = Fields.of(breakGlassNode, PolicyShapes.BREAK_GLASS, problems);
      List<ScalarNode> envs = bg == null ? null : bg.strings("environments");
      if (envs != null) {
        for (ScalarNode n : envs) {
          String env = environmentName(n, "breakGlass environment");
          if (env != null) {
            breakGlass.add(env);
            reference(env, n, "breakGlass");
          }
        }
      }
    }

    context.gates.add(new GateDocument(new GateConfig(mode == null ? Mode.ENFORCE : mode, defaultEnvironment,
        List.copyOf(namespaces), List.copyOf(exempt), registries, cache, credentials, timeouts,
        Set.copyOf(breakGlass), limits, unlabelled), kindNode, problems));
  }

  private GateConfig.UnlabelledNamespaces unlabelledNamespaces(Fields spec) {
    String text = spec.string("unlabelledNamespaces");
    if (text == null) {
      return GateConfig.UnlabelledNamespaces.IGNORE;
    }
    for (GateConfig.UnlabelledNamespaces scope : GateConfig.UnlabelledNamespaces.values()) {
      if (scope.wireName().equals(text)) {
        return scope;
      }
    }
    List<String> allowed = List.of("ignore", "gate");
    problems.at(spec.value("unlabelledNamespaces"), "unlabelledNamespaces must be ignore (namespaces without the "
        + "promgate.dev/environment label are not gated) or gate (they are, through the namespace rules), not \""
        + text + "\"" + Suggestions.didYouMean(text, allowed));
    return GateConfig.UnlabelledNamespaces.IGNORE;
  }

  private Mode mode(Fields fields) {
    String text = fields.string("mode");
    if (text == null) {
      return null;
    }
    if (!MODES.contains(text)) {
      problems.at(fields.value("mode"), "mode must be enforce or audit, not \"" + text + "\""
          + Suggestions.didYouMean(text, MODES));
      return null;
    }
    return text.equals("audit") ? Mode.AUDIT : Mode.ENFORCE;
  }

  private Glob namespaceGlob(Node node, String what) {
    if (node == null) {
      return null;
    }
    String text = Fields.string(node, what, problems);
    if (text == null) {
      return null;
    }
    if (!NAMESPACE_GLOB.matcher(text).matches()) {
      problems.at(node, what + " \"" + text + "\" is not a namespace glob: namespace names have lower-case"
          + " letters, digits and '-'; the glob may add * and ?");
      return null;
    }
    return glob(node, text, what);
  }

  private Glob glob(Node node, String text, String what) {
    try {
      return Glob.compile(text);
    } catch (IllegalArgumentException e) {
      problems.at(node, what + ": " + e.getMessage());
      return null;
    }
  }

  private List<GateConfig.RegistrySettings> registries(List<Node> nodes) {
    if (nodes == null) {
      return List.of();
    }
    List<GateConfig.RegistrySettings> registries = new ArrayList<>();
    Map<String, Node> seen = new LinkedHashMap<>();
    for (Node node : nodes) {
      Fields registry = Fields.of(node, PolicyShapes.REGISTRY, problems);
      if (registry == null) {
        continue;
      }
      String host = registryHost(registry.value("host"));
      boolean insecure = Boolean.TRUE.equals(registry.bool("insecure"));
      Optional<Path> caFile = Optional.empty();
      Node caNode = registry.value("caFile");
      if (caNode != null) {
        if (insecure) {
          problems.at(caNode, "caFile has no effect on a registry with insecure: true (plain HTTP);"
              + " remove one of them");
        } else {
          caFile = caFile(caNode);
        }
      }
      if (host != null) {
        Node first = seen.putIfAbsent(host, registry.value("host"));
        if (first != null) {
          problems.at(registry.value("host"), "registry " + host + " is listed twice; the first entry is at "
              + problems.where(first));
        } else {
          registries.add(new GateConfig.RegistrySettings(host, insecure, caFile));
        }
      }
    }
    return List.copyOf(registries);
  }

  private String registryHost(Node node) {
    if (node == null) {
      return null;
    }
    String host = Fields.string(node, "host", problems);
    if (host == null) {
      return null;
    }
    String fix = null;
    if (host.contains("://")) {
      fix = "write the host without a scheme, e.g. " + host.substring(host.indexOf("://") + 3).replaceAll("/.*", "");
    } else if (host.contains("/")) {
      fix = "write only the host[:port], without a path: " + host.substring(0, host.indexOf('/'));
    } else if (!host.equals(host.toLowerCase(Locale.ROOT))) {
      fix = "write it in lower case: " + host.toLowerCase(Locale.ROOT);
    } else if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      fix = "image references are normalised to docker.io; write docker.io";
    }
    var m = HOST.matcher(host);
    if (fix == null && !m.matches()) {
      fix = "expected host[:port], e.g. registry.acme.example or 127.0.0.1:5000";
    }
    if (fix == null && m.group(1) != null) {
      int port = Integer.parseInt(m.group(1));
      if (port < 1 || port > 65535) {
        fix = "port " + port + " is out of range";
      }
    }
    if (fix != null) {
      problems.at(node, "registry host \"" + host + "\" is not valid: " + fix);
      return null;
    }
    return host;
  }

  private Optional<Path> caFile(Node node) {
    ReadFile read = readReferenced(node, "caFile", MAX_CA_FILE_BYTES);
    if (read == null) {
      return Optional.empty();
    }
    try {
      PemCertificates.read(read.display(), read.bytes());
    } catch (PemCertificates.Invalid e) {
      problems.at(node, "caFile " + e.getMessage());
      return Optional.empty();
    }
    return Optional.of(read.path());
  }

  private GateConfig.CacheSettings cache(Node node, GateConfig.CacheSettings defaults) {
    if (node == null) {
      return defaults;
    }
    Fields cache = Fields.of(node, PolicyShapes.CACHE, problems);
    if (cache == null) {
      return defaults;
    }
    Duration ttl = orDefault(positive(cache, "ttl"), defaults.ttl());
    Duration negativeTtl = orDefault(cache.duration("negativeTtl"), defaults.negativeTtl());
    Duration staleIfError = orDefault(cache.duration("staleIfError"), defaults.staleIfError());
    long maxEntries = defaults.maxEntries();
    Long entries = cache.wholeNumber("maxEntries");
    if (entries != null) {
      if (entries < 1 || entries > 100_000_000L) {
        problems.at(cache.value("maxEntries"), "maxEntries must be between 1 and 100000000, not " + entries);
      } else {
        maxEntries = entries;
      }
    }
    return new GateConfig.CacheSettings(ttl, negativeTtl, staleIfError, maxEntries);
  }

  private GateConfig.Limits limits(Node node, GateConfig.Limits defaults) {
    if (node == null) {
      return defaults;
    }
    Fields limits = Fields.of(node, PolicyShapes.LIMITS, problems);
    if (limits == null) {
      return defaults;
    }
    return new GateConfig.Limits(
        bounded(limits, "maxManifestBytes", 1024, 64L << 20, defaults.maxManifestBytes()),
        bounded(limits, "maxBlobBytes", 1024, 1L << 30, defaults.maxBlobBytes()),
        (int) bounded(limits, "maxAttachments", 1, 10_000, defaults.maxAttachments()),
        bounded(limits, "maxAttachmentBytes", 1024, 4L << 30, defaults.maxAttachmentBytes()));
  }

  /** A whole number within [min, max], or the default when absent or wrong (reported). */
  private long bounded(Fields fields, String key, long min, long max, long defaultValue) {
    Long value = fields.wholeNumber(key);
    if (value == null) {
      return defaultValue;
    }
    if (value < min || value > max) {
      problems.at(fields.value(key), key + " must be between " + min + " and " + max + ", not " + value);
      return defaultValue;
    }
    return value;
  }

  private Optional<Path> credentials(Node node) {
    if (node == null) {
      return Optional.empty();
    }
    Fields credentials = Fields.of(node, PolicyShapes.CREDENTIALS, problems);
    Node fileNode = credentials == null ? null : credentials.value("dockerConfigJson");
    if (fileNode == null) {
      return Optional.empty();
    }
    ReadFile read = readReferenced(fileNode, "dockerConfigJson", MAX_DOCKER_CONFIG_BYTES);
    if (read == null) {
      return Optional.empty();
    }
    try {
      JsonNode config = JSON.readTree(read.bytes());
      if (config == null || !config.isObject() || !config.path("auths").isObject()) {
        problems.at(fileNode, "dockerConfigJson " + read.display()
            + " is not a docker config: expected a JSON object with \"auths\"");
        return Optional.empty();
      }
    } catch (IOException e) {
      // Say nothing of the content: the file holds credentials.
      problems.at(fileNode, "dockerConfigJson " + read.display() + " is not valid JSON");
      return Optional.empty();
    }
    return Optional.of(read.path());
  }

  private GateConfig.Timeouts timeouts(Node node, GateConfig.Timeouts defaults) {
    if (node == null) {
      return defaults;
    }
    Fields t = Fields.of(node, PolicyShapes.TIMEOUTS, problems);
    if (t == null) {
      return defaults;
    }
    Duration verification = positive(t, "verification");
    if (verification != null && verification.compareTo(Duration.ofSeconds(10)) >= 0) {
      problems.at(t.value("verification"), "verification must stay below 10s, the webhook's timeoutSeconds,"
          + " so that promgate answers before the API server gives up; not " + Durations.format(verification));
      verification = null;
    }
    Duration budget = orDefault(verification, defaults.verification());
    Duration tagHint = positive(t, "tagHint");
    Duration request = positive(t, "request");
    if (tagHint != null && tagHint.compareTo(budget) > 0) {
      problems.at(t.value("tagHint"), "tagHint (" + Durations.format(tagHint)
          + ") must not exceed the verification budget (" + Durations.format(budget) + ")");
    }
    if (request != null && request.compareTo(budget) > 0) {
      problems.at(t.value("request"), "request (" + Durations.format(request)
          + ") must not exceed the verification budget (" + Durations.format(budget) + ")");
    }
    // An unset budget never exceeds a shorter verification budget that was set.
    return new GateConfig.Timeouts(budget,
        tagHint != null ? tagHint : min(defaults.tagHint(), budget),
        request != null ? request : min(defaults.request(), budget));
  }

  private Duration positive(Fields fields, String key) {
    Duration d = fields.duration(key);
    if (d != null && d.isZero()) {
      problems.at(fields.value(key), key + " must be longer than 0s");
      return null;
    }
    return d;
  }

  private static Duration orDefault(Duration value, Duration fallback) {
    return value == null ? fallback : value;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  // --- PromotionPolicy ---------------------------------------------------------------------

  private void readPromotionPolicy(MappingNode mapping) {
    Fields doc = Fields.of(mapping, PolicyShapes.PROMOTION_POLICY, problems);
    readMetadata(doc, PolicyShapes.POLICY_METADATA);
    String name = null;
    Node nameNode = null;
    Node metadataNode = doc.value("metadata");
    if (metadataNode instanceof MappingNode m) {
      nameNode = find(m, "name");
      if (nameNode != null && !Fields.isNull(nameNode)) {
        name = Fields.string(nameNode, "name", problems);
        if (name != null && !DNS_SUBDOMAIN.matcher(name).matches()) {
          problems.at(nameNode, "policy name \"" + name + "\" must be lower-case letters, digits, '-' and '.',"
              + " starting and ending with a letter or digit (like a Kubernetes object name)");
          name = null;
        }
      }
    }
    Node specNode = doc.value("spec");
    Fields spec = specNode == null ? null : Fields.of(specNode, PolicyShapes.POLICY_SPEC, problems);
    if (spec == null) {
      return;
    }
    List<Glob> images = images(spec);
    Authorities authorities = authorities(spec.list("authorities"));
    Map<String, EnvironmentRules> environments = environments(spec, authorities);
    if (name != null) {
      context.policies.add(new PolicyDocument(
          new PromotionPolicy(name, displayFile, images, authorities.built(), environments), nameNode, problems));
    }
  }

  private List<Glob> images(Fields spec) {
    List<ScalarNode> nodes = spec.strings("images");
    if (nodes == null) {
      return List.of();
    }
    if (nodes.isEmpty() && spec.list("images").isEmpty()) {
      problems.at(spec.value("images"), "images must list at least one repository glob,"
          + " e.g. registry.acme.example/shop/**");
    }
    List<Glob> globs = new ArrayList<>();
    for (ScalarNode node : nodes) {
      String text = node.getValue();
      String problem = imageGlobProblem(text);
      if (problem != null) {
        problems.at(node, "image glob \"" + text + "\" " + problem);
        continue;
      }
      Glob g = glob(node, text, "images");
      if (g != null) {
        globs.add(g);
      }
    }
    return List.copyOf(globs);
  }

  /** Catches globs that compile but can never match a normalised repository. */
  static String imageGlobProblem(String text) {
    if (text.equals("**")) {
      return null;
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return "has no registry host: globs match normalised repositories such as"
          + " docker.io/library/nginx or registry.acme.example/shop/web";
    }
    String host = text.substring(0, slash);
    String path = text.substring(slash + 1);
    boolean wildHost = host.contains("*") || host.contains("?");
    if (!wildHost && !host.contains(".") && !host.contains(":") && !host.equals("localhost")) {
      return "starts with \"" + host + "\", which is not a registry host; repositories are normalised with"
          + " their registry, e.g. docker.io/" + text;
    }
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      return "never matches: repositories are normalised to docker.io/" + path;
    }
    if (!host.equals(host.toLowerCase(Locale.ROOT))) {
      return "never matches: write the registry host in lower case";
    }
    if (!path.equals(path.toLowerCase(Locale.ROOT))) {
      return "never matches: repository paths are lower case";
    }
    if (path.contains("@") || path.contains(":")) {
      return "names a tag or digest; globs match the repository only, e.g. " + host + "/"
          + path.replaceAll("[:@].*", "");
    }
    return null;
  }

  /** The authorities of one policy: every declared name (even if broken) and those that loaded. */
  private record Authorities(Set<String> declared, Map<String, Authority> built) {}

  private Authorities authorities(List<Node> nodes) {
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
      if (name != null && !DNS_LABEL.matcher(name).matches()) {
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
      if (keyNode != null && keylessNode != null) {
        problems.at(a.keyNode("keyless"), "an authority is either key or keyless, not both; split it in two");
        continue;
      }
      if (keyNode == null && keylessNode == null) {
        problems.at(node, "authority" + (name == null ? "" : " \"" + name + "\"")
            + " needs key: {publicKeyFile: …} or keyless: {trustedRoot: …, identities: […]}");
        continue;
      }
      Authority authority = keyNode != null ? keyAuthority(name, keyNode) : keylessAuthority(name, keylessNode);
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
      ReadFile read = readReferenced(fileNode, "publicKeyFile", MAX_KEY_FILE_BYTES);
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
    ReadFile root = null;
    Node rootNode = keyless.value("trustedRoot");
    if (rootNode != null) {
      root = readReferenced(rootNode, "trustedRoot", MAX_TRUSTED_ROOT_BYTES);
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

  private SigstoreTrustedRoot trustedRoot(Node node, ReadFile read) {
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

  // --- environments ------------------------------------------------------------------------

  private Map<String, EnvironmentRules> environments(Fields spec, Authorities authorities) {
    Node node = spec.value("environments");
    if (node == null) {
      return Map.of();
    }
    if (!(node instanceof MappingNode mapping)) {
      problems.at(node, "environments must be a mapping of environment names to rules, not "
          + Fields.describe(node));
      return Map.of();
    }
    if (mapping.getValue().isEmpty()) {
      problems.at(node, "environments must define at least one environment");
      return Map.of();
    }
    Map<String, EnvironmentRules> environments = new LinkedHashMap<>();
    Map<String, Node> seen = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String env = environmentName(keyNode, "environment name");
      if (env == null) {
        continue;
      }
      Node first = seen.putIfAbsent(env, keyNode);
      if (first != null) {
        problems.at(keyNode, "environment \"" + env + "\" is defined twice in this policy; the first is at "
            + problems.where(first));
        continue;
      }
      context.definedEnvironments.putIfAbsent(env, new Definition(keyNode, problems));
      EnvironmentRules rules = environmentRules(env, tuple.getValueNode(), authorities);
      if (rules != null) {
        environments.put(env, rules);
      }
    }
    return environments;
  }

  private EnvironmentRules environmentRules(String env, Node node, Authorities authorities) {
    if (Fields.isNull(node)) {
      return rules(env, Optional.empty(), List.of(), List.of(), List.of());
    }
    Fields rules = Fields.of(node, PolicyShapes.ENVIRONMENT, problems);
    if (rules == null) {
      return null;
    }
    Mode mode = mode(rules);
    List<Authority> signatures = authorityList(rules, "signatures", authorities, false);
    if (signatures == null) {
      signatures = List.of(); // reported; the load fails, so the partial rules are never used
    }

    List<PromotionRule> promotions = new ArrayList<>();
    List<Node> promotionNodes = rules.list("promotions");
    Map<String, Node> promotedTo = new LinkedHashMap<>();
    if (promotionNodes != null) {
      for (Node p : promotionNodes) {
        PromotionRule rule = promotion(env, p, authorities, promotedTo);
        if (rule != null) {
          promotions.add(rule);
        }
      }
    }

    List<AttestationRule> attestations = new ArrayList<>();
    List<Node> attestationNodes = rules.list("attestations");
    if (attestationNodes != null) {
      for (Node a : attestationNodes) {
        AttestationRule rule = attestation(a, authorities);
        if (rule != null) {
          attestations.add(rule);
        }
      }
    }
    return rules(env, Optional.ofNullable(mode), signatures, promotions, attestations);
  }

  private static EnvironmentRules rules(String env, Optional<Mode> mode, List<Authority> signatures,
                                        List<PromotionRule> promotions, List<AttestationRule> attestations) {
    return new EnvironmentRules(env, mode, List.copyOf(signatures), List.copyOf(promotions),
        List.copyOf(attestations), Fingerprints.of(signatures, promotions, attestations));
  }

  private PromotionRule promotion(String env, Node node, Authorities authorities, Map<String, Node> promotedTo) {
    Fields p = Fields.of(node, PolicyShapes.PROMOTION, problems);
    if (p == null) {
      return null;
    }
    Node targetNode = p.value("environment");
    String target = targetNode == null ? null : environmentName(targetNode, "environment");
    if (target != null) {
      Node first = promotedTo.putIfAbsent(target, targetNode);
      if (first != null) {
        problems.at(targetNode, "a promotion to " + target + " is already required at " + problems.where(first)
            + "; merge the two");
        target = null;
      } else {
        reference(target, targetNode, "promotion");
        if (!target.equals(env)) {
          context.promotionEdges.add(new PromotionEdge(target, env, targetNode, problems));
        }
      }
    }
    List<Authority> signedBy = authorityList(p, "signedBy", authorities, true);
    Duration maxAge = null;
    if (p.has("maxAge")) {
      maxAge = positive(p, "maxAge");
    }
    if (target == null || signedBy == null) {
      return null;
    }
    return new PromotionRule(target, signedBy, Optional.ofNullable(maxAge));
  }

  private AttestationRule attestation(Node node, Authorities authorities) {
    Fields a = Fields.of(node, PolicyShapes.ATTESTATION, problems);
    if (a == null) {
      return null;
    }
    String predicateType = a.string("predicateType");
    if (predicateType != null) {
      if (predicateType.isBlank() || !predicateType.equals(predicateType.strip())
          || predicateType.chars().anyMatch(Character::isWhitespace)) {
        problems.at(a.value("predicateType"), "predicateType must be a URI without white space, e.g. "
            + "https://slsa.dev/provenance/v1");
        predicateType = null;
      } else if (predicateType.equals(PROMOTION_PREDICATE_TYPE)) {
        problems.at(a.value("predicateType"), "promotion attestations are required under promotions:"
            + " ({environment, signedBy, maxAge}), not under attestations");
        predicateType = null;
      }
    }
    List<Authority> signedBy = authorityList(a, "signedBy", authorities, true);
    Optional<AttestationCondition> condition = Optional.empty();
    boolean conditionOk = true;
    Node conditionNode = a.value("condition");
    if (conditionNode != null) {
      String expression = Fields.string(conditionNode, "condition", problems);
      conditionOk = false;
      if (expression != null) {
        CelAttestationCondition.Compilation c = CelAttestationCondition.tryCompile(expression);
        if (c.condition() != null) {
          condition = Optional.of(c.condition());
          conditionOk = true;
        } else {
          for (CelAttestationCondition.Issue issue : c.issues()) {
            celProblem((ScalarNode) conditionNode, issue);
          }
        }
      }
    }
    if (predicateType == null || signedBy == null || !conditionOk) {
      return null;
    }
    return new AttestationRule(predicateType, signedBy, condition);
  }

  /**
   * Reports a CEL issue at its own position in the file when the scalar's source text is the
   * expression verbatim (plain or quoted on one line without escapes, or a literal block), else
   * at the start of the value with the position inside the expression.
   */
  private void celProblem(ScalarNode node, CelAttestationCondition.Issue issue) {
    String message = "condition: " + issue.message();
    int[] position = CelPositions.locate(source, node, issue.line(), issue.column());
    if (position != null) {
      problems.at(position[0], position[1], message);
    } else {
      problems.at(node, message + " (line " + issue.line() + ", column " + (issue.column() + 1)
          + " of the expression)");
    }
  }

  /**
   * Authority names in {@code key}; unknown names are reported with a suggestion. Returns null when
   * the list is required and missing or empty, or when a name could not be resolved.
   */
  private List<Authority> authorityList(Fields fields, String key, Authorities authorities, boolean required) {
    List<ScalarNode> nodes = fields.strings(key);
    if (nodes == null) {
      return required ? null : List.of();
    }
    if (required && fields.list(key).isEmpty()) {
      problems.at(fields.value(key), key + " must name at least one authority");
      return null;
    }
    boolean complete = nodes.size() == fields.list(key).size();
    List<Authority> resolved = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ScalarNode n : nodes) {
      String name = n.getValue();
      if (!seen.add(name)) {
        problems.at(n, "authority \"" + name + "\" is listed twice");
        complete = false;
        continue;
      }
      Authority a = authorities.built().get(name);
      if (a != null) {
        resolved.add(a);
        continue;
      }
      complete = false;
      if (!authorities.declared().contains(name)) {
        // A declared authority that failed to load was reported where it is declared.
        problems.at(n, "unknown authority \"" + name + "\" in " + key
            + Suggestions.closest(name, authorities.declared()).map(c -> "; did you mean \"" + c + "\"?")
                .orElse(authorities.declared().isEmpty() ? "; this policy declares no authorities"
                    : " (declared: " + String.join(", ", authorities.declared()) + ")"));
      }
    }
    return complete ? List.copyOf(resolved) : null;
  }

  // --- shared ------------------------------------------------------------------------------

  private String environmentName(Node node, String what) {
    String name = Fields.string(node, what, problems);
    if (name == null) {
      return null;
    }
    if (!DNS_LABEL.matcher(name).matches()) {
      problems.at(node, what + " \"" + name + "\" is not a valid environment name: use lower-case letters,"
          + " digits and '-', at most 63, starting and ending with a letter or digit"
          + " (it becomes a URL path segment and a label value)");
      return null;
    }
    return name;
  }

  private void reference(String environment, Node at, String role) {
    context.environmentReferences.add(new EnvironmentReference(environment, at, problems, role));
  }

  /** A referenced file: its real path, how to show it, its bytes and their digest. */
  private record ReadFile(Path path, String display, byte[] bytes, String digest) {}

  /** Reads a file named relative to this policy file; null (reported) when it cannot be read. */
  private ReadFile readReferenced(Node node, String key, int maxBytes) {
    String written = Fields.string(node, key, problems);
    if (written == null) {
      return null;
    }
    if (written.isBlank()) {
      problems.at(node, key + " must not be empty");
      return null;
    }
    Path path;
    String display;
    try {
      Path base = file.toAbsolutePath().getParent();
      path = base.resolve(written).normalize();
      Path shownBase = displayFile.getParent();
      display = (shownBase == null ? Path.of(written) : shownBase.resolve(written)).normalize().toString();
    } catch (java.nio.file.InvalidPathException e) {
      problems.at(node, key + " \"" + written + "\" is not a valid path");
      return null;
    }
    try {
      byte[] bytes = context.inputs.read(path, maxBytes);
      return new ReadFile(path, display, bytes, InputFiles.sha256(bytes));
    } catch (InputFiles.Unreadable e) {
      problems.at(node, key + " " + display + " " + e.getMessage());
      return null;
    }
  }
}
