package dev.promgate.policy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a file that promgate takes as certificates — a webhook {@code caBundle}, a registry
 * {@code caFile} — and refuses anything else in it. A CA bundle is published: it goes into a
 * cluster-wide webhook configuration or a trust store, so a private key that slipped into it
 * (a {@code tls.key} passed for {@code ca.crt}) would be handed to everyone who can read it. Only
 * {@code CERTIFICATE} blocks are accepted; a block of any other type is refused with its line and
 * type, and a private key is called what it is.
 */
public final class PemCertificates {

  private static final Pattern BEGIN = Pattern.compile("^-----BEGIN ([A-Z0-9 ]+)-----\\s*$", Pattern.MULTILINE);
  private static final Pattern END = Pattern.compile("^-----END ([A-Z0-9 ]+)-----\\s*$", Pattern.MULTILINE);

  private PemCertificates() {}

  /** Why a certificates file was refused; the message names the file and, where it can, the line. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /**
   * The certificates of a PEM file, in file order.
   *
   * @param display how to name the file in a message (the path as the user gave it)
   * @throws Invalid when the file is empty, not PEM, holds a block other than CERTIFICATE (a private
   *                 key above all), or a certificate that does not parse
   */
  public static List<X509Certificate> read(String display, byte[] content) throws Invalid {
    if (content.length == 0) {
      throw new Invalid(display + " is empty; expected PEM certificates (-----BEGIN CERTIFICATE-----)");
    }
    String text = new String(content, StandardCharsets.ISO_8859_1);
    Matcher begin = BEGIN.matcher(text);
    List<X509Certificate> certificates = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("X.509 is not supported by this JVM", e);
    }
    int from = 0;
    while (begin.find(from)) {
      String type = begin.group(1);
      int line = lineOf(text, begin.start());
      if (type.contains("PRIVATE KEY")) {
        throw new Invalid(display + ":" + line + " holds a private key (-----BEGIN " + type + "-----); only "
            + "certificates belong here, and a private key must never be published as one — did you mean the "
            + "CA certificate (ca.crt) rather than the key (tls.key)?");
      }
      if (!type.equals("CERTIFICATE")) {
        throw new Invalid(display + ":" + line + " holds a " + type + " block; only CERTIFICATE blocks are "
            + "accepted here");
      }
      Matcher end = END.matcher(text);
      if (!end.find(begin.end()) || !end.group(1).equals(type)) {
        throw new Invalid(display + ":" + line + " has a -----BEGIN CERTIFICATE----- block without its "
            + "-----END CERTIFICATE----- line");
      }
      String body = text.substring(begin.end(), end.start()).replaceAll("\\s", "");
      byte[] der;
      try {
        der = Base64.getDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new Invalid(display + ":" + line + " is not valid base64 inside its CERTIFICATE block");
      }
      try {
        certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException | RuntimeException e) {
        throw new Invalid(display + ":" + line + " is not a valid X.509 certificate: " + e.getMessage());
      }
      from = end.end();
    }
    if (certificates.isEmpty()) {
      boolean der = (content[0] & 0xff) == 0x30;
      throw new Invalid(display + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
          + (der ? "; it looks like binary DER: convert it with openssl x509 -inform der -outform pem" : ""));
    }
    return List.copyOf(certificates);
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
