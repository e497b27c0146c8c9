package io.cloak.kms.audit;

import io.cloak.kms.audit.AuditJson.Line;
import io.cloak.kms.audit.AuditJson.LineReader;
import io.cloak.kms.audit.AuditJson.MalformedLineException;
import io.cloak.kms.audit.AuditJson.Parsed;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Checks the hash chain of a log written by {@link AuditLog} and names the first bad line.
 *
 * <p>Every line must be well formed, carry {@code seq} one greater than the line before (1 for the
 * first) and a {@code prev} equal to the SHA-256 of the line before (64 zeros for the first). From
 * the first violation it guesses what happened: a line whose successor's {@code prev} does not
 * match was <em>edited</em>; a {@code seq} gap is a <em>deleted</em> line unless the missing {@code
 * seq} turns up later (<em>reordered</em>); a line that is not a valid entry is <em>malformed</em>.
 *
 * <p>The chain cannot reveal an edit of the final line, or deletion of trailing lines; for that
 * pass a head hash recorded earlier from {@link AuditLog#headHash()} to {@link #verify(Path,
 * String)}.
 *
 * <p>Thread-safe (stateless). Streams the file, holding one line in memory. Safe to run against a
 * live log: it checks the lines present at the moment it starts, read while no append is in
 * progress.
 */
public final class AuditVerifier {

  private AuditVerifier() {}

  /**
   * Verifies the chain of {@code file} without a head anchor.
   *
   * @throws IOException if the file does not exist or cannot be read or locked
   */
  public static AuditVerification verify(Path file) throws IOException {
    return verify(file, null);
  }

  /**
   * Verifies the chain of {@code file} and, if {@code expectedHeadHash} is not null, that some line
   * hashes to it. Pass a value {@link AuditLog#headHash()} returned earlier: when the log has not
   * grown since, that is its last line, so an edit of the last line or removal of trailing lines is
   * detected; lines appended after the hash was recorded are accepted (the chain covers them, but
   * the newest of them is again unanchored).
   *
   * @param expectedHeadHash 64 hex digits, or null for no anchor
   * @throws IllegalArgumentException if {@code expectedHeadHash} is not 64 hex digits
   * @throws IOException if the file does not exist or cannot be read or locked
   */
  public static AuditVerification verify(Path file, String expectedHeadHash) throws IOException {
    Objects.requireNonNull(file, "file");
    String anchor = expectedHeadHash == null ? null : AuditJson.requireHash(expectedHeadHash);
    Path real = file.toRealPath();
    // Held until the channel is closed: on Linux closing any descriptor of a file drops every
    // lock this process holds on it, including an AuditLog's lock during an append.
    ReentrantLock lock = AuditLog.pathLock(real);
    lock.lock();
    try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
      return check(new LineReader(ch, stableSize(ch)), anchor);
    } finally {
      lock.unlock();
    }
  }

  /** Size of the file at a moment when no {@link AuditLog} is mid-append. */
  private static long stableSize(FileChannel ch) throws IOException {
    FileLock fileLock = ch.lock(0, Long.MAX_VALUE, true);
    try {
      return ch.size();
    } finally {
      AuditLog.release(fileLock);
    }
  }

  private static AuditVerification check(LineReader reader, String anchor) throws IOException {
    boolean anchorSeen = anchor == null || anchor.equals(AuditJson.GENESIS);
    long n = 0;
    long prevSeq = 0;
    String prevHash = AuditJson.GENESIS;
    Line line;
    while ((line = reader.next()) != null) {
      n++;
      if (line.tooLong()) {
        return malformed(n, "longer than " + AuditJson.MAX_LINE_BYTES + " bytes");
      }
      if (!line.terminated()) {
        return malformed(
            n, "incomplete final line without a newline, likely an interrupted append");
      }
      Parsed p;
      try {
        p = AuditJson.parse(line.bytes());
      } catch (MalformedLineException e) {
        return malformed(n, e.getMessage());
      }
      String hash = AuditJson.sha256Hex(line.bytes());
      boolean prevOk = p.prev().equals(prevHash);
      long expected = prevSeq + 1;
      boolean seqOk = p.seq() == expected;
      if (!prevOk || !seqOk) {
        return chainBreak(reader, n, p, prevOk, seqOk, prevSeq);
      }
      if (!anchorSeen && hash.equals(anchor)) {
        anchorSeen = true;
      }
      prevSeq = p.seq();
      prevHash = hash;
    }
    if (!anchorSeen) {
      if (n == 0) {
        return AuditVerification.bad(
            0, 1, "line 1 was deleted: the log is empty but the expected head hash is not genesis");
      }
      return AuditVerification.bad(
          n,
          n,
          "line "
              + n
              + " was edited, or lines after line "
              + n
              + " were deleted (no line's hash matches the expected head hash)");
    }
    return AuditVerification.ok(n);
  }

  private static AuditVerification chainBreak(
      LineReader reader, long n, Parsed p, boolean prevOk, boolean seqOk, long prevSeq)
      throws IOException {
    long expected = prevSeq + 1;
    if (prevOk) {
      // The chain says this line directly follows the previous one: its seq field was changed.
      return AuditVerification.bad(
          n,
          n,
          "line "
              + n
              + " was edited (its seq is "
              + p.seq()
              + " but its prev chains it to seq "
              + prevSeq
              + ")");
    }
    if (seqOk) {
      if (n == 1) {
        return AuditVerification.bad(
            n, 1, "line 1 was edited (its prev field is not the genesis hash)");
      }
      return AuditVerification.bad(
          n,
          n - 1,
          "line "
              + (n - 1)
              + " was edited (its hash does not match the prev field of line "
              + n
              + ")");
    }
    if (p.seq() < expected) {
      return AuditVerification.bad(
          n,
          n,
          "line "
              + n
              + " is out of order (seq "
              + p.seq()
              + " follows seq "
              + prevSeq
              + "): lines were reordered or duplicated");
    }
    long later = findSeq(reader, n, expected);
    if (later > 0) {
      return AuditVerification.bad(
          n,
          n,
          "line "
              + n
              + " is out of order (it has seq "
              + p.seq()
              + " but seq "
              + expected
              + " appears later, at line "
              + later
              + "): lines were reordered");
    }
    long missing = p.seq() - expected;
    return AuditVerification.bad(
        n,
        n,
        missing
            + (missing == 1 ? " line was" : " lines were")
            + " deleted before line "
            + n
            + " (seq jumps from "
            + prevSeq
            + " to "
            + p.seq()
            + " and its prev does not match the line before)");
  }

  /** Line number of the first remaining line with the given seq, or 0. */
  private static long findSeq(LineReader reader, long n, long seq) throws IOException {
    Line line;
    while ((line = reader.next()) != null) {
      n++;
      if (line.bytes() == null) {
        continue;
      }
      try {
        if (AuditJson.parse(line.bytes()).seq() == seq) {
          return n;
        }
      } catch (MalformedLineException e) {
        // skip
      }
    }
    return 0;
  }

  private static AuditVerification malformed(long n, String why) {
    return AuditVerification.bad(n, n, "line " + n + " is malformed (" + why + ")");
  }
}
