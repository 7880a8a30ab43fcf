/**
 * Step "decision": judging each image (digest pin, registry allow-list, governing policies,
 * verdict) and turning the judgements into allow / deny / allow-with-warnings, with messages that
 * say what failed and how to fix it, audit annotations, and one JSON log line per decision.
 */
package dev.promgate.decision;
