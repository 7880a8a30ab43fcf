/**
 * Step "decision": combines the judgements of a request's images into allow / deny /
 * allow-with-warnings ({@link dev.promgate.decision.Outcome}), applies a break-glass annotation
 * where the GateConfig allows it, and renders the result: a message that says what failed and how
 * to fix it, warnings, audit annotations, and one JSON log line per decision. It judges nothing
 * itself: that is {@link dev.promgate.judgement}.
 */
package dev.promgate.decision;
