package dev.promgate.tls;

/**
 * A certificate folder or file that cannot be used. The message names the file and what is wrong
 * with it (missing, not PEM, expired on a date, key not matching the certificate, …), fit to be
 * printed as it is.
 */
public final class CertificateFilesException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CertificateFilesException(String message) {
    super(message);
  }

  public CertificateFilesException(String message, Throwable cause) {
    super(message, cause);
  }
}
