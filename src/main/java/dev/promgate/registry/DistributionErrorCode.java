package dev.promgate.registry;

import java.util.Locale;

/**
 * The error codes of the OCI distribution spec (and Docker's additions), as registries put them in
 * an error body: {@code {"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}}.
 */
public enum DistributionErrorCode {
  BLOB_UNKNOWN,
  BLOB_UPLOAD_INVALID,
  BLOB_UPLOAD_UNKNOWN,
  DIGEST_INVALID,
  MANIFEST_BLOB_UNKNOWN,
  MANIFEST_INVALID,
  MANIFEST_UNKNOWN,
  MANIFEST_UNVERIFIED,
  NAME_INVALID,
  NAME_UNKNOWN,
  SIZE_INVALID,
  TAG_INVALID,
  UNAUTHORIZED,
  DENIED,
  UNSUPPORTED,
  TOOMANYREQUESTS,
  /** Any code this enum does not know; the exception message keeps the original text. */
  UNKNOWN;

  /** The enum constant for a code as written in an error body (case-insensitive). */
  public static DistributionErrorCode fromCode(String code) {
    if (code == null) {
      return UNKNOWN;
    }
    try {
      return valueOf(code.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }
}
