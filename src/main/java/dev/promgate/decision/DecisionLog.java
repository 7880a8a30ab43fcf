package dev.promgate.decision;

import dev.promgate.json.Mappers;
import dev.promgate.judgement.Judgement;
import dev.promgate.verdict.Evidence;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;

/**
 * One JSON line per decision: who asked for what, in which environment, under which policy
 * generation, what each image's verdict was and why, whether the cache answered, and how long it
 * took. Written with a streaming generator: this runs on the event loop for every request.
 */
public final class DecisionLog {

  private final Consumer<String> sink;

  /** @param sink receives each line (stdout in the server; a list in tests) */
  public DecisionLog(Consumer<String> sink) {
    this.sink = sink;
  }

  public void record(Decision d, Instant at, Duration took) {
    sink.accept(line(d, at, took));
  }

  static String line(Decision d, Instant at, Duration took) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = Mappers.JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringProperty("time", at.toString());
      g.writeStringProperty("level", d.outcome().warns() ? "WARN" : "INFO");
      g.writeStringProperty("msg", "decision");
      g.writeStringProperty("uid", d.call().uid());
      g.writeStringProperty("namespace", d.call().namespace());
      g.writeStringProperty("kind", d.call().qualifiedKind());
      g.writeStringProperty("name", d.call().name());
      g.writeStringProperty("operation", d.call().operation());
      if (!d.call().subResource().isEmpty()) {
        g.writeStringProperty("subResource", d.call().subResource());
      }
      g.writeStringProperty("user", d.call().user());
      if (d.call().dryRun()) {
        g.writeBooleanProperty("dryRun", true);
      }
      g.writeStringProperty("environment", d.environment());
      g.writeNumberProperty("policyGeneration", d.generation());
      g.writeStringProperty("decision", d.outcome().wireName());
      g.writeBooleanProperty("allowed", d.allowed());
      if (d.images().isEmpty() && !d.message().isEmpty()) {
        g.writeStringProperty("reason", d.message());
      }
      if (d.annotations().containsKey("break-glass-reason")) {
        g.writeStringProperty("breakGlassReason", d.annotations().get("break-glass-reason"));
      }
      if (d.annotations().containsKey("break-glass-ignored")) {
        g.writeStringProperty("breakGlassIgnored", d.annotations().get("break-glass-ignored"));
      }
      g.writeArrayPropertyStart("images");
      for (ImageResult r : d.images()) {
        Judgement j = r.judgement();
        g.writeStartObject();
        g.writeStringProperty("container", r.container().container());
        g.writeStringProperty("field", r.container().fieldPath());
        g.writeStringProperty("image", r.container().image());
        if (j.digest().isPresent()) {
          g.writeStringProperty("digest", j.digest().get().toString());
        }
        g.writeStringProperty("verdict", j.status().wireName());
        g.writeStringProperty("mode", j.mode().wireName());
        g.writeStringProperty("cache", j.cache().wireName());
        if (!j.problems().isEmpty()) {
          g.writeArrayPropertyStart("reasons");
          for (String p : j.problems()) {
            g.writeString(p);
          }
          g.writeEndArray();
        }
        if (!j.evidence().isEmpty()) {
          g.writeArrayPropertyStart("evidence");
          for (Evidence e : j.evidence()) {
            g.writeString(e.text());
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberProperty("durationMs", took.toNanos() / 1_000_000.0);
      g.writeEndObject();
    }
    return out.toString();
  }
}
