package dev.promgate.environment;

import dev.promgate.policy.GateConfig;
import dev.promgate.policy.PolicySet;
import java.util.Set;

/** Decides which environment a request is admitted into. */
public final class EnvironmentResolver {

  private EnvironmentResolver() {}

  /** The environment and how it was chosen, or why none could be. */
  public sealed interface Resolution permits Known, Unknown {}

  /**
   * @param name   the environment
   * @param source how it was chosen: {@code path}, {@code namespace rule "*-prod"}, {@code default}
   */
  public record Known(String name, String source) implements Resolution {}

  /** A configuration error; the message says what is wrong and what to fix. */
  public record Unknown(String message) implements Resolution {}

  /** What the request says about its environment: the route the webhook configuration chose. */
  public sealed interface Route permits Named, Unnamed, UnknownLabel {}

  /** {@code /validate/{environment}}: the namespace's label named it. */
  public record Named(String environment) implements Route {}

  /** {@code /validate}: the namespace has no environment label. */
  public record Unnamed() implements Route {}

  /** {@code /unknown-environment}: the namespace's label names an environment no policy defines. */
  public record UnknownLabel() implements Route {}

  public static Resolution resolve(Route route, String namespace, PolicySet policies) {
    Set<String> known = policies.environments();
    if (route instanceof UnknownLabel) {
      return new Unknown("namespace \"" + namespace + "\" is labelled promgate.dev/environment with an "
          + "environment no policy defines (known: " + String.join(", ", known) + "); fix the label, or "
          + "regenerate the webhook configuration with 'promgate manifests webhook' after adding the environment");
    }
    if (route instanceof Named named) {
      String env = named.environment();
      if (!known.contains(env)) {
        return new Unknown("environment \"" + printable(env) + "\" named by the request path /validate/"
            + printable(env) + " is not defined by any policy (known: " + String.join(", ", known)
            + "); the webhook configuration and the policies disagree — regenerate it with "
            + "'promgate manifests webhook' or fix the policies");
      }
      return new Known(env, "path");
    }
    GateConfig gate = policies.gate();
    for (GateConfig.NamespaceRule rule : gate.namespaces()) {
      if (rule.match().matches(namespace)) {
        return new Known(rule.environment(), "namespace rule \"" + rule.match() + "\"");
      }
    }
    if (gate.defaultEnvironment().isPresent()) {
      return new Known(gate.defaultEnvironment().get(), "default");
    }
    return new Unknown("namespace \"" + namespace + "\" matches no GateConfig namespace rule and the "
        + "GateConfig has no defaultEnvironment; add one, or call /validate/<environment>");
  }

  private static String printable(String s) {
    String cleaned = s.replaceAll("[^A-Za-z0-9._-]", "?");
    return cleaned.length() > 64 ? cleaned.substring(0, 64) + "…" : cleaned;
  }
}
