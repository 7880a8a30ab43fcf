package dev.promgate.trustroot;

import dev.sigstore.tuf.FileExceedsMaxLengthException;
import dev.sigstore.tuf.Fetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches TUF metadata and targets from one mirror for sigstore-java's TUF client, with what the
 * client's own fetcher lacks: a time budget per request, no redirects (a redirect could lead to a
 * host the GateConfig does not allow), and the caller's TLS settings (the GateConfig's
 * {@code caFile} for a private mirror). Sizes are capped by the lengths TUF metadata declares.
 */
final class MirrorFetcher implements Fetcher {

  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  /** @param base the directory URL the file names are resolved against; ends with a slash */
  MirrorFetcher(HttpClient http, URI base, Duration timeout) {
    this.http = http;
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    this.timeout = timeout;
  }

  @Override
  public String getSource() {
    return base.toString();
  }

  /** @return the file's bytes, or null when the mirror does not have it (404) */
  @Override
  public byte[] fetchResource(String filename, int maxLength) throws IOException, FileExceedsMaxLengthException {
    URI uri = base.resolve(filename);
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
}
