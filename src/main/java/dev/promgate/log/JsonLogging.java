package dev.promgate.log;

import dev.promgate.json.Mappers;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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
 * blocking I/O, and a slow log collector must never stall the event loops that decide admissions.
 * The queue takes no lock — every event loop logs each decision through it — and the writer is
 * woken only when it has gone to sleep on an empty queue. The writer batches whatever is queued into
 * one write. If the queue is full — the collector has stopped reading — lines are dropped and
 * counted ({@link #dropped()}), and the next line that gets through says how many were lost.
 */
public final class JsonLogging {

  private static final int QUEUE = 65_536;
  private static final ConcurrentLinkedQueue<byte[]> LINES = new ConcurrentLinkedQueue<>();
  /** Lines queued and not yet written: the queue's bound (a linked queue does not count cheaply). */
  private static final AtomicInteger QUEUED = new AtomicInteger();
  /** Set by the writer before it parks on an empty queue; the first producer to see it wakes it. */
  private static final AtomicBoolean SLEEPING = new AtomicBoolean();
  private static final AtomicLong DROPPED = new AtomicLong();
  private static final AtomicLong REPORTED = new AtomicLong();
  private static final OutputStream OUT = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
  private static final Thread WRITER = new Thread(JsonLogging::write, "promgate-log-writer");

  static {
    WRITER.setDaemon(true);
    WRITER.start();
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
          enqueue(formatter.format(record).stripTrailing().getBytes(StandardCharsets.UTF_8));
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
    enqueue(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Queues a line that is already a JSON object in UTF-8 (not to be changed afterwards); never blocks. */
  public static void line(byte[] json) {
    enqueue(json);
  }

  /** Lines lost because standard output was not drained fast enough. */
  public static long dropped() {
    return DROPPED.get();
  }

  private static void enqueue(byte[] line) {
    if (QUEUED.incrementAndGet() > QUEUE) {
      QUEUED.decrementAndGet();
      DROPPED.incrementAndGet();
      return;
    }
    LINES.offer(line);
    if (SLEEPING.get() && SLEEPING.compareAndSet(true, false)) {
      LockSupport.unpark(WRITER);
    }
  }

  private static void write() {
    List<byte[]> batch = new ArrayList<>(256);
    while (!Thread.currentThread().isInterrupted()) {
      take(batch);
      if (batch.isEmpty()) {
        SLEEPING.set(true);
        // A line queued after the check above finds SLEEPING set and wakes the writer; the timeout
        // only guards against a wake-up lost to a spurious one.
        if (LINES.isEmpty()) {
          LockSupport.parkNanos(100_000_000L);
        }
        SLEEPING.set(false);
        continue;
      }
      writeBatch(batch);
      batch.clear();
    }
  }

  private static void take(List<byte[]> batch) {
    byte[] line;
    while (batch.size() < 4096 && (line = LINES.poll()) != null) {
      batch.add(line);
    }
    QUEUED.addAndGet(-batch.size());
  }

  private static synchronized void writeBatch(List<byte[]> batch) {
    try {
      long lost = DROPPED.get() - REPORTED.get();
      if (lost > 0) {
        REPORTED.addAndGet(lost);
        OUT.write(("{\"level\":\"WARN\",\"msg\":\"" + lost + " log lines were dropped: standard output "
            + "was not read fast enough\"}\n").getBytes(StandardCharsets.UTF_8));
      }
      for (byte[] line : batch) {
        OUT.write(line);
        OUT.write('\n');
      }
      OUT.flush();
    } catch (IOException e) {
      // Standard output is gone; there is nowhere left to say so.
    }
  }

  /** Writes what is queued; at shutdown, so that the last decisions are not lost. */
  public static void drain() {
    List<byte[]> rest = new ArrayList<>();
    take(rest);
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
