package dev.promgate.decision;

import dev.promgate.json.Mappers;
import dev.promgate.judgement.Judgement;
import dev.promgate.policy.Mode;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.RenderedEvidence;
import dev.promgate.workload.ContainerImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.SerializedString;

/**
 * One JSON line per decision: who asked for what, in which environment, under which policy
 * generation, what each image's verdict was and why, whether the cache answered, and how long it
 * took. This runs on an event loop for every request, so the line is streamed straight into UTF-8
 * bytes — no tree, no intermediate string — and each image's evidence comes rendered, escaped
 * and encoded with its verdict ({@link RenderedEvidence#writeTexts}).
 */
public final class DecisionLog {

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

  /** Lines are written into a buffer kept per thread (an event loop), then copied out once. */
  private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);
  /** A buffer that grew past this for an unusual line is not kept. */
  private static final int KEPT_BUFFER = 64 * 1024;

  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(4096);
    }

    int capacity() {
      return buf.length;
    }
  }

  private static byte[] bytes(Decision d, Instant at, Duration took) {
    Buffer out = BUFFERS.get();
    out.reset();
    try {
      write(out, d, at, took);
      return out.toByteArray();
    } finally {
      if (out.capacity() > KEPT_BUFFER) {
        BUFFERS.remove();
      }
    }
  }

  // Field names, quoted and encoded once.
  private static final SerializedString ALLOWED = new SerializedString("allowed");
  private static final SerializedString BREAK_GLASS_IGNORED = new SerializedString("breakGlassIgnored");
  private static final SerializedString BREAK_GLASS_REASON = new SerializedString("breakGlassReason");
  private static final SerializedString CACHE = new SerializedString("cache");
  private static final SerializedString CONTAINER = new SerializedString("container");
  private static final SerializedString DECISION = new SerializedString("decision");
  private static final SerializedString DIGEST = new SerializedString("digest");
  private static final SerializedString DRY_RUN = new SerializedString("dryRun");
  private static final SerializedString DURATION_MS = new SerializedString("durationMs");
  private static final SerializedString ENVIRONMENT = new SerializedString("environment");
  private static final SerializedString EVIDENCE = new SerializedString("evidence");
  private static final SerializedString FIELD = new SerializedString("field");
  private static final SerializedString IMAGE = new SerializedString("image");
  private static final SerializedString IMAGES = new SerializedString("images");
  private static final SerializedString KIND = new SerializedString("kind");
  private static final SerializedString LEVEL = new SerializedString("level");
  private static final SerializedString MODE = new SerializedString("mode");
  private static final SerializedString MSG = new SerializedString("msg");
  private static final SerializedString NAME = new SerializedString("name");
  private static final SerializedString NAMESPACE = new SerializedString("namespace");
  private static final SerializedString OPERATION = new SerializedString("operation");
  private static final SerializedString POLICY_GENERATION = new SerializedString("policyGeneration");
  private static final SerializedString REASON = new SerializedString("reason");
  private static final SerializedString REASONS = new SerializedString("reasons");
  private static final SerializedString SUB_RESOURCE = new SerializedString("subResource");
  private static final SerializedString TIME = new SerializedString("time");
  private static final SerializedString UID = new SerializedString("uid");
  private static final SerializedString USER = new SerializedString("user");
  private static final SerializedString VERDICT = new SerializedString("verdict");

  private static void write(ByteArrayOutputStream out, Decision d, Instant at, Duration took) {
    try (JsonGenerator g = Mappers.JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      string(g, TIME, Times.iso(at));
      string(g, LEVEL, d.outcome().warns() ? "WARN" : "INFO");
      string(g, MSG, "decision");
      string(g, UID, d.call().uid());
      string(g, NAMESPACE, d.call().namespace());
      string(g, KIND, d.call().qualifiedKind());
      string(g, NAME, d.call().name());
      string(g, OPERATION, d.call().operation());
      if (!d.call().subResource().isEmpty()) {
        string(g, SUB_RESOURCE, d.call().subResource());
      }
      string(g, USER, d.call().user());
      if (d.call().dryRun()) {
        g.writeName(DRY_RUN);
        g.writeBoolean(true);
      }
      string(g, ENVIRONMENT, d.environment());
      g.writeName(POLICY_GENERATION);
      g.writeNumber(d.generation());
      string(g, DECISION, d.outcome().wireName());
      g.writeName(ALLOWED);
      g.writeBoolean(d.allowed());
      if (d.images().isEmpty() && !d.message().isEmpty()) {
        string(g, REASON, d.message());
      }
      if (d.annotations().containsKey("break-glass-reason")) {
        string(g, BREAK_GLASS_REASON, d.annotations().get("break-glass-reason"));
      }
      if (d.annotations().containsKey("break-glass-ignored")) {
        string(g, BREAK_GLASS_IGNORED, d.annotations().get("break-glass-ignored"));
      }
      g.writeName(IMAGES);
      g.writeStartArray();
      for (ImageResult r : d.images()) {
        RenderedEvidence evidence = r.judgement().rendered();
        if (evidence.isEmpty()) {
          writeImage(g, r);
        } else {
          // The same workload decided from a cached verdict logs the same bytes for this image.
          SerializedString fragment = evidence.logFragment(new Logged(r.container(), r.judgement().status(),
              r.judgement().mode(), r.judgement().cache(), r.judgement().problems()), key -> imageJson(r));
          g.writeRawValue(fragment);
        }
      }
      g.writeEndArray();
      g.writeName(DURATION_MS);
      g.writeNumber(milliseconds(took));
      g.writeEndObject();
    }
  }

  /** What an image's log fragment shows besides its evidence (the digest is in the image). */
  private record Logged(ContainerImage container, Judgement.Status status, Mode mode, CacheSource cache,
                        List<String> problems) {}

  private static SerializedString imageJson(ImageResult r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = Mappers.JSON.createGenerator(out, JsonEncoding.UTF8)) {
      writeImage(g, r);
    }
    return new SerializedString(out.toString(StandardCharsets.UTF_8));
  }

  private static void writeImage(JsonGenerator g, ImageResult r) {
    Judgement j = r.judgement();
    g.writeStartObject();
    string(g, CONTAINER, r.container().container());
    string(g, FIELD, r.container().fieldPath());
    string(g, IMAGE, r.container().image());
    if (j.digest().isPresent()) {
      string(g, DIGEST, j.digest().get().toString());
    }
    string(g, VERDICT, j.status().wireName());
    string(g, MODE, j.mode().wireName());
    string(g, CACHE, j.cache().wireName());
    if (!j.problems().isEmpty()) {
      g.writeName(REASONS);
      g.writeStartArray();
      for (String p : j.problems()) {
        g.writeString(p);
      }
      g.writeEndArray();
    }
    RenderedEvidence evidence = j.rendered();
    if (!evidence.isEmpty()) {
      g.writeName(EVIDENCE);
      g.writeStartArray();
      evidence.writeTexts(g);
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void string(JsonGenerator g, SerializedString name, String value) {
    g.writeName(name);
    g.writeString(value);
  }

  /** Milliseconds with up to six decimals, as a JSON number's text: {@code 0.125}, {@code 12}. */
  static String milliseconds(Duration took) {
    long micros = Math.max(0, took.toNanos() / 1_000);
    long whole = micros / 1_000;
    int fraction = (int) (micros % 1_000);
    if (fraction == 0) {
      return Long.toString(whole);
    }
    String digits = Integer.toString(fraction + 1_000).substring(1);
    int end = digits.length();
    while (digits.charAt(end - 1) == '0') {
      end--;
    }
    return whole + "." + digits.substring(0, end);
  }
}
