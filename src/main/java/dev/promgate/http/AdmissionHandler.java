package dev.promgate.http;

import dev.promgate.admission.AdmissionCall;
import dev.promgate.decision.Decision;
import dev.promgate.environment.EnvironmentResolver;
import io.vertx.core.Future;

/**
 * What the HTTPS edge hands a parsed AdmissionReview to: a plain function from request to
 * decision, with no HTTP in it. The server is given one; it never knows how decisions are made.
 */
@FunctionalInterface
public interface AdmissionHandler {

  /**
   * Decides one request. The future should always succeed (every problem is a decision); should
   * it fail, the server answers with a denial.
   *
   * @param route   what the request path says about the environment
   * @param arrived {@link System#nanoTime()} when the request arrived (its headers were read): the
   *                time budget counts from here, body and parsing included
   */
  Future<Decision> admit(AdmissionCall call, EnvironmentResolver.Route route, long arrived);
}
