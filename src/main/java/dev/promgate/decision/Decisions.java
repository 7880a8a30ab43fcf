package dev.promgate.decision;

import dev.promgate.admission.AdmissionCall;
import dev.promgate.policy.Mode;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.RenderedEvidence;
import dev.promgate.workload.BreakGlass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds {@link Decision}s. Audit annotation keys are plain names ({@code decision},
 * {@code reasons}, {@code policy-generation}, {@code environment}): the API server stores each as
 * {@code <webhook name>/<key>}, e.g. {@code prod.promgate.dev/decision}; a key that already had a
 * prefix would become an invalid annotation key and be dropped.
 */
public final class Decisions {

  /** Kubernetes truncates warnings beyond this; keep each one readable. */
  static final int MAX_WARNING = 1024;
  static final int MAX_REASONS_ANNOTATION = 8 * 1024;

  private Decisions() {}

  /**
   * The decision as the API server will carry it ({@link ApiServerLimits}): warnings, message and
   * annotations cut to size, each cut pointing to the decision log line by the request's uid. The
   * per-image results, which the log line is written from, are kept whole.
   */
  public static Decision fitted(Decision d) {
    return ApiServerLimits.fit(d);
  }

  /** Nothing to judge: DELETE, CONNECT, a kind without containers, or no new image on UPDATE. */
  public static Decision skip(AdmissionCall call, String why, String environment, long generation) {
    return new Decision(call, true, Outcome.SKIP, why, List.of(),
        annotations(Outcome.SKIP, why, environment, generation), environment, generation, List.of());
  }

  /**
   * The namespace is exempt from promgate. A namespace that opted in with the environment label
   * and is exempted all the same (by a glob such as {@code team-*}: plain names never reach the
   * webhook) runs everything unchecked, so that is said as a warning, not only in the log.
   *
   * @param entry    the {@code exemptNamespaces} entry that matched
   * @param labelled whether the namespace carries the {@code promgate.dev/environment} label
   */
  public static Decision exempt(AdmissionCall call, String environment, String entry, boolean labelled,
                                long generation) {
    String why = "namespace " + call.namespace() + " is exempt (GateConfig exemptNamespaces \"" + entry + "\")";
    List<String> warnings = !labelled ? List.of() : List.of(warning("nothing was checked: namespace "
        + call.namespace() + " is labelled promgate.dev/environment" + (environment.isEmpty() ? "" : "=" + environment)
        + ", but GateConfig exemptNamespaces \"" + entry + "\" exempts it; remove the label or narrow the entry"));
    return new Decision(call, true, Outcome.EXEMPT, why, warnings,
        annotations(Outcome.EXEMPT, why, environment, generation), environment, generation, List.of());
  }

  /**
   * A problem with the whole request (unknown environment, unreadable workload): denied in enforce
   * mode, admitted with a warning in audit mode.
   */
  public static Decision refuse(AdmissionCall call, String problem, Mode mode, String environment,
                                long generation) {
    if (mode == Mode.AUDIT) {
      return new Decision(call, true, Outcome.AUDIT_DENY, problem, List.of(warning("(audit) " + problem)),
          annotations(Outcome.AUDIT_DENY, problem, environment, generation), environment, generation, List.of());
    }
    return new Decision(call, false, Outcome.DENY, problem, List.of(),
        annotations(Outcome.DENY, problem, environment, generation), environment, generation, List.of());
  }

  /** The judgement of every image: denied if any enforced image failed, else allowed with warnings. */
  public static Decision judged(AdmissionCall call, String environment, long generation,
                                List<ImageResult> images) {
    List<String> enforced = new ArrayList<>();
    List<String> audited = new ArrayList<>();
    for (ImageResult r : images) {
      if (r.failed()) {
        (r.judgement().mode() == Mode.ENFORCE ? enforced : audited).add(r.message());
      }
    }
    List<String> warnings = new ArrayList<>();
    for (String a : audited) {
      warnings.add(warning("(audit) " + a));
    }
    List<String> stale = new ArrayList<>();
    for (ImageResult r : images) {
      if (!r.failed() && r.judgement().cache() == CacheSource.STALE) {
        stale.add(r.container().container());
      }
    }
    if (!stale.isEmpty()) {
      warnings.add(warning("admitted " + String.join(", ", stale) + " on an earlier verification: the registry "
          + "cannot be checked now (cache.staleIfError)"));
    }
    List<String> reasons = new ArrayList<>(enforced);
    reasons.addAll(audited);
    if (!enforced.isEmpty()) {
      String message = "promgate denied " + call.objectRef() + " in environment " + environment + ": "
          + String.join("\n", enforced);
      return new Decision(call, false, Outcome.DENY, message, warnings,
          annotations(Outcome.DENY, String.join("\n", reasons), environment, generation),
          environment, generation, images);
    }
    Map<String, String> extra = new LinkedHashMap<>();
    if (!stale.isEmpty()) {
      extra.put("stale-verdicts", String.join(", ", stale));
    }
    String evidence = evidence(images);
    if (!evidence.isEmpty()) {
      extra.put("evidence", evidence);
    }
    if (!audited.isEmpty()) {
      return new Decision(call, true, Outcome.AUDIT_DENY, String.join("\n", audited), warnings,
          merge(annotations(Outcome.AUDIT_DENY, String.join("\n", reasons), environment, generation), extra),
          environment, generation, images);
    }
    return new Decision(call, true, Outcome.ALLOW, "", warnings,
        merge(annotations(Outcome.ALLOW, "", environment, generation), extra), environment, generation, images);
  }

  /**
   * What the admitted images rested on, for auditors: {@code web: signature by ci (…); …}. Each
   * image's part comes rendered with its cached verdict ({@link RenderedEvidence#annotation}).
   */
  /**
   * How much of the evidence the API server can ever get: it is cut to {@link ApiServerLimits#MAX_ANNOTATION}
   * bytes on the way out (every character is at least a byte), so a character more only tells that
   * cut that there was more. The decision log line keeps all of it.
   */
  private static final int ANNOTATION_READ = ApiServerLimits.MAX_ANNOTATION;

  /** Appends as much of {@code text} as keeps {@code s} at most one character past {@link #ANNOTATION_READ}. */
  private static void appendUpTo(StringBuilder s, String text) {
    s.append(text, 0, Math.max(0, Math.min(text.length(), ANNOTATION_READ + 1 - s.length())));
  }

  private static String evidence(List<ImageResult> images) {
    String only = null;
    StringBuilder s = null;
    for (ImageResult r : images) {
      RenderedEvidence rendered = r.judgement().rendered();
      if (r.failed() || rendered.isEmpty()) {
        continue;
      }
      String part = rendered.annotation(r.container().container());
      if (only == null && s == null) {
        only = part;
        continue;
      }
      if (s == null) {
        s = new StringBuilder(ANNOTATION_READ + 1);
        appendUpTo(s, only);
      }
      appendUpTo(s, "; ");
      appendUpTo(s, part);
      if (s.length() > ANNOTATION_READ) {
        break;
      }
    }
    String all = s != null ? s.toString() : only == null ? "" : only;
    return truncate(all, MAX_REASONS_ANNOTATION);
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    if (b.isEmpty()) {
      return a;
    }
    Map<String, String> all = new LinkedHashMap<>(a);
    all.putAll(b);
    return all;
  }

  /**
   * A denied request that carries the break-glass annotation ({@link BreakGlass}). Honoured only in
   * the environments GateConfig {@code spec.breakGlass.environments} lists, and only with a reason:
   * then it is admitted, with a warning, the audit annotations {@code break-glass-reason} and
   * {@code break-glass-user}, and outcome {@code break-glass} (logged at WARN). Otherwise the
   * denial stands and says why the annotation was ignored.
   *
   * @param allowedIn GateConfig {@code spec.breakGlass.environments}
   */
  public static Decision breakGlass(Decision denied, BreakGlass.Request request, Set<String> allowedIn,
                                    java.time.Instant now) {
    String environment = denied.environment();
    String ignored = null;
    if (!allowedIn.contains(environment)) {
      ignored = "break-glass is not allowed in environment " + environment + " (GateConfig spec.breakGlass.environments: "
          + (allowedIn.isEmpty() ? "none" : String.join(", ", new TreeSet<>(allowedIn))) + ")";
    } else if (request.reason().isEmpty()) {
      ignored = "it gives no reason; write " + BreakGlass.ANNOTATION + ": \"<why, e.g. incident INC-42>\"";
    } else if (request.expired(now).isPresent()) {
      ignored = request.expired(now).get();
    }
    if (ignored != null) {
      String note = "the " + BreakGlass.ANNOTATION + " annotation (" + request.where() + ") was ignored: " + ignored;
      Map<String, String> annotations = new LinkedHashMap<>(denied.annotations());
      annotations.put("break-glass-ignored", note);
      return new Decision(denied.call(), false, denied.outcome(), denied.message() + "\n" + note, denied.warnings(),
          annotations, environment, denied.generation(), denied.images());
    }
    String user = denied.call().user().isEmpty() ? "(unknown user)" : denied.call().user();
    List<String> warnings = new ArrayList<>();
    warnings.add(warning("break-glass in " + environment + " (reason: \"" + request.reason() + "\", requested by "
        + user + "): admitted although " + String.join("; ", failures(denied.images()))));
    if (!request.reachesPods()) {
      warnings.add(warning("break-glass: the annotation is only on the " + denied.call().kind()
          + "'s metadata.annotations; the Pods it creates carry their template's annotations and will be denied: "
          + "set it on the pod template's metadata.annotations"));
    }
    warnings.addAll(denied.warnings());
    Map<String, String> annotations = annotations(Outcome.BREAK_GLASS, denied.annotations().getOrDefault("reasons", ""),
        environment, denied.generation());
    annotations.put("break-glass-reason", truncate(request.reason(), MAX_REASONS_ANNOTATION));
    annotations.put("break-glass-user", user);
    annotations.put("break-glass-until", request.until());
    return new Decision(denied.call(), true, Outcome.BREAK_GLASS, denied.message(), warnings, annotations, environment,
        denied.generation(), denied.images());
  }

  private static List<String> failures(List<ImageResult> images) {
    List<String> failed = new ArrayList<>();
    for (ImageResult r : images) {
      if (r.failed()) {
        failed.add(r.message());
      }
    }
    return failed;
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  static String warning(String text) {
    String w = "promgate " + text;
    return w.length() <= MAX_WARNING ? w : w.substring(0, MAX_WARNING - 1) + "…";
  }

  private static Map<String, String> annotations(Outcome outcome, String reasons, String environment,
                                                 long generation) {
    Map<String, String> a = new LinkedHashMap<>();
    // Nothing to judge is, to an auditor, an admission.
    a.put("decision", outcome == Outcome.SKIP ? Outcome.ALLOW.wireName() : outcome.wireName());
    if (!reasons.isEmpty()) {
      a.put("reasons", reasons.length() <= MAX_REASONS_ANNOTATION ? reasons
          : reasons.substring(0, MAX_REASONS_ANNOTATION - 1) + "…");
    }
    if (!environment.isEmpty()) {
      a.put("environment", environment);
    }
    a.put("policy-generation", Long.toString(generation));
    return a;
  }
}
