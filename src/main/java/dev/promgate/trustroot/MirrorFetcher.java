package dev.promgate.trustroot;

import dev.promgate.registry.ForbiddenAddresses;
import dev.sigstore.tuf.FileExceedsMaxLengthException;
import dev.sigstore.tuf.Fetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches TUF metadata and targets from one mirror for sigstore-java's TUF client, with what the
 * client's own fetcher lacks: a time budget per request, no redirects (a redirect could lead to a
 * host the GateConfig does not allow), the caller's TLS settings (the GateConfig's {@code caFile}
 * for a private mirror), and the same refusal as for registries: a mirror host that resolves to a
 * link-local, cloud metadata, unspecified or multicast address is not contacted, whatever the
 * GateConfig lists ({@link ForbiddenAddresses}). The JDK's HTTP client looks the name up again when
 * it connects; both lookups go through the JVM's address cache, so they get the same answer.
 * Sizes are capped by the lengths TUF metadata declares.
 */
final class MirrorFetcher implements Fetcher {

  /** Looks a host name up: the JVM's resolver, a fixed table in tests. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;

    Resolver SYSTEM = InetAddress::getAllByName;
  }

  private final HttpClient http;
  private final URI base;
  private final Duration timeout;
  private final Resolver resolver;

  /** @param base the directory URL the file names are resolved against; ends with a slash */
  MirrorFetcher(HttpClient http, URI base, Duration timeout, Resolver resolver) {
    this.http = http;
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    this.timeout = timeout;
    this.resolver = resolver;
  }

  @Override
  public String getSource() {
    return base.toString();
  }

  /** @return the file's bytes, or null when the mirror does not have it (404) */
  @Override
  public byte[] fetchResource(String filename, int maxLength) throws IOException, FileExceedsMaxLengthException {
    URI uri = base.resolve(filename);
    refuseForbiddenAddresses(uri);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + uri, e);
    }
    try (InputStream body = response.body()) {
      if (response.statusCode() == 404) {
        return null;
      }
      if (response.statusCode() / 100 == 3) {
        throw new IOException("the mirror answered " + response.statusCode() + " (a redirect"
            + response.headers().firstValue("Location").map(to -> " to " + abbreviate(to)).orElse("")
            + ") for " + uri + "; promgate does not follow a mirror's redirects: it must serve its files itself");
      }
      if (response.statusCode() != 200) {
        throw new IOException("the mirror answered " + response.statusCode() + " for " + uri);
      }
      byte[] bytes = body.readNBytes(maxLength);
      if (bytes.length == maxLength && body.read() != -1) {
        throw new FileExceedsMaxLengthException(uri.toString(), maxLength);
      }
      return bytes;
    }
  }

  /** Refuses a mirror whose host resolves to an address promgate never connects to. */
  private void refuseForbiddenAddresses(URI uri) throws IOException {
    String host = uri.getHost();
    String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    for (InetAddress address : resolver.resolve(name)) {
      java.util.Optional<String> why = ForbiddenAddresses.why(address);
      if (why.isPresent()) {
        throw new IOException("the TUF mirror host " + name + " resolves to " + address.getHostAddress() + ", "
            + why.get() + "; promgate never connects there, whatever spec.trustedRootMirrors lists");
      }
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 197) + "...";
  }
}
