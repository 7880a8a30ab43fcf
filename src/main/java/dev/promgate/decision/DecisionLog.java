package dev.promgate.decision;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.promgate.judgement.Judgement;
import dev.promgate.verdict.Evidence;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One JSON line per decision: who asked for what, in which environment, under which policy
 * generation, what each image's verdict was and why, whether the cache answered, and how long it
 * took. Written with a streaming generator: this runs on the event loop for every request.
 */
public final class DecisionLog {

  private static final JsonFactory JSON = new JsonFactory();
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
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", at.toString());
      g.writeStringField("level", d.outcome().warns() ? "WARN" : "INFO");
      g.writeStringField("msg", "decision");
      g.writeStringField("uid", d.call().uid());
      g.writeStringField("namespace", d.call().namespace());
      g.writeStringField("kind", d.call().qualifiedKind());
      g.writeStringField("name", d.call().name());
      g.writeStringField("operation", d.call().operation());
      if (!d.call().subResource().isEmpty()) {
        g.writeStringField("subResource", d.call().subResource());
      }
      g.writeStringField("user", d.call().user());
      if (d.call().dryRun()) {
        g.writeBooleanField("dryRun", true);
      }
      g.writeStringField("environment", d.environment());
      g.writeNumberField("policyGeneration", d.generation());
      g.writeStringField("decision", d.outcome().wireName());
      g.writeBooleanField("allowed", d.allowed());
      if (d.images().isEmpty() && !d.message().isEmpty()) {
        g.writeStringField("reason", d.message());
      }
      if (d.annotations().containsKey("break-glass-reason")) {
        g.writeStringField("breakGlassReason", d.annotations().get("break-glass-reason"));
      }
      if (d.annotations().containsKey("break-glass-ignored")) {
        g.writeStringField("breakGlassIgnored", d.annotations().get("break-glass-ignored"));
      }
      g.writeArrayFieldStart("images");
      for (ImageResult r : d.images()) {
        Judgement j = r.judgement();
        g.writeStartObject();
        g.writeStringField("container", r.container().container());
        g.writeStringField("field", r.container().fieldPath());
        g.writeStringField("image", r.container().image());
        if (j.digest().isPresent()) {
          g.writeStringField("digest", j.digest().get().toString());
        }
        g.writeStringField("verdict", j.status().wireName());
        g.writeStringField("mode", j.mode().wireName());
        g.writeStringField("cache", j.cache().wireName());
        if (!j.problems().isEmpty()) {
          g.writeArrayFieldStart("reasons");
          for (String p : j.problems()) {
            g.writeString(p);
          }
          g.writeEndArray();
        }
        if (!j.evidence().isEmpty()) {
          g.writeArrayFieldStart("evidence");
          for (Evidence e : j.evidence()) {
            g.writeString(e.text());
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("durationMs", took.toNanos() / 1_000_000.0);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
