package dev.promgate.registry;

import io.vertx.core.MultiMap;

/**
 * One HTTP answer: status, headers, the body (capped: cut off when over the endpoint's limit for
 * success answers, truncated for error answers), and the URL that gave it (after redirects).
 */
record Response(int status, MultiMap headers, byte[] body, String url) {

  String header(String name) {
    return headers.get(name);
  }

  boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  boolean isRedirect() {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
}
