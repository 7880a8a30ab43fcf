package dev.promgate.policy;

import dev.promgate.policy.LoadContext.EnvironmentReference;
import dev.promgate.policy.LoadContext.GateDocument;
import dev.promgate.policy.LoadContext.PolicyDocument;
import dev.promgate.policy.LoadContext.PromotionEdge;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Loads a policy directory: every {@code *.yaml} and {@code *.yml} file in it (not in
 * subdirectories; hidden files skipped), in name order, each holding Kubernetes-style YAML
 * documents of kind {@code GateConfig} (at most one in the whole directory) or
 * {@code PromotionPolicy}, {@code apiVersion: promgate.dev/v1alpha1}.
 *
 * <p>Checking: the YAML is composed into nodes that keep their line and column, and read against
 * the shapes of {@link PolicyShapes}, so each problem is reported where it is, as
 * {@code file:line:column: message}. The loader does not stop at the first problem: it reads every
 * document of every file and reports all it finds, then checks what spans files (one GateConfig,
 * unique policy names, environments that some policy defines, a promotion order without cycles).
 * When a file cannot be parsed at all, the checks that need every environment definition are
 * skipped, so that one syntax error does not bury itself under consequences.
 *
 * <p>Files named inside a policy file (keys, trusted roots, CA bundles, credentials) are resolved
 * against the directory of that file, read once, and recorded with their digests in the result's
 * {@link PolicyLoadResult#inputs()}; trust material is never fetched from the network.
 *
 * <p>The loader is a pure function of the files: it blocks on file I/O and must not run on an
 * event loop ({@link PolicyStore} runs it on a worker).
 */
public final class PolicyLoader {

  static final int MAX_POLICY_FILE_BYTES = 1 << 20;

  private PolicyLoader() {}

  /** Loads {@code directory} as generation 1. */
  public static PolicyLoadResult load(Path directory) {
    return load(directory, 1);
  }

  /**
   * Loads {@code directory}; a successful load gets {@code generation}.
   *
   * @param directory as the user named it; problems name files relative to it as given
   *                  ({@code policies/shop.yaml:12:7: …} for {@code policies})
   */
  public static PolicyLoadResult load(Path directory, long generation) {
    return new Run(directory).load(generation);
  }

  /**
   * For {@code promgate policy check DIR}: every problem as {@code file:line:column: message},
   * in file and position order; an empty list when the directory loads cleanly.
   */
  public static List<PolicyProblem> check(Path directory) {
    return load(directory) instanceof PolicyLoadResult.Failed failed ? failed.problems() : List.of();
  }

  /** One load of one directory. */
  private static final class Run {
    private final Path directory;
    private final LoadContext context = new LoadContext();
    private final List<FileProblems> files = new ArrayList<>();
    private final FileProblems directoryProblems;
    /** A file could not be composed into documents: cross-file checks would mislead. */
    private boolean incomplete;

    Run(Path directory) {
      this.directory = directory;
      this.directoryProblems = new FileProblems(directory.toString());
    }

    PolicyLoadResult load(long generation) {
      List<Path> paths;
      try {
        paths = context.inputs.list(directory);
      } catch (InputFiles.Unreadable e) {
        directoryProblems.atStart(e.getMessage());
        return failed();
      }
      if (paths.isEmpty()) {
        directoryProblems.atStart("no policy files (*.yaml, *.yml) in this directory");
        return failed();
      }
      for (Path path : paths) {
        readFile(path);
      }
      checkAcrossFiles();
      if (problemCount() > 0) {
        return failed();
      }
      GateConfig gate = context.gates.isEmpty() ? GateConfig.defaults() : context.gates.get(0).config();
      List<PromotionPolicy> policies = context.policies.stream().map(PolicyDocument::policy).toList();
      return new PolicyLoadResult.Loaded(new PolicySet(generation, Instant.now(), gate, policies),
          context.inputs.digests(), registryWarnings(gate));
    }

    /**
     * Image globs whose registry the allow-list lacks: every image they match is denied before any
     * check, which is rarely what the author meant. A literal registry is named; a wildcard one
     * that matches no allowed host is called out as never matching.
     */
    private List<PolicyProblem> registryWarnings(GateConfig gate) {
      List<String> allowed = gate.registries().stream().map(GateConfig.RegistrySettings::host).toList();
      String allowList = allowed.isEmpty() ? "it is empty" : String.join(", ", allowed);
      List<PolicyProblem> warnings = new ArrayList<>();
      for (LoadContext.ImageGlob image : context.imageGlobs) {
        int slash = image.text().indexOf('/');
        String registry = slash < 0 ? image.text() : image.text().substring(0, slash);
        if (registry.contains("**")) {
          continue;
        }
        var mark = image.at().getStartMark();
        if (!registry.contains("*") && !registry.contains("?")) {
          if (!allowed.contains(registry)) {
            warnings.add(new PolicyProblem(image.file().file(), mark.getLine() + 1, mark.getColumn() + 1,
                "registry " + registry + " of image glob \"" + image.text() + "\" is not in the GateConfig "
                    + "registry allow-list (" + allowList + "): every image it matches is denied before any check; "
                    + "add " + registry + " to spec.registries, or remove the glob"));
          }
          continue;
        }
        Glob hosts = Glob.compile(registry);
        if (allowed.stream().noneMatch(hosts::matches)) {
          warnings.add(new PolicyProblem(image.file().file(), mark.getLine() + 1, mark.getColumn() + 1,
              "image glob \"" + image.text() + "\" can never match an allowed registry (allow-list: " + allowList
                  + "); every image it matches is denied before any check"));
        }
      }
      warnings.sort(java.util.Comparator.comparing(PolicyProblem::file).thenComparing(PolicyProblem.BY_POSITION));
      return warnings;
    }

    private void readFile(Path path) {
      Path display = directory.resolve(path.getFileName());
      FileProblems problems = new FileProblems(display.toString());
      files.add(problems);
      byte[] bytes;
      try {
        bytes = context.inputs.read(path, MAX_POLICY_FILE_BYTES);
      } catch (InputFiles.Unreadable e) {
        problems.atStart("file " + e.getMessage());
        incomplete = true;
        return;
      }
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        problems.atStart("file is not UTF-8 text");
        incomplete = true;
        return;
      }
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      List<Node> documents = compose(text, problems);
      if (documents == null) {
        incomplete = true;
        return;
      }
      if (documents.stream().allMatch(PolicyLoader::isEmptyDocument)) {
        // A ConfigMap update gone wrong empties files; taken as an edit, it would drop every policy.
        problems.atStart("the file holds no YAML document (it is empty, or only comments and '---');"
            + " the last good policy set stays in force. To remove these policies on purpose, delete the file");
        incomplete = true;
        return;
      }
      DocumentReader reader = new DocumentReader(context, problems, path, display, text);
      for (Node document : documents) {
        reader.read(document);
      }
    }

    /** All documents of a file as nodes, or null after reporting a syntax error. */
    private static List<Node> compose(String text, FileProblems problems) {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true); // reported by Fields with both positions
      options.setMaxAliasesForCollections(50);
      options.setNestingDepthLimit(50);
      options.setCodePointLimit(MAX_POLICY_FILE_BYTES);
      options.setAllowRecursiveKeys(false);
      Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
      List<Node> documents = new ArrayList<>();
      try {
        while (composer.checkNode()) {
          documents.add(composer.getNode());
        }
        return documents;
      } catch (MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
        problems.at(mark, "YAML syntax error: " + problem.strip() + context);
        return null;
      } catch (YAMLException e) {
        problems.atStart("YAML error: " + e.getMessage());
        return null;
      }
    }

    private void checkAcrossFiles() {
      for (int i = 1; i < context.gates.size(); i++) {
        GateDocument extra = context.gates.get(i);
        extra.file().at(extra.at(), "a second GateConfig; a policy set has at most one, and the first is at "
            + context.gates.get(0).file().where(context.gates.get(0).at()));
      }
      Map<String, PolicyDocument> byName = new HashMap<>();
      for (PolicyDocument p : context.policies) {
        PolicyDocument first = byName.putIfAbsent(p.policy().name(), p);
        if (first != null) {
          p.file().at(p.nameAt(), "policy name \"" + p.policy().name() + "\" is already used at "
              + first.file().where(first.nameAt()));
        }
      }
      if (!incomplete) {
        checkEnvironmentReferences();
      }
      checkPromotionOrder();
      checkMirrors();
    }

    /** Every TUF mirror is a host promgate connects to, so the GateConfig must allow it. */
    private void checkMirrors() {
      GateConfig gate = context.gates.isEmpty() ? GateConfig.defaults() : context.gates.get(0).config();
      for (LoadContext.MirrorReference ref : context.mirrors) {
        String host = ref.mirror().getPort() < 0 ? ref.mirror().getHost() : ref.mirror().getHost() + ":" + ref.mirror().getPort();
        boolean http = "http".equals(ref.mirror().getScheme());
        Optional<GateConfig.RegistrySettings> allowed = gate.trustedRootMirror(host);
        if (allowed.isEmpty()) {
          ref.file().at(ref.at(), "TUF mirror host " + host + " is not allowed: promgate connects only to hosts the"
              + " GateConfig allows; add {host: " + host + "} to its spec.trustedRootMirrors");
        } else if (http && !allowed.get().insecure()) {
          ref.file().at(ref.at(), "TUF mirror " + ref.mirror() + " is plain HTTP; its spec.trustedRootMirrors entry"
              + " must say insecure: true (or serve it over https)");
        } else if (!http && allowed.get().insecure()) {
          ref.file().at(ref.at(), "TUF mirror " + ref.mirror() + " is https, but its spec.trustedRootMirrors entry"
              + " says insecure: true (plain HTTP); drop insecure");
        }
      }
    }

    private void checkEnvironmentReferences() {
      Set<String> defined = context.definedEnvironments.keySet();
      for (EnvironmentReference ref : context.environmentReferences) {
        if (defined.contains(ref.environment())) {
          continue;
        }
        String known = defined.isEmpty() ? "no PromotionPolicy defines any environment"
            : "defined: " + String.join(", ", defined);
        ref.file().at(ref.at(), ref.role() + " names environment \"" + ref.environment()
            + "\", which no PromotionPolicy defines (" + known + ")"
            + Suggestions.didYouMean(ref.environment(), defined));
      }
    }

    /**
     * The promotion order: a promotion to X required in environment E puts X before E. Across all
     * policies this must be an order, so every cycle is reported once, at the edge that closes it.
     */
    private void checkPromotionOrder() {
      Map<String, List<PromotionEdge>> outgoing = new LinkedHashMap<>();
      for (PromotionEdge e : context.promotionEdges) {
        outgoing.computeIfAbsent(e.before(), k -> new ArrayList<>()).add(e);
      }
      Set<String> done = new HashSet<>();
      Set<String> reported = new HashSet<>();
      for (PromotionEdge start : context.promotionEdges) {
        findCycles(start.before(), outgoing, done, new ArrayDeque<>(), new LinkedHashMap<>(), reported);
      }
    }

    private void findCycles(String env, Map<String, List<PromotionEdge>> outgoing, Set<String> done,
                            Deque<PromotionEdge> path, Map<String, Integer> onPath, Set<String> reported) {
      if (done.contains(env)) {
        return;
      }
      onPath.put(env, path.size());
      for (PromotionEdge edge : outgoing.getOrDefault(env, List.of())) {
        Integer cycleStart = onPath.get(edge.after());
        if (cycleStart != null) {
          List<PromotionEdge> cycle = new ArrayList<>(path).subList(cycleStart, path.size());
          List<PromotionEdge> all = new ArrayList<>(cycle);
          all.add(edge);
          reportCycle(all, reported);
          continue;
        }
        path.addLast(edge);
        findCycles(edge.after(), outgoing, done, path, onPath, reported);
        path.removeLast();
      }
      onPath.remove(env);
      done.add(env);
    }

    private void reportCycle(List<PromotionEdge> cycle, Set<String> reported) {
      StringBuilder chain = new StringBuilder(cycle.get(0).before());
      Set<String> members = new java.util.TreeSet<>();
      for (PromotionEdge e : cycle) {
        chain.append(" → ").append(e.after());
        members.add(e.before());
      }
      if (!reported.add(String.join(",", members))) {
        return;
      }
      PromotionEdge closing = cycle.get(cycle.size() - 1);
      StringBuilder where = new StringBuilder();
      for (PromotionEdge e : cycle) {
        if (e != closing) {
          where.append("; ").append(e.after()).append(" requires a promotion to ").append(e.before())
              .append(" at ").append(e.file().where(e.at()));
        }
      }
      closing.file().at(closing.at(), "promotions form a cycle (" + chain + "): " + closing.after()
          + " requires a promotion to " + closing.before() + " here" + where
          + "; an environment cannot come both before and after another");
    }

    private int problemCount() {
      int n = directoryProblems.count();
      for (FileProblems f : files) {
        n += f.count();
      }
      return n;
    }

    private PolicyLoadResult failed() {
      List<PolicyProblem> all = new ArrayList<>(directoryProblems.sorted());
      for (FileProblems f : files) {
        all.addAll(f.sorted());
      }
      return new PolicyLoadResult.Failed(all, context.inputs.digests());
    }
  }

  /** A document with nothing in it: {@code ---} followed by nothing, or an empty scalar. */
  private static boolean isEmptyDocument(Node document) {
    return document instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar
        && (scalar.getValue().isEmpty() || scalar.getTag().equals(org.yaml.snakeyaml.nodes.Tag.NULL));
  }
}
