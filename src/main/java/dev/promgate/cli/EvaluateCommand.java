package dev.promgate.cli;

import dev.promgate.AdmissionPipeline;
import dev.promgate.Server;
import dev.promgate.admission.AdmissionCall;
import dev.promgate.admission.AdmissionReviews;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.ImageResult;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.json.Mappers;
import dev.promgate.judgement.Judgement;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.workload.WorkloadImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code promgate evaluate}: the webhook's decision over manifests, without a cluster — for CI
 * pipelines and for trying policies. Every workload object is judged as a CREATE in the given
 * environment, exactly as the webhook would judge it (registries and signatures included).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Decide over manifests (YAML or JSON, multi-document, kind: List, kubectl get -o json). "
        + "Exit 1 if anything is denied.",
    footer = {"", "Exit status: 0 every workload is allowed; 1 something is denied, or the policies have problems; "
        + "2 usage or input error: a missing or unreadable file, YAML that does not parse (file:line:column), "
        + "empty input (kubectl printed nothing), input without a Kubernetes object or without any workload, "
        + "an unknown environment, a registry configuration error. Never 0 on an input that decided nothing."})
public final class EvaluateCommand implements Callable<Integer> {

  private static final YAMLMapper YAML = Mappers.YAML;
  /** One document of a YAML stream: the next one is not trailing garbage but the next object. */
  private static final ObjectReader DOCUMENT = YAML.readerFor(JsonNode.class)
      .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonMapper JSON = Mappers.JSON;

  @Spec
  CommandSpec spec;

  @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR",
      description = "policy directory (default: ${DEFAULT-VALUE})")
  Path policies;

  @Option(names = "--env", required = true, paramLabel = "ENV", description = "environment to admit into")
  String environment;

  @Option(names = "--namespace", defaultValue = "default",
      description = "namespace for objects that name none (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--mode", description = "audit: report what would be denied without failing; "
      + "enforce: as if every environment enforced")
  Mode mode;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE})")
  String output;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "manifest files, or - for standard input")
  List<String> files;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("table") && !output.equals("json")) {
      throw CommandFailure.input("--output must be table or json");
    }
    PolicySet set = PolicyDirectory.load(policies, err);
    if (!set.environments().contains(environment)) {
      throw CommandFailure.input("environment \"" + environment
          + "\" is not defined by the policies (known: " + String.join(", ", set.environments()) + ")");
    }
    List<JsonNode> objects = new ArrayList<>();
    for (String file : files) {
      objects.addAll(read(file));
    }
    List<AdmissionCall> calls = new ArrayList<>();
    for (JsonNode object : objects) {
      calls.add(AdmissionReviews.read(review(object)).call()
          .orElseThrow(() -> CommandFailure.input("cannot read " + describe(object))));
    }
    if (calls.stream().allMatch(c -> WorkloadImages.of(c) instanceof WorkloadImages.NotAWorkload)) {
      throw CommandFailure.input("none of the " + objects.size() + " object" + (objects.size() == 1 ? "" : "s")
          + " in " + String.join(", ", files) + " runs containers (kinds: " + kinds(objects)
          + "); nothing was decided");
    }
    Vertx vertx = Vertx.vertx();
    try {
      AdmissionPipeline pipeline;
      try {
        pipeline = Server.offlinePipeline(vertx, set, Optional.ofNullable(mode),
            new DecisionLog(line -> { }), Clock.systemUTC(), new SimpleMeterRegistry());
      } catch (RuntimeException e) {
        throw CommandFailure.input("registry configuration error: " + e.getMessage());
      }
      List<Decision> decisions = new ArrayList<>();
      for (AdmissionCall call : calls) {
        decisions.add(pipeline.admit(call, new EnvironmentResolver.Named(environment))
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (output.equals("json")) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(decisions)));
      } else {
        table(out, decisions);
      }
      out.flush();
      return decisions.stream().anyMatch(d -> !d.allowed()) ? ExitCodes.FAILED : ExitCodes.OK;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String kinds(List<JsonNode> objects) {
    return objects.stream().map(o -> o.path("kind").asText()).distinct().sorted().collect(Collectors.joining(", "));
  }

  /**
   * The Kubernetes objects of one file (or standard input): every YAML document, with
   * {@code kind: List} unpacked. Empty input, a document that is not a Kubernetes object and YAML
   * that does not parse are input errors naming the file and line.
   */
  private List<JsonNode> read(String file) {
    String name = file.equals("-") ? "standard input" : file;
    byte[] content;
    try {
      content = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      throw CommandFailure.input(name + " does not exist");
    } catch (IOException e) {
      throw CommandFailure.input("cannot read " + name + ": " + e.getMessage());
    }
    if (new String(content, StandardCharsets.UTF_8).isBlank()) {
      throw CommandFailure.input(name + " is empty: there is nothing to decide"
          + (file.equals("-") ? " (did the command feeding the pipe fail?)" : ""));
    }
    List<JsonNode> objects = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(content)) {
      while (parser.nextToken() != null) {
        int line = parser.currentTokenLocation().getLineNr();
        JsonNode doc = DOCUMENT.readValue(parser);
        if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
          continue;
        }
        if (!doc.isObject() || !doc.path("kind").isTextual() || !doc.path("apiVersion").isTextual()) {
          throw CommandFailure.input(name + ":" + line + ": not a Kubernetes object (it has no apiVersion and kind)");
        }
        flatten(doc, objects);
      }
    } catch (JacksonException e) {
      var at = e.getLocation();
      throw CommandFailure.input(name + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
          + ": not valid YAML or JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    if (objects.isEmpty()) {
      throw CommandFailure.input(name + " holds no Kubernetes object: there is nothing to decide");
    }
    return objects;
  }

  /** {@code kind: List} (what {@code kubectl get -o json} prints) and friends hold their objects in items. */
  private static void flatten(JsonNode doc, List<JsonNode> into) {
    if (doc == null || doc.isNull() || doc.isMissingNode() || !doc.isObject() || doc.isEmpty()) {
      return;
    }
    if (doc.path("kind").asText().endsWith("List") && doc.path("items").isArray()) {
      doc.path("items").forEach(item -> flatten(item, into));
      return;
    }
    into.add(doc);
  }

  private byte[] review(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    int slash = apiVersion.indexOf('/');
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", AdmissionReviews.API_VERSION);
    review.put("kind", AdmissionReviews.KIND);
    ObjectNode request = review.putObject("request");
    request.put("uid", UUID.randomUUID().toString());
    request.putObject("kind")
        .put("group", slash < 0 ? "" : apiVersion.substring(0, slash))
        .put("version", slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
        .put("kind", object.path("kind").asText(""));
    request.put("namespace", object.path("metadata").path("namespace").asText(namespace));
    request.put("name", object.path("metadata").path("name").asText(""));
    request.put("operation", "CREATE");
    request.putObject("userInfo").put("username", "promgate-evaluate");
    request.set("object", object);
    return JSON.writeValueAsBytes(review);
  }

  private static String describe(JsonNode object) {
    return object.path("kind").asText("?") + "/" + object.path("metadata").path("name").asText("?");
  }

  private static ArrayNode json(List<Decision> decisions) {
    ArrayNode all = JSON.createArrayNode();
    for (Decision d : decisions) {
      ObjectNode o = all.addObject();
      o.put("resource", d.call().qualifiedKind() + "/" + d.call().name());
      o.put("namespace", d.call().namespace());
      o.put("environment", d.environment());
      o.put("decision", d.outcome().wireName());
      o.put("allowed", d.allowed());
      if (d.images().isEmpty() && !d.message().isEmpty()) {
        o.put("reason", d.message());
      }
      ArrayNode images = o.putArray("images");
      for (ImageResult r : d.images()) {
        ObjectNode i = images.addObject();
        i.put("container", r.container().container());
        i.put("field", r.container().fieldPath());
        i.put("image", r.container().image());
        i.put("verdict", r.judgement().status().wireName());
        i.put("mode", r.judgement().mode().wireName());
        ArrayNode reasons = i.putArray("reasons");
        r.judgement().problems().forEach(reasons::add);
        ArrayNode evidence = i.putArray("evidence");
        r.judgement().evidence().forEach(e -> evidence.add(e.text()));
      }
      ArrayNode warnings = o.putArray("warnings");
      d.warnings().forEach(warnings::add);
    }
    return all;
  }

  private static void table(PrintWriter out, List<Decision> decisions) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"RESOURCE", "CONTAINER", "IMAGE", "VERDICT", "REASON"});
    for (Decision d : decisions) {
      String resource = d.call().kind() + "/" + (d.call().name().isEmpty() ? "-" : d.call().name());
      if (d.images().isEmpty()) {
        rows.add(new String[] {resource, "-", "-", d.outcome().wireName(), d.message()});
      }
      for (ImageResult r : d.images()) {
        Judgement j = r.judgement();
        String verdict = j.status().wireName() + (j.failed() && j.mode() == Mode.AUDIT ? " (audit)" : "");
        rows.add(new String[] {resource, r.container().container(), r.container().image(), verdict,
            String.join("; ", j.problems())});
      }
    }
    int[] widths = new int[4];
    for (String[] row : rows) {
      for (int i = 0; i < 4; i++) {
        widths[i] = Math.min(Math.max(widths[i], row[i].length()), 80);
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        line.append(String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.append(row[4]).toString().stripTrailing());
    }
    long denied = decisions.stream().filter(d -> !d.allowed()).count();
    out.printf("%n%d object%s, %d denied%n", decisions.size(), decisions.size() == 1 ? "" : "s", denied);
  }
}
