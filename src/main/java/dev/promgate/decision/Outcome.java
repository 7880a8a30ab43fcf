package dev.promgate.decision;

import java.util.Locale;

/** What was decided for a request, as the log, the metrics and {@code promgate evaluate} name it. */
public enum Outcome {
  /** Every image passed. */
  ALLOW,
  /** An image failed in an environment that enforces its policies; the request is refused. */
  DENY,
  /** Something failed, but only where the policies audit: admitted with warnings. */
  AUDIT_DENY,
  /** Denied by the policies, admitted by the break-glass annotation. */
  BREAK_GLASS,
  /** The namespace is exempt from promgate. */
  EXEMPT,
  /** Nothing to judge: DELETE, CONNECT, a kind without containers, no new image. */
  SKIP;

  private final String wireName = name().toLowerCase(Locale.ROOT).replace('_', '-');

  /** {@code allow}, {@code deny}, {@code audit-deny}, {@code break-glass}, {@code exempt}, {@code skip}. */
  public String wireName() {
    return wireName;
  }

  /** Whether the decision log writes it as a warning: something failed, whether or not it was admitted. */
  public boolean warns() {
    return this == DENY || this == AUDIT_DENY || this == BREAK_GLASS;
  }
}
