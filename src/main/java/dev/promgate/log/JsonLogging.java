package dev.promgate.log;

import dev.promgate.json.Mappers;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import tools.jackson.core.JsonGenerator;

/**
 * Routes {@code java.util.logging} (which Vert.x and Netty use here) to JSON lines on standard
 * output, and offers {@link #line} for lines that are already JSON (the decision log).
 *
 * <p>Lines are handed to one writer thread through a bounded queue: writing to standard output is
 * blocking I/O, and a slow log collector must never stall the event loop that decides admissions.
 * The writer batches whatever is queued into one write. If the queue is full — the collector has
 * stopped reading — lines are dropped and counted ({@link #dropped()}), and the next line that gets
 * through says how many were lost.
 */
public final class JsonLogging {

  private static final int QUEUE = 65_536;
  private static final BlockingQueue<String> LINES = new ArrayBlockingQueue<>(QUEUE);
  private static final AtomicLong DROPPED = new AtomicLong();
  private static final AtomicLong REPORTED = new AtomicLong();
  private static final PrintStream OUT = new PrintStream(new BufferedOutputStream(
      new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);

  static {
    Thread writer = new Thread(JsonLogging::write, "promgate-log-writer");
    writer.setDaemon(true);
    writer.start();
    Runtime.getRuntime().addShutdownHook(new Thread(JsonLogging::drain, "promgate-log-flush"));
  }

  private JsonLogging() {}

  /** Replaces the JUL root handlers with one that writes JSON lines to standard output. */
  public static void install(Level level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler handler = new Handler() {
      private final JsonFormatter formatter = new JsonFormatter();

      @Override
      public void publish(LogRecord record) {
        if (isLoggable(record)) {
          enqueue(formatter.format(record).stripTrailing());
        }
      }

      @Override
      public void flush() {
        // the writer flushes whenever the queue runs empty
      }

      @Override
      public void close() {
        drain();
      }
    };
    handler.setLevel(level);
    root.addHandler(handler);
    root.setLevel(level);
    // Netty and Vert.x are chatty at FINE; keep them at INFO unless asked.
    Logger.getLogger("io.netty").setLevel(Level.INFO.intValue() < level.intValue() ? level : Level.INFO);
    // Vert.x registers its per-server connection gauge once per event loop; Micrometer warns about
    // the repeats, which says nothing an operator can act on.
    Logger.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.SEVERE);
  }

  /** Queues a line that is already a JSON object; never blocks. */
  public static void line(String json) {
    enqueue(json);
  }

  /** Lines lost because standard output was not drained fast enough. */
  public static long dropped() {
    return DROPPED.get();
  }

  private static void enqueue(String line) {
    if (!LINES.offer(line)) {
      DROPPED.incrementAndGet();
    }
  }

  private static void write() {
    List<String> batch = new ArrayList<>(256);
    while (true) {
      try {
        batch.add(LINES.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      LINES.drainTo(batch, 4096);
      writeBatch(batch);
      batch.clear();
    }
  }

  private static synchronized void writeBatch(List<String> batch) {
    long lost = DROPPED.get() - REPORTED.get();
    if (lost > 0) {
      REPORTED.addAndGet(lost);
      OUT.println("{\"level\":\"WARN\",\"msg\":\"" + lost + " log lines were dropped: standard output "
          + "was not read fast enough\"}");
    }
    for (String line : batch) {
      OUT.println(line);
    }
    OUT.flush();
  }

  /** Writes what is queued; at shutdown, so that the last decisions are not lost. */
  public static void drain() {
    List<String> rest = new ArrayList<>();
    LINES.drainTo(rest);
    writeBatch(rest);
  }

  static final class JsonFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringWriter w = new StringWriter(256);
      try (JsonGenerator g = Mappers.JSON.createGenerator(w)) {
        g.writeStartObject();
        g.writeStringProperty("time", r.getInstant().toString());
        g.writeStringProperty("level", level(r.getLevel()));
        g.writeStringProperty("logger", r.getLoggerName() == null ? "" : r.getLoggerName());
        g.writeStringProperty("msg", formatMessage(r));
        if (r.getThrown() != null) {
          g.writeStringProperty("error", r.getThrown().toString());
          Throwable cause = r.getThrown().getCause();
          if (cause != null) {
            g.writeStringProperty("cause", cause.toString());
          }
        }
        g.writeEndObject();
      }
      return w.append('\n').toString();
    }

    private static String level(Level level) {
      if (level.intValue() >= Level.SEVERE.intValue()) {
        return "ERROR";
      }
      if (level.intValue() >= Level.WARNING.intValue()) {
        return "WARN";
      }
      if (level.intValue() >= Level.INFO.intValue()) {
        return "INFO";
      }
      return "DEBUG";
    }
  }

}
