package dev.promgate.cli;

import dev.promgate.json.Mappers;
import dev.promgate.policy.PolicySet;
import dev.promgate.promotion.PromotionWorkflow;
import dev.promgate.promotion.StatusReport;
import dev.promgate.verification.FoundPromotion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code promgate status REPOSITORY}: per environment, the digests promoted there (newest first),
 * whether each is admissible now, and the current and previous known-good digest — the rollback
 * target. Table or {@code --output json}.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show, per environment, the digests of a repository that carry promotions (newest first), "
        + "whether each is admissible now, the tags pointing at them, and the current and previous "
        + "known-good digest (the rollback target).",
    footer = {"", "Exit status: 0 shown; 1 the policies have problems; 2 usage or input error (not a repository, "
        + "unknown environment, registry configuration error)."})
public final class StatusCommand implements Callable<Integer> {

  private static final JsonMapper JSON = Mappers.JSON;
  private static final int MAX_REASON = 200;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "REPOSITORY", description = "registry/repository, without tag or digest")
  String repository;

  @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR",
      description = "policy directory (default: ${DEFAULT-VALUE})")
  Path policies;

  @Option(names = "--env", paramLabel = "ENV", description = "only this environment")
  String environment;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE})")
  String output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("table") && !output.equals("json")) {
      throw CommandFailure.input("--output must be table or json");
    }
    PolicySet set = PolicyDirectory.load(policies, err);
    if (environment != null && !set.environments().contains(environment)) {
      throw CommandFailure.input("environment \"" + environment + "\" is not defined by the policies (known: "
          + String.join(", ", set.environments()) + ")");
    }
    StatusReport report;
    try (PromotionWorkflow workflow = PromotionWorkflow.open(set, Clock.systemUTC())) {
      report = workflow.status(repository, Optional.ofNullable(environment));
    } catch (IllegalArgumentException e) {
      throw CommandFailure.input(e.getMessage());
    }
    if (output.equals("json")) {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(report)));
    } else {
      table(out, report);
    }
    out.flush();
    return ExitCodes.OK;
  }

  // ---- table ---------------------------------------------------------------------------------

  private static void table(PrintWriter out, StatusReport report) {
    out.println("repository " + report.repository() + " (admissibility as of " + report.at() + ")");
    if (report.environments().isEmpty()) {
      out.println();
      out.println("no environment requires or has promotions");
    }
    for (StatusReport.EnvironmentStatus env : report.environments()) {
      out.println();
      out.println(env.environment());
      if (env.entries().isEmpty()) {
        out.println("  no promotions to " + env.environment());
        continue;
      }
      StatusReport.Entry current = env.current().orElseThrow();
      StatusReport.Entry rollback = env.rollbackTarget().orElse(null);
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"STATE", "DIGEST", "PROMOTED AT", "APPROVER", "CHANGE", "ADMISSIBLE", "TAGS"});
      List<String> footnotes = new ArrayList<>();
      for (StatusReport.Entry e : env.entries()) {
        String state = e == current ? "current" : e == rollback ? "rollback" : "";
        String admissible = e.admissible() ? "yes" : "no";
        if (!e.admissible()) {
          footnotes.add(e.image().digest().shortForm() + ": " + abbreviate(String.join("; ", e.reasons())));
          admissible += " [" + footnotes.size() + "]";
        }
        FoundPromotion p = e.newest();
        rows.add(new String[] {state, e.image().digest().shortForm(), p.promotedAt().toString(),
            p.approver().orElse("-"), p.change().orElse("-"), admissible,
            e.tags().isEmpty() ? "-" : String.join(",", e.tags())});
      }
      printRows(out, rows);
      out.println("  current:  " + current.image());
      out.println("  rollback: " + (rollback == null
          ? "none — no earlier digest is admissible in " + env.environment() + " now"
          : rollback.image() + " (previous known-good)"));
      for (int i = 0; i < footnotes.size(); i++) {
        out.println("  [" + (i + 1) + "] " + footnotes.get(i));
      }
    }
    if (!report.unverified().isEmpty()) {
      out.println();
      out.println("promotions that do not count:");
      for (StatusReport.Unverified u : report.unverified()) {
        FoundPromotion p = u.promotion();
        out.println("  " + u.image().digest().shortForm() + "  " + p.environment() + "  " + p.promotedAt()
            + p.approver().map(a -> "  " + a).orElse("") + ": " + abbreviate(p.problem().orElse("")));
      }
    }
    if (!report.notes().isEmpty()) {
      out.println();
      out.println("notes:");
      report.notes().forEach(n -> out.println("  " + n));
    }
  }

  private static void printRows(PrintWriter out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < columns; i++) {
        line.append(i == columns - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON - 1) + "…";
  }

  // ---- json ----------------------------------------------------------------------------------

  private static ObjectNode json(StatusReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("repository", report.repository());
    root.put("at", report.at().toString());
    ArrayNode environments = root.putArray("environments");
    for (StatusReport.EnvironmentStatus env : report.environments()) {
      ObjectNode e = environments.addObject();
      e.put("environment", env.environment());
      e.put("current", env.current().map(c -> c.image().toString()).orElse(null));
      e.put("rollbackTarget", env.rollbackTarget().map(c -> c.image().toString()).orElse(null));
      ArrayNode promotions = e.putArray("promotions");
      for (StatusReport.Entry entry : env.entries()) {
        ObjectNode o = promotions.addObject();
        o.put("digest", entry.image().digest().toString());
        o.put("image", entry.image().toString());
        o.put("state", env.current().filter(c -> c == entry).isPresent() ? "current"
            : env.rollbackTarget().filter(c -> c == entry).isPresent() ? "rollback" : null);
        promotion(o, entry.newest());
        o.put("promotions", entry.promotions());
        o.put("exists", entry.exists());
        o.put("admissible", entry.admissible());
        ArrayNode reasons = o.putArray("reasons");
        entry.reasons().forEach(reasons::add);
        ArrayNode tags = o.putArray("tags");
        entry.tags().forEach(tags::add);
      }
    }
    ArrayNode unverified = root.putArray("unverified");
    for (StatusReport.Unverified u : report.unverified()) {
      ObjectNode o = unverified.addObject();
      o.put("digest", u.image().digest().toString());
      o.put("image", u.image().toString());
      o.put("environment", u.promotion().environment());
      promotion(o, u.promotion());
      o.put("problem", u.promotion().problem().orElse(""));
    }
    ArrayNode notes = root.putArray("notes");
    report.notes().forEach(notes::add);
    return root;
  }

  private static void promotion(ObjectNode o, FoundPromotion p) {
    o.put("promotedAt", p.promotedAt().toString());
    p.approver().ifPresent(v -> o.put("approver", v));
    p.from().ifPresent(v -> o.put("from", v));
    p.change().ifPresent(v -> o.put("change", v));
    p.pipelineRun().ifPresent(v -> o.put("pipelineRun", v));
    if (p.sourceRepository().isPresent() || p.sourceCommit().isPresent()) {
      ObjectNode source = o.putObject("source");
      p.sourceRepository().ifPresent(v -> source.put("repository", v));
      p.sourceCommit().ifPresent(v -> source.put("commit", v));
    }
    o.put("force", p.force());
    p.authority().ifPresent(v -> o.put("signedBy", v));
    p.signer().ifPresent(v -> o.put("signer", v));
    o.put("attestation", p.source());
  }
}
