package dev.promgate.decision;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.promgate.judgement.Judgement;
import dev.promgate.verdict.RenderedEvidence;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One JSON line per decision: who asked for what, in which environment, under which policy
 * generation, what each image's verdict was and why, whether the cache answered, and how long it
 * took. This runs on an event loop for every request, so the line is streamed straight into UTF-8
 * bytes — no tree, no intermediate string — and each image's evidence comes rendered with its
 * verdict ({@link RenderedEvidence#texts()}).
 */
public final class DecisionLog {

  private static final JsonFactory JSON = new JsonFactory();
  private final Consumer<byte[]> sink;

  /** @param sink receives each line as text (a list in tests) */
  public DecisionLog(Consumer<String> sink) {
    this(bytes -> sink.accept(new String(bytes, StandardCharsets.UTF_8)), true);
  }

  private DecisionLog(Consumer<byte[]> sink, boolean utf8) {
    this.sink = sink;
  }

  /** @param sink receives each line as UTF-8 bytes, which it may keep (standard output in the server) */
  public static DecisionLog utf8(Consumer<byte[]> sink) {
    return new DecisionLog(sink, true);
  }

  public void record(Decision d, Instant at, Duration took) {
    sink.accept(bytes(d, at, took));
  }

  static String line(Decision d, Instant at, Duration took) {
    return new String(bytes(d, at, took), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(Decision d, Instant at, Duration took) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("time", Times.iso(at));
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
        RenderedEvidence evidence = j.rendered();
        if (!evidence.isEmpty()) {
          g.writeArrayFieldStart("evidence");
          for (String text : evidence.texts()) {
            g.writeString(text);
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
    return out.toByteArray();
  }
}
