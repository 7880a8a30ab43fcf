package dev.promgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a registry (loopback, an ephemeral port) that passes requests through at
 * once and, while {@link #hold() held}, keeps the registry's answers back until {@link #release()}:
 * a registry that stalls for exactly as long as a test wants, with no timing involved.
 */
public final class StallingProxy implements AutoCloseable {

  private final InetSocketAddress upstream;
  private final ServerSocket listener;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private boolean held;
  private int waiting;

  public StallingProxy(String upstreamHostAndPort) throws IOException {
    int colon = upstreamHostAndPort.lastIndexOf(':');
    this.upstream = new InetSocketAddress(upstreamHostAndPort.substring(0, colon),
        Integer.parseInt(upstreamHostAndPort.substring(colon + 1)));
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "stalling-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** {@code 127.0.0.1:port}, for image references and the GateConfig. */
  public String host() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  /** From now on, answers wait until {@link #release()}. */
  public synchronized void hold() {
    held = true;
  }

  /** Lets every held answer, and all later ones, through. */
  public synchronized void release() {
    held = false;
    notifyAll();
  }

  /** How many answers are being kept back now. */
  public synchronized int heldAnswers() {
    return waiting;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket registry = new Socket();
        registry.connect(upstream);
        open.add(client);
        open.add(registry);
        pump(client, registry, false);
        pump(registry, client, true);
      } catch (IOException e) {
        // closed, or the registry refused: the client sees its connection end
      }
    }
  }

  private void pump(Socket from, Socket to, boolean answers) {
    Thread t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        byte[] buffer = new byte[16384];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (answers) {
            awaitRelease();
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // a side closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close(from);
        close(to);
      }
    }, answers ? "stalling-proxy-answers" : "stalling-proxy-requests");
    t.setDaemon(true);
    t.start();
  }

  private synchronized void awaitRelease() throws InterruptedException {
    if (!held) {
      return;
    }
    waiting++;
    try {
      while (held) {
        wait();
      }
    } finally {
      waiting--;
    }
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }

  @Override
  public void close() {
    release();
    close(listener);
    open.forEach(StallingProxy::close);
  }

  private static void close(ServerSocket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
