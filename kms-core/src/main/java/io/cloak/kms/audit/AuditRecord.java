package io.cloak.kms.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One audit entry describing a single KMS operation, whether it was allowed, denied or failed.
 *
 * <p>Immutable and thread-safe. By construction it has no field for plaintext, key material or
 * ciphertext: only who did what to which key, under which encryption context, and how it ended.
 * Callers must not put secrets into {@code principal}, {@code encryptionContext} or {@code detail}.
 *
 * @param time when the operation happened
 * @param principal who asked (never null)
 * @param operation what was asked, e.g. {@code "Encrypt"} (never null or blank)
 * @param keyId the key involved, or null when there is none (e.g. a denied {@code ListKeys})
 * @param keyVersion the key version involved, or null; never negative
 * @param encryptionContext the caller's encryption context; never null, copied and sorted by key (a
 *     null argument becomes an empty map)
 * @param outcome {@link #ALLOWED}, {@link #DENIED} or {@link #FAILED}
 * @param detail a short reason such as an exception class name, or null; truncated to {@link
 *     #MAX_DETAIL_CHARS} characters
 * @throws NullPointerException if a non-nullable component, or a context key or value, is null
 * @throws IllegalArgumentException if {@code operation} is blank, {@code outcome} is not one of the
 *     three allowed values, or {@code keyVersion} is negative
 */
public record AuditRecord(
    Instant time,
    String principal,
    String operation,
    String keyId,
    Integer keyVersion,
    Map<String, String> encryptionContext,
    String outcome,
    String detail) {

  /** The operation was permitted and succeeded. */
  public static final String ALLOWED = "ALLOWED";

  /** The operation was refused by policy. */
  public static final String DENIED = "DENIED";

  /** The operation was permitted but failed. */
  public static final String FAILED = "FAILED";

  /** Longest {@code detail} kept; longer values are truncated. */
  public static final int MAX_DETAIL_CHARS = 256;

  private static final Set<String> OUTCOMES = Set.of(ALLOWED, DENIED, FAILED);

  /** Validates and normalizes the components; see the class documentation. */
  public AuditRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(outcome, "outcome");
    if (operation.isBlank()) {
      throw new IllegalArgumentException("operation must not be blank");
    }
    if (!OUTCOMES.contains(outcome)) {
      throw new IllegalArgumentException("outcome must be ALLOWED, DENIED or FAILED: " + outcome);
    }
    if (keyVersion != null && keyVersion < 0) {
      throw new IllegalArgumentException("keyVersion must not be negative: " + keyVersion);
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    if (encryptionContext != null) {
      for (Map.Entry<String, String> e : encryptionContext.entrySet()) {
        sorted.put(
            Objects.requireNonNull(e.getKey(), "encryptionContext key"),
            Objects.requireNonNull(e.getValue(), "encryptionContext value"));
      }
    }
    encryptionContext = Collections.unmodifiableSortedMap(sorted);
    detail = truncate(detail);
  }

  private static String truncate(String s) {
    if (s == null || s.length() <= MAX_DETAIL_CHARS) {
      return s;
    }
    int end = MAX_DETAIL_CHARS;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
