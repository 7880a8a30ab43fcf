package dev.promgate.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Routes {@code java.util.logging} (which Vert.x and Netty use here) to JSON lines on standard
 * output, and offers {@link #line} for lines that are already JSON (the decision log).
 */
public final class JsonLogging {

  private static final JsonFactory JSON = new JsonFactory();
  private static final Object LOCK = new Object();
  private static volatile PrintStream out = System.out;

  private JsonLogging() {}

  /** Replaces the JUL root handlers with one that writes JSON lines to standard output. */
  public static void install(Level level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler handler = new StreamHandler(System.out, new JsonFormatter()) {
      @Override
      public synchronized void publish(LogRecord record) {
        super.publish(record);
        flush();
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

  /** Writes a line that is already a JSON object. */
  public static void line(String json) {
    synchronized (LOCK) {
      out.println(json);
    }
  }

  static final class JsonFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringWriter w = new StringWriter(256);
      try (JsonGenerator g = JSON.createGenerator(w)) {
        g.writeStartObject();
        g.writeStringField("time", r.getInstant().toString());
        g.writeStringField("level", level(r.getLevel()));
        g.writeStringField("logger", r.getLoggerName() == null ? "" : r.getLoggerName());
        g.writeStringField("msg", formatMessage(r));
        if (r.getThrown() != null) {
          g.writeStringField("error", r.getThrown().toString());
          Throwable cause = r.getThrown().getCause();
          if (cause != null) {
            g.writeStringField("cause", cause.toString());
          }
        }
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
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
