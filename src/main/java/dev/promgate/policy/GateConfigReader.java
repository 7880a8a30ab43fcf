package dev.promgate.policy;

import dev.promgate.json.DockerConfigJson;
import dev.promgate.policy.LoadContext.GateDocument;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads the spec of a GateConfig document: mode, namespaces, registries, cache, timeouts, limits. */
final class GateConfigReader {

  static final int MAX_CA_FILE_BYTES = 1 << 20;
  static final int MAX_DOCKER_CONFIG_BYTES = 1 << 20;

  private static final Pattern NAMESPACE_GLOB = Pattern.compile("[a-z0-9*?-]+");
  private static final Pattern HOST = Pattern.compile(
      "(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\\[[a-f0-9:]+\\])(?::([0-9]{1,5}))?");

  private final PolicyFile file;
  private final LoadContext context;
  private final FileProblems problems;

  GateConfigReader(PolicyFile file) {
    this.file = file;
    this.context = file.context;
    this.problems = file.problems;
  }

  void read(Fields doc, Node kindNode) {
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
    Mode mode = file.mode(spec);
    GateConfig.UnlabelledNamespaces unlabelled = unlabelledNamespaces(spec);

    Optional<String> defaultEnvironment = Optional.empty();
    Node defaultEnvNode = spec.value("defaultEnvironment");
    if (defaultEnvNode != null) {
      String env = file.environmentName(defaultEnvNode, "defaultEnvironment");
      if (env != null) {
        defaultEnvironment = Optional.of(env);
        file.reference(env, defaultEnvNode, "defaultEnvironment");
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
        String env = envNode == null ? null : file.environmentName(envNode, "environment");
        if (env != null) {
          file.reference(env, envNode, "namespace rule");
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

    List<GateConfig.RegistrySettings> registries = hosts(spec.list("registries"), PolicyShapes.REGISTRY, "registry");
    List<GateConfig.RegistrySettings> mirrors = hosts(spec.list("trustedRootMirrors"), PolicyShapes.TRUSTED_ROOT_MIRROR,
        "trusted root mirror");
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
          String env = file.environmentName(n, "breakGlass environment");
          if (env != null) {
            breakGlass.add(env);
            file.reference(env, n, "breakGlass");
          }
        }
      }
    }

    context.gates.add(new GateDocument(new GateConfig(mode == null ? Mode.ENFORCE : mode, defaultEnvironment,
        List.copyOf(namespaces), List.copyOf(exempt), registries, cache, credentials, timeouts,
        Set.copyOf(breakGlass), limits, mirrors, unlabelled), kindNode, problems));
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
    return file.glob(node, text, what);
  }

  /** Allowed hosts: registries, or the TUF mirrors of trusted roots ({@code what} names them). */
  private List<GateConfig.RegistrySettings> hosts(List<Node> nodes, PolicyShapes.Shape shape, String what) {
    if (nodes == null) {
      return List.of();
    }
    List<GateConfig.RegistrySettings> registries = new ArrayList<>();
    Map<String, Node> seen = new LinkedHashMap<>();
    for (Node node : nodes) {
      Fields registry = Fields.of(node, shape, problems);
      if (registry == null) {
        continue;
      }
      String host = registryHost(registry.value("host"));
      boolean insecure = Boolean.TRUE.equals(registry.bool("insecure"));
      Optional<Path> caFile = Optional.empty();
      Node caNode = registry.value("caFile");
      if (caNode != null) {
        if (insecure) {
          problems.at(caNode, "caFile has no effect on a " + what + " with insecure: true (plain HTTP);"
              + " remove one of them");
        } else {
          caFile = caFile(caNode);
        }
      }
      if (host != null) {
        Node first = seen.putIfAbsent(host, registry.value("host"));
        if (first != null) {
          problems.at(registry.value("host"), what + " " + host + " is listed twice; the first entry is at "
              + problems.where(first));
        } else {
          boolean isRegistry = shape == PolicyShapes.REGISTRY;  // a TUF mirror has no token service or redirects
          registries.add(new GateConfig.RegistrySettings(host, insecure, caFile,
              isRegistry ? hostPatterns(registry, "tokenHosts") : Optional.of(List.of()),
              isRegistry ? hostPatterns(registry, "redirectHosts") : Optional.of(List.of())));
        }
      }
    }
    return List.copyOf(registries);
  }

  /**
   * A registry's {@code tokenHosts} or {@code redirectHosts}: absent means the defaults of a
   * well-known registry (or none); a list, even empty, replaces them.
   */
  private Optional<List<HostPattern>> hostPatterns(Fields registry, String key) {
    List<ScalarNode> items = registry.strings(key);
    if (items == null) {
      return Optional.empty();
    }
    List<HostPattern> patterns = new ArrayList<>();
    for (ScalarNode item : items) {
      try {
        patterns.add(HostPattern.parse(item.getValue()));
      } catch (IllegalArgumentException e) {
        problems.at(item, key + ": " + e.getMessage());
      }
    }
    return Optional.of(List.copyOf(patterns));
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
    PolicyFile.ReadFile read = file.readReferenced(node, "caFile", MAX_CA_FILE_BYTES);
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
    Duration ttl = orDefault(file.positive(cache, "ttl"), defaults.ttl());
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
    PolicyFile.ReadFile read = file.readReferenced(fileNode, "dockerConfigJson", MAX_DOCKER_CONFIG_BYTES);
    if (read == null) {
      return Optional.empty();
    }
    try {
      // Read as the kubelet reads it (duplicate keys, legacy .dockercfg); messages show no value.
      DockerConfigJson.read(read.bytes(), "dockerConfigJson " + read.display());
    } catch (DockerConfigJson.MalformedException e) {
      problems.at(fileNode, e.getMessage());
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
    Duration verification = file.positive(t, "verification");
    if (verification != null && verification.compareTo(Duration.ofSeconds(10)) >= 0) {
      problems.at(t.value("verification"), "verification must stay below 10s, the webhook's timeoutSeconds,"
          + " so that promgate answers before the API server gives up; not " + Durations.format(verification));
      verification = null;
    }
    Duration budget = orDefault(verification, defaults.verification());
    Duration tagHint = file.positive(t, "tagHint");
    Duration request = file.positive(t, "request");
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

  private static Duration orDefault(Duration value, Duration fallback) {
    return value == null ? fallback : value;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
