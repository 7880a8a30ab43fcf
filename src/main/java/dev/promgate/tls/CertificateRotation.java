package dev.promgate.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps a running server's certificate in step with its folder, without a restart.
 *
 * <p>Polling, not a file watcher: Kubernetes updates a mounted secret by swapping a {@code ..data}
 * symlink, so watch events never name {@code tls.crt} or {@code tls.key}, and editors and
 * cert-manager replace files in other ways again. Every interval the two files are read (on a
 * worker thread) and fingerprinted; only changed content is parsed and checked, and only a pair
 * that passes {@link ServingCertificate}'s checks is handed to {@link HttpServer#updateSSLOptions}.
 * Connections already open keep their certificate; new ones get the new one.
 *
 * <p>A pair that fails (half replaced, key not matching, expired) leaves the server on the last
 * good certificate. The listener hears of each rotation and of each new failure once, not at every
 * tick while the files stay broken.
 */
public final class CertificateRotation {

  /** What a check found. */
  public enum Change { UNCHANGED, ROTATED, FAILED }

  /**
   * @param change      what happened
   * @param certificate the certificate the server uses after the check
   * @param problem     for {@link Change#FAILED}, why the files on disk were not used; else null
   */
  public record Outcome(Change change, ServingCertificate certificate, String problem) {}

  private final Vertx vertx;
  /** Hands a certificate to the server (to each of its instances); true when taken. */
  private final Function<ServerSSLOptions, Future<Boolean>> update;
  private final Path directory;
  private final Consumer<Outcome> listener;
  private volatile ServingCertificate current;
  private long timer = -1;
  /** Guarded by this: the check in progress, shared by concurrent callers. */
  private Future<Outcome> inFlight;
  /** Guarded by this: the last failure told to the listener, so it hears each one once. */
  private String lastReportedProblem;

  private CertificateRotation(Vertx vertx, Function<ServerSSLOptions, Future<Boolean>> update,
      ServingCertificate current, Consumer<Outcome> listener) {
    this.vertx = vertx;
    this.update = update;
    this.directory = current.directory();
    this.current = current;
    this.listener = listener;
  }

  /**
   * Checks {@code current}'s folder every {@code interval} and rotates {@code server} to the
   * files found there when they change and pass the checks.
   *
   * @param listener told of rotations and new failures (not of unchanged checks), to log them
   */
  public static CertificateRotation start(Vertx vertx, HttpServer server, ServingCertificate current,
      Duration interval, Consumer<Outcome> listener) {
    return start(vertx, options -> server.updateSSLOptions(options, true), current, interval, listener);
  }

  /**
   * Like {@link #start(Vertx, HttpServer, ServingCertificate, Duration, Consumer)}, for a server of
   * several instances (one per event loop): {@code update} hands the certificate to all of them.
   */
  public static CertificateRotation start(Vertx vertx, Function<ServerSSLOptions, Future<Boolean>> update,
      ServingCertificate current, Duration interval, Consumer<Outcome> listener) {
    Objects.requireNonNull(listener, "listener");
    if (interval.isNegative() || interval.toMillis() < 1) {
      throw new IllegalArgumentException("check interval must be at least 1 ms, was " + interval);
    }
    CertificateRotation rotation = new CertificateRotation(vertx, update, current, listener);
    rotation.timer = vertx.setPeriodic(interval.toMillis(), id -> rotation.checkNow());
    return rotation;
  }

  /** Checks the folder now; the future never fails, a problem is an {@link Change#FAILED} outcome. */
  public synchronized Future<Outcome> checkNow() {
    if (inFlight == null) {
      inFlight = vertx.executeBlocking(this::readFolder)
          .compose(this::apply)
          .andThen(done -> {
            synchronized (this) {
              inFlight = null;
            }
          });
    }
    return inFlight;
  }

  /** The certificate the server uses now. */
  public ServingCertificate current() {
    return current;
  }

  /** Stops the periodic checks; the server keeps its current certificate. */
  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** Runs on a worker: the candidate pair, or null when the files are the current ones. */
  private Candidate readFolder() {
    ServingCertificate serving = current;
    try {
      byte[] certificatePem = ServingCertificate.read(directory.resolve(ServingCertificate.CERTIFICATE_FILE));
      byte[] keyPem = ServingCertificate.read(directory.resolve(ServingCertificate.KEY_FILE));
      if (ServingCertificate.fingerprint(certificatePem, keyPem).equals(serving.fingerprint())) {
        return null;
      }
      return new Candidate(ServingCertificate.fromBytes(directory, certificatePem, keyPem, Instant.now()), null);
    } catch (CertificateFilesException e) {
      return new Candidate(null, e.getMessage());
    }
  }

  private record Candidate(ServingCertificate certificate, String problem) {}

  private Future<Outcome> apply(Candidate candidate) {
    if (candidate == null) {
      synchronized (this) {
        lastReportedProblem = null;
      }
      return Future.succeededFuture(new Outcome(Change.UNCHANGED, current, null));
    }
    if (candidate.problem() != null) {
      return Future.succeededFuture(failed(candidate.problem()));
    }
    ServingCertificate next = candidate.certificate();
    return update.apply(next.serverSslOptions())
        .map(updated -> {
          current = next;
          synchronized (this) {
            lastReportedProblem = null;
          }
          Outcome outcome = new Outcome(Change.ROTATED, next, null);
          listener.accept(outcome);
          return outcome;
        })
        .recover(e -> Future.succeededFuture(
            failed("the server did not accept the new certificate from " + directory + ": " + Pem.describe(e))));
  }

  private Outcome failed(String problem) {
    Outcome outcome = new Outcome(Change.FAILED, current, problem);
    boolean news;
    synchronized (this) {
      news = !problem.equals(lastReportedProblem);
      lastReportedProblem = problem;
    }
    if (news) {
      listener.accept(outcome);
    }
    return outcome;
  }
}
