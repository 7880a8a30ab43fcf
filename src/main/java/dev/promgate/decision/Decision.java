package dev.promgate.decision;

import dev.promgate.admission.AdmissionCall;
import java.util.List;
import java.util.Map;

/**
 * The answer to one admission request, with everything the response and the decision log need.
 *
 * @param call         the request
 * @param allowed      what the API server is told
 * @param outcome      what was decided ({@link Outcome})
 * @param message      the denial message (every failing container), or a note on why nothing was judged
 * @param warnings     shown by kubectl
 * @param annotations  audit annotations; the API server prefixes each key with the webhook name
 * @param environment  the environment the request was judged for ("" when none could be resolved)
 * @param generation   the policy generation used
 * @param images       per-image judgements
 */
public record Decision(
    AdmissionCall call,
    boolean allowed,
    Outcome outcome,
    String message,
    List<String> warnings,
    Map<String, String> annotations,
    String environment,
    long generation,
    List<ImageResult> images) {

  public Decision {
    warnings = List.copyOf(warnings);
    annotations = Map.copyOf(annotations);
    images = List.copyOf(images);
  }
}
