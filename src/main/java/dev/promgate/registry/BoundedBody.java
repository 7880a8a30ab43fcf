package dev.promgate.registry;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * The body of one HTTP exchange, read with a cap and never buffered past it.
 *
 * <p>It is the exchange's {@link BodyCodec} (so WebClient streams the response into it chunk by
 * chunk) and, through {@link #INTERCEPTOR}, it also sees the underlying request and response
 * before the body flows. That lets it refuse a success answer whose {@code Content-Length} is over
 * the cap without reading a byte, cut an endless or oversized body off at the cap by resetting the
 * connection, and abort a request whose time is up (a slow drip is not an idle connection, so the
 * WebClient idle timeout alone would not catch it).
 *
 * <p>Error and redirect answers are read up to {@link #ERROR_BODY_CAP} and then truncated rather
 * than failed: their body is only parsed for a distribution error code.
 *
 * <p>All methods run on the exchange's context thread; the fields are volatile only because the
 * interceptor and the codec are reached through WebClient.
 */
final class BoundedBody implements BodyCodec<Buffer>, BodyStream<Buffer> {

  static final int ERROR_BODY_CAP = 64 * 1024;

  /** Installed once on every WebClient promgate creates; a no-op for other codecs. */
  static final Handler<HttpContext<?>> INTERCEPTOR = BoundedBody::intercept;

  enum Cut { NONE, TOO_LARGE, TRUNCATED, ABORTED }

  private final long cap;
  private final Buffer data = Buffer.buffer();
  private final Promise<Buffer> result = Promise.promise();
  private volatile HttpClientRequest request;
  private volatile int status;
  private volatile MultiMap headers;
  private volatile Cut cut = Cut.NONE;

  BoundedBody(long cap) {
    this.cap = cap;
  }

  private static void intercept(HttpContext<?> ctx) {
    if (ctx.request().bodyCodec() instanceof BoundedBody body) {
      if (ctx.phase() == ClientPhase.SEND_REQUEST) {
        body.sending(ctx.clientRequest());
      } else if (ctx.phase() == ClientPhase.RECEIVE_RESPONSE) {
        if (!body.receiving(ctx.clientResponse())) {
          ctx.fail(new IllegalStateException("response body over its cap"));
          return;
        }
      }
    }
    ctx.next();
  }

  private void sending(HttpClientRequest r) {
    request = r;
    if (cut == Cut.ABORTED) {
      r.reset();
    }
  }

  /** False when the answer is refused before its body is read. */
  private boolean receiving(HttpClientResponse response) {
    status = response.statusCode();
    headers = response.headers();
    long declaredLength = -1;
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      try {
        declaredLength = Long.parseLong(length.trim());
      } catch (NumberFormatException ignored) {
        // an unparseable length is no promise; the cap still applies while reading
      }
    }
    boolean head = response.request().getMethod() == HttpMethod.HEAD;
    if (isSuccess() && !head && declaredLength > cap) {
      response.exceptionHandler(ignored -> { });
      cutOff(Cut.TOO_LARGE);
      return false;
    }
    return true;
  }

  private boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  /** Stops the exchange: its time is up. */
  void abort() {
    cutOff(Cut.ABORTED);
  }

  private void cutOff(Cut why) {
    if (cut == Cut.NONE) {
      cut = why;
    }
    HttpClientRequest r = request;
    if (r != null) {
      r.reset();
    }
  }

  Cut cut() {
    return cut;
  }

  int status() {
    return status;
  }

  MultiMap headers() {
    return headers;
  }

  byte[] bytes() {
    return data.getBytes();
  }

  // BodyCodec

  @Override
  public BodyStream<Buffer> stream() {
    return this;
  }

  // BodyStream

  @Override
  public Future<Buffer> result() {
    return result.future();
  }

  @Override
  public void handle(Throwable failure) {
    result.tryFail(failure);
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    if (cut != Cut.NONE) {
      return Future.failedFuture("response body cut off");
    }
    long limit = isSuccess() ? cap : ERROR_BODY_CAP;
    if (data.length() + (long) chunk.length() > limit) {
      if (isSuccess()) {
        cutOff(Cut.TOO_LARGE);
      } else {
        data.appendBuffer(chunk, 0, (int) (limit - data.length()));
        cutOff(Cut.TRUNCATED);
      }
      return Future.failedFuture("response body over its cap");
    }
    data.appendBuffer(chunk);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    result.tryComplete(data);
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    return this;
  }
}
