package io.cloak.kms.audit;

/**
 * Result of {@link AuditVerifier#verify(java.nio.file.Path)}. Immutable.
 *
 * @param intact true when every line is well formed and the hash chain (and the expected head, if
 *     one was given) checks out
 * @param linesChecked lines read, up to and including the one at which a problem was detected (all
 *     lines when intact)
 * @param firstBadLine 1-based number of the first line found to be bad, 0 when intact
 * @param problem what most likely happened ("edited", "deleted", "reordered", "malformed") and at
 *     which line; null when intact
 */
public record AuditVerification(
    boolean intact, long linesChecked, long firstBadLine, String problem) {

  static AuditVerification ok(long lines) {
    return new AuditVerification(true, lines, 0, null);
  }

  static AuditVerification bad(long linesChecked, long firstBadLine, String problem) {
    return new AuditVerification(false, linesChecked, firstBadLine, problem);
  }
}
