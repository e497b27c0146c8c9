package io.cloak.kms.audit;

import io.cloak.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends {@link AuditRecord}s to a hash-chained JSON-lines file.
 *
 * <p>Each line is a JSON object with the fields {@code seq, time, principal, op, key, keyVersion,
 * context, outcome, detail, prev} in that order, where {@code prev} is the lowercase hex SHA-256 of
 * the previous line's exact bytes (64 zeros for the first line). Check a log with {@link
 * AuditVerifier}.
 *
 * <p>Thread-safe. Appends are serialized within the JVM (also across several {@code AuditLog}
 * instances on the same file) and, through an exclusive {@link FileLock} held around each append,
 * across processes; each append re-reads the file's tail if another writer extended it, so several
 * processes can share one chain.
 *
 * <p>Crash safety: a line is acknowledged only after {@link FileChannel#force(boolean)}. A torn
 * final line (no trailing newline, left by a crash mid-append) was never acknowledged and is
 * truncated by {@link #open} or by the next append.
 *
 * <p>An edit of the final line cannot be detected from the file alone; record {@link #headHash()}
 * somewhere the log's writer cannot rewrite and pass it to {@link AuditVerifier#verify(Path,
 * String)}.
 */
public final class AuditLog implements AutoCloseable {

  private static final ConcurrentHashMap<Path, ReentrantLock> PATH_LOCKS =
      new ConcurrentHashMap<>();

  private final Path file;
  private final Path realPath;
  private final ReentrantLock lock;

  // Guarded by lock.
  private FileChannel channel;
  private boolean closed;
  private long knownSize = -1; // file size after our last sync/append; -1 forces a re-read
  private long lastSeq;
  private String lastHash = AuditJson.GENESIS;

  private AuditLog(Path file, Path realPath, FileChannel channel) {
    this.file = file;
    this.realPath = realPath;
    this.lock = pathLock(realPath);
    this.channel = channel;
  }

  /**
   * Opens {@code file} for appending, creating it and its parent directories if absent. If the file
   * ends with a torn (newline-less) line, that line is truncated.
   *
   * @throws IOException if the file cannot be created, opened, locked or read, or if its last
   *     complete line is not a well-formed audit entry (the chain cannot be continued; run {@link
   *     AuditVerifier})
   */
  public static AuditLog open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Path abs = file.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel ch;
    try {
      ch =
          FileChannel.open(
              abs,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      DurableFiles.fsyncDirectory(parent);
    } catch (FileAlreadyExistsException e) {
      ch = FileChannel.open(abs, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    try {
      AuditLog log = new AuditLog(file, abs.toRealPath(), ch);
      log.headHash(); // locks, truncates a torn tail and reads the last line
      return log;
    } catch (IOException | RuntimeException e) {
      ReentrantLock pathLock = pathLock(abs.toRealPath());
      pathLock.lock(); // closing a descriptor drops this process's locks on the file
      try {
        ch.close();
      } finally {
        pathLock.unlock();
      }
      throw e;
    }
  }

  /**
   * Appends {@code record} as one line and forces it to disk ({@code force(false)}) before
   * returning. If this throws, the record may or may not have been persisted.
   *
   * @throws IOException if writing, syncing or locking fails, if the log is closed ({@link
   *     ClosedChannelException}), or if the file's last line is malformed
   * @throws IllegalArgumentException if the serialized line exceeds 1 MiB
   */
  public void append(AuditRecord record) throws IOException {
    Objects.requireNonNull(record, "record");
    lock.lock();
    try {
      FileChannel ch = channel();
      FileLock fileLock = ch.lock();
      try {
        syncTail(ch);
        long seq = lastSeq + 1;
        byte[] json = AuditJson.encode(seq, record, lastHash);
        if (json.length > AuditJson.MAX_LINE_BYTES) {
          throw new IllegalArgumentException(
              "audit line of " + json.length + " bytes exceeds " + AuditJson.MAX_LINE_BYTES);
        }
        ByteBuffer buf = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        long pos = knownSize;
        knownSize = -1; // unknown until the line is durable
        while (buf.hasRemaining()) {
          pos += ch.write(buf, pos);
        }
        ch.force(false);
        knownSize = pos;
        lastSeq = seq;
        lastHash = AuditJson.sha256Hex(json);
      } finally {
        release(fileLock);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the lowercase hex SHA-256 of the log's last line (64 zeros when empty), re-reading the
   * tail if another writer appended. Store it out of the log writer's reach to anchor the head for
   * {@link AuditVerifier#verify(Path, String)}.
   *
   * @throws IOException if the log is closed or the tail cannot be read
   */
  public String headHash() throws IOException {
    lock.lock();
    try {
      FileChannel ch = channel();
      FileLock fileLock = ch.lock();
      try {
        syncTail(ch);
        return lastHash;
      } finally {
        release(fileLock);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Returns the path this log was opened with. */
  public Path file() {
    return file;
  }

  /** Closes the file. Idempotent; later appends throw {@link ClosedChannelException}. */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      closed = true;
      channel.close();
    } finally {
      lock.unlock();
    }
  }

  /** The in-JVM lock for a file, shared with {@link AuditVerifier}. */
  static ReentrantLock pathLock(Path realPath) {
    return PATH_LOCKS.computeIfAbsent(realPath, p -> new ReentrantLock());
  }

  /**
   * Returns the open channel, reopening it if a thread interrupt closed it (FileChannel is
   * interruptible) rather than leaving the log unusable.
   */
  private FileChannel channel() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (!channel.isOpen()) {
      channel = FileChannel.open(realPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
      knownSize = -1;
    }
    return channel;
  }

  /** Brings lastSeq/lastHash up to date with the file. Caller holds both locks. */
  private void syncTail(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == knownSize) {
      return;
    }
    if (size > 0 && readByte(ch, size - 1) != '\n') {
      size = lastNewlineBefore(ch, size) + 1; // drop the torn, never-acknowledged line
      ch.truncate(size);
      ch.force(true);
    }
    if (size == 0) {
      lastSeq = 0;
      lastHash = AuditJson.GENESIS;
    } else {
      long start = lastNewlineBefore(ch, size - 1) + 1;
      long len = size - 1 - start;
      if (len > AuditJson.MAX_LINE_BYTES) {
        throw new IOException(realPath + ": last audit line is too long; cannot continue chain");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) len);
      while (buf.hasRemaining()) {
        if (ch.read(buf, start + buf.position()) < 0) {
          throw new IOException(realPath + ": file shrank while reading its last line");
        }
      }
      byte[] line = buf.array();
      try {
        lastSeq = AuditJson.parse(line).seq();
      } catch (AuditJson.MalformedLineException e) {
        throw new IOException(
            realPath
                + ": last audit line is malformed ("
                + e.getMessage()
                + "); cannot continue chain");
      }
      lastHash = AuditJson.sha256Hex(line);
    }
    knownSize = size;
  }

  /** Releases a file lock unless closing its channel already did. */
  static void release(FileLock fileLock) throws IOException {
    if (fileLock.isValid()) {
      fileLock.release();
    }
  }

  private static byte readByte(FileChannel ch, long pos) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    if (ch.read(b, pos) != 1) {
      throw new IOException("short read at " + pos);
    }
    return b.get(0);
  }

  /** Position of the last '\n' before {@code end}, or -1; scans backwards in chunks. */
  private static long lastNewlineBefore(FileChannel ch, long end) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8192);
    long chunkEnd = end;
    while (chunkEnd > 0) {
      long chunkStart = Math.max(0, chunkEnd - buf.capacity());
      buf.clear().limit((int) (chunkEnd - chunkStart));
      while (buf.hasRemaining()) {
        if (ch.read(buf, chunkStart + buf.position()) < 0) {
          throw new IOException("file shrank while scanning");
        }
      }
      for (int i = buf.limit() - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return chunkStart + i;
        }
      }
      chunkEnd = chunkStart;
    }
    return -1;
  }
}
