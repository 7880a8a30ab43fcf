package dev.promgate.registry;

/** Registry failures of each kind, for tests of the steps that turn them into verdicts. */
public final class RegistryFailures {

  private RegistryFailures() {}

  public static RegistryException of(RegistryException.Kind kind, String registry, String endpoint, String problem) {
    return RegistryException.of(kind, registry, endpoint, problem, "");
  }
}
