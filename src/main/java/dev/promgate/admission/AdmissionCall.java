package dev.promgate.admission;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One admission request, as promgate needs it.
 *
 * @param uid          echoed in the response
 * @param group        API group of the object's kind ("" for core)
 * @param version      API version of the object's kind
 * @param kind         kind of the object, e.g. {@code Deployment}
 * @param subResource  e.g. {@code ephemeralcontainers}, or empty
 * @param namespace    the namespace, "" for cluster-scoped objects
 * @param name         the object's name; may be empty when the server generates it
 * @param operation    CREATE, UPDATE, DELETE or CONNECT
 * @param user         the requesting user's name
 * @param dryRun       whether the API server will not persist the object
 * @param object       the object after the operation, as a JSON tree
 * @param oldObject    the object before the operation (UPDATE), if any
 */
public record AdmissionCall(
    String uid,
    String group,
    String version,
    String kind,
    String subResource,
    String namespace,
    String name,
    String operation,
    String user,
    boolean dryRun,
    Optional<JsonNode> object,
    Optional<JsonNode> oldObject) {

  /** {@code apps/Deployment}, {@code Pod}: the kind with its group, for logs and messages. */
  public String qualifiedKind() {
    return group.isEmpty() ? kind : group + "/" + kind;
  }

  /** Kind and name as one string for logs: {@code Deployment/web}. */
  public String objectRef() {
    return kind + "/" + (name.isEmpty() ? "(generated)" : name);
  }
}
