package io.cloak.agent.volume;

import io.cloak.crypto.AesGcm;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.AEADBadTagException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A file of an encrypted volume, read and written at random positions like a {@link FileChannel},
 * while the underlying file holds only ciphertext.
 *
 * <h2>Format (version 1)</h2>
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "CLKV" (ASCII)
 * 4       1     format version = 1
 * 5       3     reserved, zero
 * 8       4     chunk size C in plaintext bytes, big-endian (power of two, 512..1 MiB; default 32 KiB)
 * 12      16    file id (random)
 * 28      16    volume id
 * 44      16    header tag = HMAC-SHA256(headerKey, bytes 0..44) truncated to 16 bytes
 * 60            chunk 0, chunk 1, ... each: nonce (12) | ciphertext (1..C) | GCM tag (16)
 * </pre>
 *
 * <ul>
 *   <li>{@code fileKey = HKDF-SHA256(volumeKey, salt = fileId, info = "cloak volume file v1", 32)},
 *       {@code headerKey = HKDF-SHA256(volumeKey, salt = fileId, info = "cloak volume header v1",
 *       32)}.
 *   <li>Chunk {@code i} is AES-256-GCM under {@code fileKey} with a fresh random nonce each time it
 *       is written, and associated data {@code fileId (16) | i (8, big-endian) | final (1)}, where
 *       {@code final} is 1 for the last chunk of the file and 0 for every other one.
 *   <li>Every chunk but the last holds exactly C plaintext bytes; the last holds 1..C. An empty
 *       file is the header alone. The plaintext size follows from the file length: {@code n} full
 *       sealed chunks of {@code C + 28} bytes and a remainder {@code r} give {@code n * C + (r > 0
 *       ? r - 28 : 0)}; a remainder of 1..28 bytes is invalid.
 *   <li>So a flipped byte, swapped chunks, a chunk copied from another file, a file from another
 *       volume, and truncation (even to a chunk boundary, since the new last chunk was sealed with
 *       {@code final = 0}) all fail authentication. Not detected: replacing the whole file, or one
 *       chunk, with an older version of itself (rollback).
 * </ul>
 *
 * <h2>Behaviour</h2>
 *
 * <p>{@link #open} authenticates the header and the last chunk, so a truncated or extended file is
 * refused at once. The object keeps the plaintext size and a write-back cache of at most {@value
 * #CACHE_CHUNKS} plaintext chunks (allocated on first use, so an idle open file holds none). Runs
 * of whole chunks are read and written without going through the cache, up to 1 MiB per system
 * call, through per-thread scratch buffers of that size (a direct one for reads); a read decrypts
 * straight into the caller's array, and a write seals straight from the caller's array, on {@link
 * ChunkHelpers} threads too when the run has at least {@value #PARALLEL_MIN_CHUNKS} chunks (then
 * each thread of a read reads the groups of chunks it takes, of up to {@value #GROUP_BYTES} bytes,
 * itself; the write stays on the calling thread, after every chunk is sealed). A partial write
 * reads, decrypts and caches the chunk; dirty chunks are sealed and written when evicted, and on
 * {@link #force} and {@link #close}. Until then the file on disk may lag behind (and, after a
 * crash, fail authentication in the chunks that were being written: a torn write is detected, never
 * returned as data). Only positional I/O is used on the channel, whose position is left alone; the
 * channel must be readable (and writable to modify the file) and not opened with {@code APPEND}.
 *
 * <p>At most one {@code EncryptedFile} may be open on a file at a time (across processes too): each
 * instance caches chunks and the size, so two would overwrite each other's chunks.
 *
 * <p>Thread-safety: all methods synchronize on this object, so one instance may be shared by
 * threads. Exceptions: every authentication failure is a {@link VolumeIntegrityException} naming
 * the file and the chunk (or the header); a closed file throws {@link ClosedChannelException}. If a
 * write, truncate or flush fails part-way through (for example with a disk I/O error), the object
 * refuses all further calls except {@link #close} with an {@link IOException}, since its cache may
 * no longer match the disk.
 */
public final class EncryptedFile implements Closeable {
  /** Length in bytes of the file header. */
  public static final int HEADER_LENGTH = 60;

  /** The plaintext bytes per chunk of files created without an explicit chunk size. */
  public static final int DEFAULT_CHUNK_SIZE = 32 * 1024;

  /** The smallest chunk size accepted. */
  public static final int MIN_CHUNK_SIZE = 512;

  /** The largest chunk size accepted. */
  public static final int MAX_CHUNK_SIZE = 1024 * 1024;

  /** Bytes each chunk adds to its plaintext: a 12-byte nonce and a 16-byte tag. */
  public static final int CHUNK_OVERHEAD = AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH;

  /** The format version this class writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** How many plaintext chunks one open file caches at most. */
  static final int CACHE_CHUNKS = 4;

  /** Largest run of whole chunks read or written with one system call. */
  private static final int BATCH_BYTES = 1024 * 1024;

  /**
   * Runs of at least this many whole chunks are sealed or opened by the calling thread together
   * with the {@link ChunkHelpers} threads; shorter ones by the calling thread alone (handing work
   * over costs tens of microseconds, a 32 KiB chunk takes about 10 to 20 to encrypt or decrypt).
   */
  static final int PARALLEL_MIN_CHUNKS = 8;

  /**
   * Most plaintext bytes of consecutive chunks that one thread takes at a time from a large read,
   * and reads with one system call: a read of one 32 KiB chunk costs about a sixth of its
   * decryption, one of eight chunks together about a fifth less per chunk.
   */
  private static final int GROUP_BYTES = 256 * 1024;

  /** How long the calling thread spins for its helpers to finish their last chunks. */
  private static final long SPIN_NANOS = 50_000;

  /**
   * Raw reads land in a direct buffer at the same offset within a page as their position in the
   * file has, so that the kernel copies from the page cache between equally aligned addresses. On
   * some CPUs (measured on an AMD EPYC without AVX-512) the kernel's copy runs five times slower
   * when the destination lies a few bytes past the source's page offset, which is where the JDK's
   * own temporary buffers for heap-buffer reads often land (a 1 MiB {@code malloc} starts 16 bytes
   * into a page).
   */
  private static final int PAGE = 4096;

  private static final byte[] MAGIC = "CLKV".getBytes(StandardCharsets.US_ASCII);
  private static final int FILE_ID_LENGTH = 16;
  private static final int OFF_VERSION = 4;
  private static final int OFF_CHUNK_SIZE = 8;
  private static final int OFF_FILE_ID = 12;
  private static final int OFF_VOLUME_ID = 28;
  private static final int OFF_TAG = 44;
  private static final int HEADER_TAG_LENGTH = 16;
  private static final int AAD_LENGTH = FILE_ID_LENGTH + 8 + 1;

  private static final SecureRandom RANDOM = new SecureRandom();
  // Per-thread scratch buffers; every use is inside a synchronized method and does not nest (a
  // helper thread uses its own PLAIN, its own SEALED when opening, reads the caller's RAW without
  // changing it, and when sealing writes only its chunks' ranges of the caller's SEALED).
  private static final ThreadLocal<byte[]> SEALED = new ThreadLocal<>();
  private static final ThreadLocal<byte[]> PLAIN = new ThreadLocal<>();
  private static final ThreadLocal<ByteBuffer> RAW = new ThreadLocal<>();

  private final FileChannel channel;
  private final String name;
  private final int chunkSize;
  private final int sealedChunkSize;
  private final long maxSize;
  private final byte[] fileId;
  private final AesGcm cipher;
  private final Chunk[] cache = new Chunk[CACHE_CHUNKS];

  private long size; // plaintext size
  private long clock; // LRU clock
  private boolean closed;
  private Throwable failure;
  private boolean writable; // the channel accepted a write

  /** One cached plaintext chunk. Bytes of {@code data} past the chunk's length are zero. */
  private static final class Chunk {
    long index = -1;
    byte[] data;
    boolean dirty;
    long lastUse;
  }

  private EncryptedFile(
      FileChannel channel, String name, int chunkSize, byte[] fileId, AesGcm cipher, long size) {
    this.channel = channel;
    this.name = name;
    this.chunkSize = chunkSize;
    this.sealedChunkSize = chunkSize + CHUNK_OVERHEAD;
    this.maxSize = ((Long.MAX_VALUE - HEADER_LENGTH) / sealedChunkSize - 1) * chunkSize;
    this.fileId = fileId;
    this.cipher = cipher;
    this.size = size;
    for (int i = 0; i < cache.length; i++) {
      cache[i] = new Chunk();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Opening

  /**
   * Writes the header of a new encrypted file with the default chunk size to the empty file behind
   * {@code channel}, and returns it opened. The channel then belongs to the returned object.
   *
   * @param name the file's name for error messages (typically its path)
   * @throws IOException if the file is not empty or the header cannot be written; the channel is
   *     left open
   * @throws IllegalStateException if {@code key} was destroyed
   */
  public static EncryptedFile create(FileChannel channel, VolumeKey key, String name)
      throws IOException {
    return create(channel, key, name, DEFAULT_CHUNK_SIZE);
  }

  /**
   * Like {@link #create(FileChannel, VolumeKey, String)} with an explicit chunk size.
   *
   * @param chunkSize plaintext bytes per chunk, a power of two from {@value #MIN_CHUNK_SIZE} to
   *     {@value #MAX_CHUNK_SIZE}
   * @throws IllegalArgumentException if {@code chunkSize} is not allowed
   */
  public static EncryptedFile create(FileChannel channel, VolumeKey key, String name, int chunkSize)
      throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(name, "name");
    if (!validChunkSize(chunkSize)) {
      throw new IllegalArgumentException(
          "chunk size must be a power of two from "
              + MIN_CHUNK_SIZE
              + " to "
              + MAX_CHUNK_SIZE
              + ", got "
              + chunkSize);
    }
    long existing = channel.size();
    if (existing != 0) {
      throw new IOException(
          name + ": cannot create an encrypted file over " + existing + " existing bytes");
    }
    byte[] fileId = new byte[FILE_ID_LENGTH];
    RANDOM.nextBytes(fileId);
    byte[] header = new byte[HEADER_LENGTH];
    System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
    header[OFF_VERSION] = FORMAT_VERSION;
    ByteBuffer.wrap(header).putInt(OFF_CHUNK_SIZE, chunkSize);
    System.arraycopy(fileId, 0, header, OFF_FILE_ID, FILE_ID_LENGTH);
    System.arraycopy(key.volumeId(), 0, header, OFF_VOLUME_ID, VolumeKey.VOLUME_ID_LENGTH);
    VolumeKey.FileKeys keys = deriveKeys(key, fileId, name);
    try {
      System.arraycopy(headerTag(keys.headerMacKey(), header), 0, header, OFF_TAG, 16);
    } finally {
      Arrays.fill(keys.headerMacKey(), (byte) 0);
    }
    writeFully(channel, header, 0, HEADER_LENGTH, 0);
    return new EncryptedFile(channel, name, chunkSize, fileId, keys.chunkCipher(), 0);
  }

  /**
   * Opens an existing encrypted file, authenticating its header and its last chunk. The channel
   * then belongs to the returned object.
   *
   * @param name the file's name for error messages (typically its path)
   * @throws WrongVolumeException if the file belongs to another volume
   * @throws VolumeIntegrityException if the file is not an encrypted file, its version is not
   *     supported, or its header or last chunk fails authentication (for example after truncation)
   * @throws IOException if reading fails; in every failure case the channel is left open
   * @throws IllegalStateException if {@code key} was destroyed
   */
  public static EncryptedFile open(FileChannel channel, VolumeKey key, String name)
      throws IOException {
    EncryptedFile file = openHeader(channel, key, name);
    long length = channel.size();
    long size = plaintextSize(length, file.chunkSize);
    if (size < 0) {
      throw new VolumeIntegrityException(
          name,
          (length - HEADER_LENGTH) / file.sealedChunkSize,
          "file length "
              + length
              + " is not a header plus whole chunks (truncated or extended outside Cloak)");
    }
    file.size = size;
    if (size > 0) {
      // Authenticate the last chunk now: this detects truncation and extension at open time.
      long last = file.lastIndex();
      file.readChunk(last, plainScratch(file.chunkSize), 0);
    }
    return file;
  }

  /**
   * Authenticates the header and returns the file with size 0, not yet checked against the chunks.
   */
  private static EncryptedFile openHeader(FileChannel channel, VolumeKey key, String name)
      throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(name, "name");
    long length = channel.size();
    byte[] header = new byte[HEADER_LENGTH];
    int got = readFully(channel, header, 0, (int) Math.min(HEADER_LENGTH, length), 0);
    if (got < MAGIC.length || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new VolumeIntegrityException(
          name,
          VolumeIntegrityException.HEADER,
          "not an encrypted volume file (no \"CLKV\" magic); plaintext files from before the"
              + " volume existed must be migrated");
    }
    if (got < HEADER_LENGTH) {
      throw new VolumeIntegrityException(
          name,
          VolumeIntegrityException.HEADER,
          "header truncated to " + got + " of " + HEADER_LENGTH + " bytes");
    }
    int version = header[OFF_VERSION] & 0xff;
    if (version != FORMAT_VERSION) {
      throw new VolumeIntegrityException(
          name,
          VolumeIntegrityException.HEADER,
          "format version "
              + version
              + " is not supported (this Cloak reads "
              + FORMAT_VERSION
              + ")");
    }
    if (!key.hasVolumeId(header, OFF_VOLUME_ID)) {
      throw new WrongVolumeException(
          name,
          HexFormat.of().formatHex(header, OFF_VOLUME_ID, OFF_VOLUME_ID + 16),
          key.volumeIdHex());
    }
    byte[] fileId = Arrays.copyOfRange(header, OFF_FILE_ID, OFF_FILE_ID + FILE_ID_LENGTH);
    VolumeKey.FileKeys keys = deriveKeys(key, fileId, name);
    try {
      byte[] expected = headerTag(keys.headerMacKey(), header);
      if (!MessageDigest.isEqual(
          expected, Arrays.copyOfRange(header, OFF_TAG, OFF_TAG + HEADER_TAG_LENGTH))) {
        throw new VolumeIntegrityException(
            name,
            VolumeIntegrityException.HEADER,
            "header failed authentication (modified, or written under another volume key)");
      }
    } finally {
      Arrays.fill(keys.headerMacKey(), (byte) 0);
    }
    int chunkSize = ByteBuffer.wrap(header).getInt(OFF_CHUNK_SIZE);
    if (!validChunkSize(chunkSize) || header[5] != 0 || header[6] != 0 || header[7] != 0) {
      throw new VolumeIntegrityException(
          name, VolumeIntegrityException.HEADER, "invalid chunk size or reserved bytes");
    }
    return new EncryptedFile(channel, name, chunkSize, fileId, keys.chunkCipher(), 0);
  }

  /**
   * What {@link #recover} found and did.
   *
   * @param changed whether the file was cut back (false: it was intact, or nothing could be done)
   * @param plaintextSize the plaintext size of the file afterwards
   * @param lostFromChunk the index of the first chunk that was dropped, or -1 if none
   */
  public record Recovery(boolean changed, long plaintextSize, long lostFromChunk) {}

  /**
   * Cuts an encrypted file whose end was damaged back to its longest authentic prefix, so that it
   * opens again. This is for the file a crash left with a torn last chunk (a {@code kill -9} or a
   * power loss in the middle of rewriting it), which {@link #open} refuses as a whole. Chunks are
   * checked from the first: the file is cut after the last chunk that authenticates, and that chunk
   * is sealed again as the final one. The data of the damaged chunk and of anything after it is
   * lost, and the result says from which chunk. Nothing is changed when the file is intact, and
   * nothing when a damaged chunk is followed by an authentic one: damage in the middle is not a
   * torn write (it may be tampering), and cutting there would drop good data.
   *
   * <p>An administrator's tool ({@code cloak recover-volume-file}); never called on its own, since
   * silently dropping data is not a decision Cloak makes. The channel must be readable and writable
   * and not in use by an {@code EncryptedFile}. Rerunning after a crash during recovery is safe.
   *
   * @throws WrongVolumeException if the file belongs to another volume
   * @throws VolumeIntegrityException if the header fails authentication, or a damaged chunk lies
   *     before an authentic one
   */
  public static Recovery recover(FileChannel channel, VolumeKey key, String name)
      throws IOException {
    EncryptedFile f = openHeader(channel, key, name);
    long body = channel.size() - HEADER_LENGTH;
    long complete = body / f.sealedChunkSize;
    int rest = (int) (body % f.sealedChunkSize);
    long regions = complete + (rest > 0 ? 1 : 0);
    byte[] sealed = new byte[f.sealedChunkSize];
    byte[] plain = new byte[f.chunkSize];
    long keep = 0; // chunks kept
    long keepSize = 0; // their plaintext bytes
    boolean lastIsFinal = true;
    long damaged = -1;
    for (long i = 0; i < regions; i++) {
      int len = i < complete ? f.sealedChunkSize : rest;
      if (f.authenticates(sealed, len, i, false, plain)) {
        keep = i + 1;
        keepSize += len - CHUNK_OVERHEAD;
        lastIsFinal = false;
        continue;
      }
      if (f.authenticates(sealed, len, i, true, plain)) {
        keep = i + 1;
        keepSize += len - CHUNK_OVERHEAD;
        lastIsFinal = true;
        if (i < regions - 1) {
          damaged = i + 1; // bytes after a final chunk
        }
      } else {
        damaged = i;
      }
      break;
    }
    if (damaged >= 0) {
      for (long j = damaged + 1; j < regions; j++) {
        int len = j < complete ? f.sealedChunkSize : rest;
        if (f.authenticates(sealed, len, j, false, plain)
            || f.authenticates(sealed, len, j, true, plain)) {
          throw new VolumeIntegrityException(
              name,
              damaged,
              "is damaged, but chunk "
                  + j
                  + " after it is intact: this is not a torn last write (it may be tampering);"
                  + " restore the file from a backup");
        }
      }
    }
    if (damaged < 0 && lastIsFinal) {
      return new Recovery(false, keepSize, -1); // intact (or empty)
    }
    if (!lastIsFinal) {
      // seal the last kept chunk again, now as the final one: first, so that a crash before the
      // cut leaves a file this method recovers the same way
      long i = keep - 1;
      int len = (int) (keepSize - i * f.chunkSize);
      f.authenticates(sealed, len + CHUNK_OVERHEAD, i, false, plain);
      byte[] aad = f.aadFor(i, true);
      try {
        f.cipher.encrypt(plain, 0, len, aad, sealed, 0);
      } catch (GeneralSecurityException e) {
        throw new IOException(name + ": chunk " + i + ": encryption failed: " + e, e);
      }
      writeFully(channel, sealed, 0, len + CHUNK_OVERHEAD, f.chunkOffset(i));
    }
    Arrays.fill(plain, (byte) 0);
    channel.truncate(encryptedLength(keepSize, f.chunkSize));
    channel.force(true);
    return new Recovery(true, keepSize, damaged >= 0 ? damaged : keep);
  }

  /**
   * Reads the {@code len} sealed bytes of chunk {@code index} into {@code sealed} and whether they
   * authenticate as a chunk with the given final flag (then decrypted into {@code plain}).
   */
  private boolean authenticates(byte[] sealed, int len, long index, boolean last, byte[] plain)
      throws IOException {
    if (len <= CHUNK_OVERHEAD) {
      return false;
    }
    if (readFully(channel, sealed, 0, len, chunkOffset(index)) < len) {
      return false;
    }
    try {
      cipher.decrypt(sealed, 0, len, aadFor(index, last), plain, 0);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The associated data of chunk {@code index} with an explicit final flag. */
  private byte[] aadFor(long index, boolean last) {
    byte[] ad = new byte[AAD_LENGTH];
    System.arraycopy(fileId, 0, ad, 0, FILE_ID_LENGTH);
    for (int i = 0; i < 8; i++) {
      ad[FILE_ID_LENGTH + i] = (byte) (index >>> (56 - 8 * i));
    }
    ad[AAD_LENGTH - 1] = (byte) (last ? 1 : 0);
    return ad;
  }

  /**
   * Opens the encrypted file behind {@code channel}, or, if the file is empty, writes a header with
   * the default chunk size first. An empty file is taken as new (a plaintext file of zero bytes
   * holds nothing to protect).
   *
   * @throws IOException as for {@link #open} and {@link #create}
   */
  public static EncryptedFile openOrCreate(FileChannel channel, VolumeKey key, String name)
      throws IOException {
    return channel.size() == 0 ? create(channel, key, name) : open(channel, key, name);
  }

  /**
   * Opens {@code file} for reading and writing, creating it (with a header) if it does not exist or
   * is empty. Closing the returned object closes the file.
   *
   * @throws IOException as for {@link #open} and {@link #create}; the file is closed then
   */
  public static EncryptedFile openOrCreate(Path file, VolumeKey key) throws IOException {
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    try {
      return openOrCreate(ch, key, file.toString());
    } catch (IOException | RuntimeException | Error e) {
      closeSuppressed(ch, e);
      throw e;
    }
  }

  /**
   * Opens the existing encrypted {@code file} for reading and writing. Closing the returned object
   * closes the file.
   *
   * @throws IOException as for {@link #open(FileChannel, VolumeKey, String)}; the file is closed
   *     then
   */
  public static EncryptedFile open(Path file, VolumeKey key) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      return open(ch, key, file.toString());
    } catch (IOException | RuntimeException | Error e) {
      closeSuppressed(ch, e);
      throw e;
    }
  }

  /**
   * Whether the file behind {@code channel} starts with the encrypted-file magic {@code "CLKV"},
   * that is, whether it was written by Cloak rather than being a plaintext file from before the
   * volume existed. Checks the magic only; {@link #open} verifies the rest. An empty file is not
   * encrypted. Uses positional reads; the channel's position is unchanged.
   */
  public static boolean isEncrypted(FileChannel channel) throws IOException {
    if (channel.size() < MAGIC.length) {
      return false;
    }
    byte[] b = new byte[MAGIC.length];
    return readFully(channel, b, 0, b.length, 0) == b.length && Arrays.equals(b, MAGIC);
  }

  /**
   * Like {@link #isEncrypted(FileChannel)} for a path.
   *
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   */
  public static boolean isEncrypted(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return isEncrypted(ch);
    }
  }

  /**
   * The plaintext size of the encrypted file behind {@code channel}, computed from its header's
   * chunk size and its length, without authenticating anything; -1 if the file is not an encrypted
   * file or its length does not fit the format. Uses positional reads; the channel's position is
   * unchanged.
   */
  public static long plaintextSize(FileChannel channel) throws IOException {
    long length = channel.size();
    if (length < HEADER_LENGTH) {
      return -1;
    }
    byte[] header = new byte[OFF_CHUNK_SIZE + 4];
    if (readFully(channel, header, 0, header.length, 0) < header.length
        || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return -1;
    }
    int chunkSize = ByteBuffer.wrap(header).getInt(OFF_CHUNK_SIZE);
    return validChunkSize(chunkSize) ? plaintextSize(length, chunkSize) : -1;
  }

  // ---------------------------------------------------------------------------------------------
  // FileChannel-like operations

  /**
   * Reads plaintext starting at {@code position} into {@code dst}, as many bytes as remain in
   * {@code dst} or up to the end of the file, whichever is less.
   *
   * @return the number of bytes read; 0 if {@code dst} has no room; -1 if {@code position} is at or
   *     past the end of the file
   * @throws VolumeIntegrityException if a chunk fails authentication; {@code dst} may then hold the
   *     bytes of the chunks before it, never any of the failed chunk
   * @throws IllegalArgumentException if {@code position} is negative
   */
  public synchronized int read(ByteBuffer dst, long position) throws IOException {
    Objects.requireNonNull(dst, "dst");
    checkPosition(position);
    ensureUsable();
    int want = dst.remaining();
    if (want == 0) {
      return 0;
    }
    if (position >= size) {
      return -1;
    }
    int len = (int) Math.min(want, size - position);
    long end = position + len;
    long last = (end - 1) / chunkSize;
    for (long i = position / chunkSize; i <= last; ) {
      long start = i * chunkSize;
      int from = (int) (Math.max(position, start) - start);
      int n = (int) (Math.min(end, start + chunkSize) - start) - from;
      Chunk c = cached(i);
      if (c == null && from == 0 && n == chunkLength(i)) {
        // Whole chunks not in the cache: read them in one go and decrypt straight into dst.
        long j = i + 1;
        while (j <= last
            && j - i < maxReadBatch()
            && peek(j) == null
            && j * chunkSize + chunkLength(j) <= end) {
          j++;
        }
        openRun(i, j, dst);
        i = j;
        continue;
      }
      if (c == null) {
        c = load(i);
      }
      dst.put(c.data, from, n);
      i++;
    }
    return len;
  }

  /**
   * Writes all remaining bytes of {@code src} at {@code position}. Writing past the end of the file
   * first fills the gap with zeros (encrypted like any data), as a sparse file reads back.
   *
   * @return the number of bytes written, always {@code src.remaining()} on entry
   * @throws VolumeIntegrityException if a chunk that is only partly overwritten fails
   *     authentication; nothing is changed then
   * @throws IllegalArgumentException if {@code position} is negative
   * @throws IOException if the result would exceed the largest representable file, or writing fails
   */
  public synchronized int write(ByteBuffer src, long position) throws IOException {
    Objects.requireNonNull(src, "src");
    checkPosition(position);
    ensureUsable();
    int len = src.remaining();
    if (len == 0) {
      return 0;
    }
    ensureWritable();
    checkMaxSize(position + len);
    if (position > size) {
      extendWithZeros(position);
    }
    writeAt(src, position, len);
    return len;
  }

  /** The plaintext size in bytes. */
  public synchronized long size() throws IOException {
    ensureUsable();
    return size;
  }

  /**
   * Cuts the file to {@code newSize} bytes if it is longer; does nothing otherwise (like {@link
   * FileChannel#truncate}). The new last chunk is sealed again as final.
   *
   * @throws VolumeIntegrityException if the new last chunk fails authentication; nothing is changed
   *     then
   * @throws IllegalArgumentException if {@code newSize} is negative
   */
  public synchronized void truncate(long newSize) throws IOException {
    if (newSize < 0) {
      throw new IllegalArgumentException("negative size: " + newSize);
    }
    ensureUsable();
    if (newSize >= size) {
      return;
    }
    ensureWritable();
    long newCount = chunkCount(newSize);
    if (newCount > 0) {
      load(newCount - 1); // under the old size, before anything changes
    }
    try {
      for (Chunk c : cache) {
        if (c.index >= newCount) {
          c.index = -1;
          c.dirty = false;
        }
      }
      size = newSize;
      if (newCount > 0) {
        Chunk last = requireCached(newCount - 1);
        Arrays.fill(last.data, chunkLength(newCount - 1), chunkSize, (byte) 0);
        // Seal the new last chunk at once rather than on eviction, so the file on disk is valid
        // again as soon as the channel is cut.
        flush(last);
      }
      channel.truncate(encryptedLength(newSize, chunkSize));
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    }
  }

  /**
   * Sets the size like {@link java.io.RandomAccessFile#setLength}: truncates, or extends with
   * zeros.
   *
   * @throws IllegalArgumentException if {@code newSize} is negative
   */
  public synchronized void setLength(long newSize) throws IOException {
    if (newSize < 0) {
      throw new IllegalArgumentException("negative size: " + newSize);
    }
    ensureUsable();
    if (newSize < size) {
      truncate(newSize);
    } else if (newSize > size) {
      ensureWritable();
      checkMaxSize(newSize);
      extendWithZeros(newSize);
    }
  }

  /**
   * Seals and writes every modified cached chunk, then forces the channel to storage.
   *
   * @param metaData passed to {@link FileChannel#force}
   */
  public synchronized void force(boolean metaData) throws IOException {
    ensureUsable();
    flushAll();
    channel.force(metaData);
  }

  /**
   * Seals and writes every modified cached chunk, without forcing the channel to storage: after it
   * returns, the operating system holds everything written so far (so a crash of the JVM loses
   * nothing, while a crash of the machine may, as for any file not forced).
   */
  public synchronized void flush() throws IOException {
    ensureUsable();
    flushAll();
  }

  /** Whether {@link #close} has not been called yet. */
  public synchronized boolean isOpen() {
    return !closed;
  }

  /**
   * Seals and writes every modified cached chunk, drops the cache and closes the channel. The
   * channel is closed even if writing fails. Idempotent.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      flushAll();
    } finally {
      for (Chunk c : cache) {
        if (c.data != null) {
          Arrays.fill(c.data, (byte) 0);
        }
        c.data = null;
        c.index = -1;
        c.dirty = false;
      }
      channel.close();
    }
  }

  /** The name given when the file was opened. */
  public String name() {
    return name;
  }

  /** Plaintext bytes per chunk of this file. */
  public int chunkSize() {
    return chunkSize;
  }

  @Override
  public synchronized String toString() {
    return "EncryptedFile[" + name + ", size=" + size + (closed ? ", closed" : "") + "]";
  }

  /** Bytes of chunk buffers this file currently holds (for footprint tests). */
  synchronized long retainedBytes() {
    long n = 0;
    for (Chunk c : cache) {
      if (c.data != null) {
        n += c.data.length;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /** Writes {@code len} bytes of {@code src} at {@code pos <= size}. */
  private void writeAt(ByteBuffer src, long pos, int len) throws IOException {
    long end = pos + len;
    long oldSize = size;
    long newSize = Math.max(oldSize, end);
    long oldCount = chunkCount(oldSize);
    long first = pos / chunkSize;
    long last = (end - 1) / chunkSize;

    // Phase 1, nothing changed yet: bring in (under the current size) every existing chunk whose
    // old bytes partly survive, and the old last chunk if its seal must change. At most three
    // chunks, so with four cache slots none of them is evicted before phase 2 uses it.
    if (first < oldCount && !covers(first, pos, end, newSize)) {
      load(first);
    }
    if (last != first && last < oldCount && !covers(last, pos, end, newSize)) {
      load(last);
    }
    long oldLast = oldCount - 1;
    boolean growing = end > oldSize && oldCount > 0;
    if (growing && (oldLast < first || !covers(oldLast, pos, end, newSize))) {
      load(oldLast);
    }

    // Phase 2: apply.
    try {
      if (end > oldSize) {
        if (growing && (oldLast < first || !covers(oldLast, pos, end, newSize))) {
          requireCached(oldLast).dirty = true; // no longer final, or longer: seal again
        }
        size = end;
      }
      for (long i = first; i <= last; ) {
        long start = i * chunkSize;
        int from = (int) (Math.max(pos, start) - start);
        int n = (int) (Math.min(end, start + chunkSize) - start) - from;
        Chunk c = cached(i);
        if (c != null) {
          src.get(c.data, from, n);
          c.dirty = true;
          i++;
        } else if (from != 0 || n != chunkLength(i)) {
          throw new IllegalStateException("chunk " + i + " of " + name + " was not loaded");
        } else if (i != lastIndex()) {
          // Whole chunks that are not the last (so hold exactly C bytes) and not cached: seal
          // them straight from src and write them in one go.
          long j = i + 1;
          while (j <= last
              && j - i < maxBatch()
              && j != lastIndex()
              && (j + 1) * chunkSize <= end
              && peek(j) == null) {
            j++;
          }
          sealRun(src, i, j);
          i = j;
        } else {
          c = allocate(i);
          src.get(c.data, 0, n);
          Arrays.fill(c.data, n, chunkSize, (byte) 0);
          c.dirty = true;
          i++;
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    }
  }

  /** Whether {@code [pos, end)} overwrites all of chunk {@code i} of a file of {@code newSize}. */
  private boolean covers(long i, long pos, long end, long newSize) {
    long start = i * chunkSize;
    long chunkEnd = Math.min(start + chunkSize, newSize);
    return pos <= start && end >= chunkEnd;
  }

  /**
   * Grows the file to {@code target > size} with zeros: up to the next chunk boundary first, then
   * in runs of whole chunks that {@link #writeAt} seals in batches.
   */
  private void extendWithZeros(long target) throws IOException {
    byte[] zeros = new byte[(int) Math.min(target - size, (long) maxBatch() * chunkSize)];
    while (size < target) {
      long room = size % chunkSize == 0 ? zeros.length : chunkSize - size % chunkSize;
      int n = (int) Math.min(target - size, room);
      writeAt(ByteBuffer.wrap(zeros, 0, n), size, n);
    }
  }

  /**
   * Seals chunks {@code [first, end)}, each taking {@code C} bytes from {@code src}, on helper
   * threads too when there are at least {@value #PARALLEL_MIN_CHUNKS}, then writes them with one
   * positional write from the calling thread. If a chunk fails, this throws the failure of the
   * lowest failed chunk, writes nothing and leaves {@code src} unchanged; otherwise {@code src}
   * advances past the chunks.
   */
  private void sealRun(ByteBuffer src, long first, long end) throws IOException {
    int count = (int) (end - first);
    byte[] sealed = sealedScratch(count * sealedChunkSize);
    SealJob job = new SealJob(src, first, count, sealed);
    job.runAll();
    job.throwFailure();
    src.position(src.position() + count * chunkSize);
    writeFully(channel, sealed, 0, count * sealedChunkSize, chunkOffset(first));
  }

  /**
   * Sealing whole chunks of {@code C} bytes from the source into the calling thread's scratch
   * array, chunk {@code k} at {@code k * (C + 28)}, as a {@link ChunkJob}. Threads write disjoint
   * ranges of that array, read the source with absolute indexes only (never its position), and copy
   * from a direct or read-only source through their own scratch array.
   */
  private final class SealJob extends ChunkJob {
    private final ByteBuffer src;
    private final int srcPos; // src's position when the job was made: chunk 0 starts there
    private final byte[] array; // src's array, or null (direct or read-only)
    private final int arrayOff;
    private final long first;
    private final long finalIndex; // the file's last chunk, sealed with final = 1
    private final byte[] sealed;

    SealJob(ByteBuffer src, long first, int count, byte[] sealed) {
      super(count, 1);
      this.src = src;
      this.srcPos = src.position();
      this.array = src.hasArray() ? src.array() : null;
      this.arrayOff = src.hasArray() ? src.arrayOffset() + srcPos : 0;
      this.first = first;
      this.finalIndex = lastIndex(); // as aad(index) would see it; size does not change meanwhile
      this.sealed = sealed;
    }

    @Override
    void doChunks(int k, int n) {
      for (int j = k; j < k + n; j++) {
        try {
          sealChunk(j);
        } catch (IOException | RuntimeException | Error e) {
          fail(j, e);
        }
      }
    }

    private void sealChunk(int k) throws IOException {
      long index = first + k;
      byte[] ad = aadFor(index, index == finalIndex);
      try {
        if (array != null) {
          cipher.encrypt(
              array, arrayOff + k * chunkSize, chunkSize, ad, sealed, k * sealedChunkSize);
        } else {
          byte[] plain = plainScratch(chunkSize); // this thread's own
          src.get(srcPos + k * chunkSize, plain, 0, chunkSize);
          cipher.encrypt(plain, 0, chunkSize, ad, sealed, k * sealedChunkSize);
        }
      } catch (GeneralSecurityException e) {
        throw new IOException(name + ": chunk " + index + ": encryption failed: " + e, e);
      }
    }
  }

  /**
   * Reads chunks {@code [first, end)} (as sealed for the current size) with one positional read and
   * decrypts them, whole, into {@code dst}: straight into its array when it has one, on helper
   * threads too when there are at least {@value #PARALLEL_MIN_CHUNKS}. On failure {@code dst}
   * advances past the chunks before the first failed one only, and holds zeros from there on.
   */
  private void openRun(long first, long end, ByteBuffer dst) throws IOException {
    if (dst.isReadOnly()) {
      throw new java.nio.ReadOnlyBufferException();
    }
    int count = (int) (end - first);
    int lastLen = chunkLength(end - 1);
    if (count >= PARALLEL_MIN_CHUNKS && ChunkHelpers.COUNT > 0) {
      // Helpers will join: let every thread read the groups of chunks it decrypts, so that the
      // copying out of the page cache is shared as well, instead of done by the calling thread up
      // front.
      new OpenJob(null, first, count, lastLen, dst).runHere();
      return;
    }
    int total = (count - 1) * sealedChunkSize + lastLen + CHUNK_OVERHEAD;
    ByteBuffer raw = readRaw(chunkOffset(first), total);
    int got = raw.limit();
    int whole = 0; // chunks wholly read
    while (whole < count
        && got
            >= whole * sealedChunkSize
                + (whole == count - 1 ? lastLen : chunkSize)
                + CHUNK_OVERHEAD) {
      whole++;
    }
    OpenJob job = new OpenJob(raw, first, whole, whole == count ? lastLen : chunkSize, dst);
    job.runHere();
    if (whole < count) {
      int len = whole == count - 1 ? lastLen : chunkSize;
      throw truncatedChunk(
          first + whole, Math.max(0, got - whole * sealedChunkSize), len + CHUNK_OVERHEAD);
    }
  }

  /**
   * The chunks of one run, each done once by the calling thread or by a helper thread. The calling
   * thread and every helper thread that joins take the next chunks nobody has taken yet, so the
   * calling thread alone finishes the job when no helper comes (it never waits for a helper to
   * start). {@link #runAll} returns only once every chunk is done: no helper touches the job's
   * buffers after it returned. A chunk that fails does not stop the others; the job keeps the
   * failure of the lowest failed chunk.
   */
  private abstract static class ChunkJob implements Runnable {
    final int count;
    private final Thread caller = Thread.currentThread();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final int maxGroup;
    private int threads = 1; // the caller and the helpers it offered the job to
    private volatile boolean waiting;
    private int failedChunk = Integer.MAX_VALUE; // guarded by this
    private Throwable failure; // guarded by this

    /**
     * A job of {@code count} chunks, to be run by the thread that creates it, whose threads take up
     * to {@code maxGroup} consecutive chunks at a time.
     */
    ChunkJob(int count, int maxGroup) {
      this.count = count;
      this.maxGroup = maxGroup;
    }

    /**
     * Does chunks {@code [k, k + n)} of the job, passing the failure of each chunk that fails to
     * {@link #fail}; called once per group, on any of the job's threads.
     */
    abstract void doChunks(int k, int n);

    /**
     * Does every chunk on the calling thread, with helpers when there are at least {@value
     * EncryptedFile#PARALLEL_MIN_CHUNKS}, and returns once every chunk is done. Failures are kept,
     * not thrown: see {@link #failedChunk} and {@link #throwFailure}.
     */
    final void runAll() {
      if (count >= PARALLEL_MIN_CHUNKS) {
        int helpers = Math.min(ChunkHelpers.COUNT, count / PARALLEL_MIN_CHUNKS);
        // Set before the offers publish the job; a refused offer only makes the groups smaller.
        threads = 1 + helpers;
        for (int h = 0; h < helpers && ChunkHelpers.offer(this); h++) {
          // offered
        }
      }
      try {
        work();
      } finally {
        awaitDone();
      }
    }

    /** After {@link #runAll}: the lowest chunk that failed, or -1 if none did. */
    final synchronized int failedChunk() {
      return failure == null ? -1 : failedChunk;
    }

    /** After {@link #runAll}: throws the failure of the lowest failed chunk, if there was one. */
    final void throwFailure() throws IOException {
      Throwable cause;
      synchronized (this) {
        cause = failure;
      }
      if (cause == null) {
        return;
      }
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw (Error) cause;
    }

    /** A helper thread's part. */
    @Override
    public final void run() {
      // Only a helper that did a chunk can have done the last one; one that came too late must
      // not unpark the caller, which has moved on.
      if (work() > 0 && waiting && done.get() == count) {
        LockSupport.unpark(caller);
      }
    }

    /**
     * Does groups of chunks until none is left; returns how many chunks this thread did. Groups
     * shrink as the job runs out (a share of what is left, split between its threads), so that the
     * threads finish at about the same time even though a helper joins late.
     */
    private int work() {
      int did = 0;
      while (true) {
        int k = next.get();
        if (k >= count) {
          return did;
        }
        int n = Math.max(1, Math.min(maxGroup, (count - k) / (2 * threads)));
        if (next.compareAndSet(k, k + n)) {
          try {
            doChunks(k, n);
          } catch (RuntimeException | Error e) {
            fail(k, e);
          }
          done.addAndGet(n);
          did += n;
        }
      }
    }

    /** Keeps {@code e} as the job's failure if chunk {@code k} is the lowest that failed so far. */
    final synchronized void fail(int k, Throwable e) {
      if (k < failedChunk) {
        failedChunk = k;
        failure = e;
      }
    }

    /** Waits, uninterruptibly, until every chunk is done. */
    private void awaitDone() {
      // A helper is at most one group behind, and the last groups are single chunks: spin that
      // long before parking, since waking a parked thread costs more than a chunk.
      long spinEnd = System.nanoTime() + SPIN_NANOS;
      while (done.get() < count && System.nanoTime() < spinEnd) {
        Thread.onSpinWait();
      }
      boolean interrupted = false;
      while (done.get() < count) {
        waiting = true;
        if (done.get() < count) {
          LockSupport.park(this);
          interrupted |= Thread.interrupted();
        }
      }
      if (interrupted) {
        caller.interrupt();
      }
    }
  }

  /**
   * Decrypting the whole chunks of one run into the destination, as a {@link ChunkJob}: from the
   * raw bytes read for them up front, or, without those, each chunk read by the thread that
   * decrypts it. Every chunk is authenticated before its plaintext is kept; a chunk that fails, or
   * that the file is too short for, leaves zeros.
   */
  private final class OpenJob extends ChunkJob {
    // The sealed chunks from offset 0, read with absolute gets only; null: each chunk reads itself.
    private final ByteBuffer raw;
    private final long first;
    private final int lastLen;
    private final long finalIndex; // the file's last chunk, sealed with final = 1
    private final ByteBuffer dst;
    private final int dstPos;
    private final byte[] array; // dst's array, or null
    private final int arrayOff;

    OpenJob(ByteBuffer raw, long first, int count, int lastLen, ByteBuffer dst) {
      super(count, raw == null ? Math.max(1, GROUP_BYTES / chunkSize) : 1);
      this.raw = raw;
      this.first = first;
      this.lastLen = lastLen;
      this.finalIndex = lastIndex();
      this.dst = dst;
      this.dstPos = dst.position();
      this.array = dst.hasArray() ? dst.array() : null;
      this.arrayOff = dst.hasArray() ? dst.arrayOffset() + dstPos : 0;
    }

    /**
     * Runs the job on the calling thread, with helpers when it is large enough, and leaves {@code
     * dst} after the decrypted chunks.
     */
    void runHere() throws IOException {
      runAll();
      int failed = failedChunk();
      if (failed < 0) {
        dst.position(dstPos + (count == 0 ? 0 : (count - 1) * chunkSize + lastLen));
        return;
      }
      // Chunks after the failed one may have been decrypted already: drop them too.
      int from = failed * chunkSize;
      int to = (count - 1) * chunkSize + lastLen;
      if (array != null) {
        Arrays.fill(array, arrayOff + from, arrayOff + to, (byte) 0);
      } else {
        for (int p = from; p < to; p++) {
          dst.put(dstPos + p, (byte) 0);
        }
      }
      dst.position(dstPos + from);
      throwFailure();
    }

    /**
     * Without raw bytes, reads the group's sealed chunks with one positional read into this
     * thread's direct buffer, then decrypts them one by one. A failed read fails the group from its
     * first chunk.
     */
    @Override
    void doChunks(int k, int n) {
      ByteBuffer src = raw;
      int base = 0; // chunk of the job at offset 0 of src
      if (raw == null) {
        int len = (n - 1) * sealedChunkSize + length(k + n - 1) + CHUNK_OVERHEAD;
        try {
          src = readRaw(chunkOffset(first + k), len);
        } catch (IOException | RuntimeException | Error e) {
          fail(k, e);
          return;
        }
        base = k;
      }
      for (int j = k; j < k + n; j++) {
        try {
          open(src, (j - base) * sealedChunkSize, j);
        } catch (IOException | RuntimeException | Error e) {
          fail(j, e);
        }
      }
    }

    private int length(int k) {
      return k == count - 1 ? lastLen : chunkSize;
    }

    /** Authenticates and decrypts chunk {@code k}, sealed at {@code src[off]}, into place. */
    private void open(ByteBuffer src, int off, int k) throws IOException {
      long index = first + k;
      int len = length(k);
      if (src.limit() < off + len + CHUNK_OVERHEAD) {
        throw truncatedChunk(index, Math.max(0, src.limit() - off), len + CHUNK_OVERHEAD);
      }
      boolean last = index == finalIndex;
      if (array != null) {
        decryptRaw(src, off, len, index, last, array, arrayOff + k * chunkSize);
      } else {
        byte[] plain = plainScratch(chunkSize);
        decryptRaw(src, off, len, index, last, plain, 0);
        dst.put(dstPos + k * chunkSize, plain, 0, len);
      }
    }
  }

  private void seal(byte[] plain, int off, int len, long index) throws IOException {
    byte[] sealed = sealedScratch(sealedChunkSize);
    try {
      cipher.encrypt(plain, off, len, aad(index), sealed, 0);
    } catch (GeneralSecurityException e) {
      throw new IOException(name + ": chunk " + index + ": encryption failed: " + e, e);
    }
    writeFully(channel, sealed, 0, len + CHUNK_OVERHEAD, chunkOffset(index));
  }

  private void flush(Chunk c) throws IOException {
    seal(c.data, 0, chunkLength(c.index), c.index);
    c.dirty = false;
  }

  private void flushAll() throws IOException {
    try {
      while (true) {
        Chunk next = null;
        for (Chunk c : cache) {
          if (c.dirty && (next == null || c.index < next.index)) {
            next = c;
          }
        }
        if (next == null) {
          return;
        }
        flush(next);
      }
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and the cache

  /**
   * Reads chunk {@code index} (as sealed for the current size) and decrypts it into {@code out} at
   * {@code off}.
   */
  private void readChunk(long index, byte[] out, int off) throws IOException {
    readChunk(index, chunkLength(index), index == lastIndex(), out, off);
  }

  /**
   * Reads chunk {@code index} of {@code len} plaintext bytes, sealed with the final flag {@code
   * last}, and decrypts it into {@code out} at {@code off}. Any thread may call it: it reads no
   * mutable field of this file, and reads into the calling thread's own buffers.
   */
  private void readChunk(long index, int len, boolean last, byte[] out, int off)
      throws IOException {
    int sealedLen = len + CHUNK_OVERHEAD;
    ByteBuffer raw = readRaw(chunkOffset(index), sealedLen);
    if (raw.limit() < sealedLen) {
      throw truncatedChunk(index, raw.limit(), sealedLen);
    }
    decryptRaw(raw, 0, len, index, last, out, off);
  }

  /**
   * Reads up to {@code len} bytes of the file at {@code position} into the calling thread's direct
   * buffer, at the same offset within a page (see {@link #PAGE}), and returns a view of them from
   * index 0 whose limit is the number of bytes read (less than {@code len} only at the end of the
   * file). The view stays valid until this thread's next raw read.
   */
  private ByteBuffer readRaw(long position, int len) throws IOException {
    int start = (int) (position & (PAGE - 1));
    ByteBuffer b = rawBuffer(start + len).slice(start, len);
    while (b.hasRemaining()) {
      if (channel.read(b, position + b.position()) < 0) {
        break;
      }
    }
    return b.flip();
  }

  /**
   * Authenticates and decrypts the sealed chunk {@code index} at {@code raw[rawOff]} into {@code
   * out} at {@code off}, through the calling thread's heap scratch buffer. Any thread may call it:
   * it reads {@code raw} with an absolute get, and builds the associated data itself.
   */
  private void decryptRaw(
      ByteBuffer raw, int rawOff, int len, long index, boolean last, byte[] out, int off)
      throws IOException {
    byte[] sealed = sealedScratch(sealedChunkSize);
    raw.get(rawOff, sealed, 0, len + CHUNK_OVERHEAD);
    try {
      cipher.decrypt(sealed, 0, len + CHUNK_OVERHEAD, aadFor(index, last), out, off);
    } catch (AEADBadTagException e) {
      throw new VolumeIntegrityException(
          name,
          index,
          "failed authentication (modified, moved, truncated, or from another file or volume)");
    } catch (GeneralSecurityException e) {
      throw new IOException(name + ": chunk " + index + ": decryption failed: " + e, e);
    }
  }

  private VolumeIntegrityException truncatedChunk(long index, int got, int expected) {
    return new VolumeIntegrityException(
        name, index, "truncated: " + got + " of " + expected + " bytes present");
  }

  /** The cached chunk {@code index}, loading and authenticating it if needed. */
  private Chunk load(long index) throws IOException {
    Chunk c = cached(index);
    if (c != null) {
      return c;
    }
    c = allocate(index);
    try {
      readChunk(index, c.data, 0);
    } catch (IOException | RuntimeException | Error e) {
      c.index = -1;
      throw e;
    }
    Arrays.fill(c.data, chunkLength(index), chunkSize, (byte) 0);
    return c;
  }

  private Chunk cached(long index) {
    for (Chunk c : cache) {
      if (c.index == index) {
        touch(c);
        return c;
      }
    }
    return null;
  }

  /** The cached chunk {@code index} or null, without counting a use. */
  private Chunk peek(long index) {
    for (Chunk c : cache) {
      if (c.index == index) {
        return c;
      }
    }
    return null;
  }

  private Chunk requireCached(long index) {
    Chunk c = cached(index);
    if (c == null) {
      throw new IllegalStateException("chunk " + index + " of " + name + " left the cache");
    }
    return c;
  }

  /**
   * A clean cache slot assigned to {@code index}: a free one, or the least recently used one,
   * written out first if dirty. The slot's data is not initialized.
   */
  private Chunk allocate(long index) throws IOException {
    Chunk victim = null;
    for (Chunk c : cache) {
      if (c.index == -1) {
        victim = c;
        break;
      }
      if (victim == null || c.lastUse < victim.lastUse) {
        victim = c;
      }
    }
    if (victim.dirty) {
      flush(victim);
    }
    if (victim.data == null) {
      victim.data = new byte[chunkSize];
    }
    victim.index = index;
    touch(victim);
    return victim;
  }

  private void touch(Chunk c) {
    c.lastUse = ++clock;
  }

  // ---------------------------------------------------------------------------------------------
  // Geometry and helpers

  private long chunkCount(long plainSize) {
    return plainSize / chunkSize + (plainSize % chunkSize == 0 ? 0 : 1);
  }

  private long lastIndex() {
    return chunkCount(size) - 1;
  }

  private int chunkLength(long index) {
    return (int) Math.min(chunkSize, size - index * chunkSize);
  }

  private int maxBatch() {
    return Math.max(1, BATCH_BYTES / sealedChunkSize);
  }

  /** Most whole chunks read with one system call: {@value #BATCH_BYTES} bytes of plaintext. */
  private int maxReadBatch() {
    return Math.max(1, BATCH_BYTES / chunkSize);
  }

  private long chunkOffset(long index) {
    return HEADER_LENGTH + index * sealedChunkSize;
  }

  /**
   * The associated data of chunk {@code index} for the current size, in a new array: never one
   * shared by the seals of this file, since the chunks of a run are sealed on several threads at
   * once (helper threads build theirs with {@link #aadFor} from the final index their job took on
   * the calling thread, so that they never read {@code size}).
   */
  private byte[] aad(long index) {
    return aadFor(index, index == lastIndex());
  }

  /** The length on disk of an encrypted file holding {@code plainSize} bytes. */
  static long encryptedLength(long plainSize, int chunkSize) {
    long full = plainSize / chunkSize;
    long rem = plainSize % chunkSize;
    return HEADER_LENGTH
        + full * (chunkSize + CHUNK_OVERHEAD)
        + (rem > 0 ? rem + CHUNK_OVERHEAD : 0);
  }

  /** The plaintext size of an encrypted file of {@code length} bytes, or -1 if none fits. */
  static long plaintextSize(long length, int chunkSize) {
    long body = length - HEADER_LENGTH;
    if (body < 0) {
      return -1;
    }
    long sealed = chunkSize + CHUNK_OVERHEAD;
    long full = body / sealed;
    long rem = body % sealed;
    if (rem == 0) {
      return full * chunkSize;
    }
    return rem > CHUNK_OVERHEAD ? full * chunkSize + rem - CHUNK_OVERHEAD : -1;
  }

  private static boolean validChunkSize(int n) {
    return n >= MIN_CHUNK_SIZE && n <= MAX_CHUNK_SIZE && Integer.bitCount(n) == 1;
  }

  private void checkPosition(long position) {
    if (position < 0) {
      throw new IllegalArgumentException("negative position: " + position);
    }
  }

  private void checkMaxSize(long newSize) throws IOException {
    if (newSize < 0 || newSize > maxSize) {
      throw new IOException(name + ": file would exceed the largest encrypted file size");
    }
  }

  private void ensureUsable() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (failure != null) {
      throw new IOException(
          name + ": unusable after an earlier failed write; close and reopen it: " + failure,
          failure);
    }
  }

  /**
   * Fails before anything changes if the channel is read-only (instead of when a dirty chunk is
   * evicted later). An empty positional write is a no-op on a writable channel.
   *
   * @throws java.nio.channels.NonWritableChannelException if the channel was not opened for writing
   */
  private void ensureWritable() throws IOException {
    if (!writable) {
      channel.write(ByteBuffer.allocate(0), 0);
      writable = true;
    }
  }

  private static VolumeKey.FileKeys deriveKeys(VolumeKey key, byte[] fileId, String name)
      throws IOException {
    try {
      return key.fileKeys(fileId);
    } catch (GeneralSecurityException e) {
      throw new IOException(name + ": cannot derive the file key: " + e, e);
    }
  }

  private static byte[] headerTag(byte[] headerMacKey, byte[] header) throws IOException {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(headerMacKey, "HmacSHA256"));
      mac.update(header, 0, OFF_TAG);
      return Arrays.copyOf(mac.doFinal(), HEADER_TAG_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IOException("HmacSHA256 unavailable: " + e, e);
    }
  }

  private static byte[] sealedScratch(int n) {
    return scratch(SEALED, n);
  }

  private static byte[] plainScratch(int n) {
    return scratch(PLAIN, n);
  }

  /** The calling thread's direct buffer for raw reads, page-aligned and of at least {@code n}. */
  private static ByteBuffer rawBuffer(int n) {
    ByteBuffer b = RAW.get();
    if (b == null || b.capacity() < n) {
      int size = (n + PAGE - 1) & -PAGE;
      b = ByteBuffer.allocateDirect(size + PAGE).alignedSlice(PAGE);
      RAW.set(b);
    }
    return b;
  }

  private static byte[] scratch(ThreadLocal<byte[]> holder, int n) {
    byte[] b = holder.get();
    if (b == null || b.length < n) {
      b = new byte[n];
      holder.set(b);
    }
    return b;
  }

  /** Reads up to {@code len} bytes at {@code position}; returns how many until end of file. */
  private static int readFully(FileChannel ch, byte[] b, int off, int len, long position)
      throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    while (buf.hasRemaining()) {
      int n = ch.read(buf, position + (buf.position() - off));
      if (n < 0) {
        break;
      }
    }
    return buf.position() - off;
  }

  private static void writeFully(FileChannel ch, byte[] b, int off, int len, long position)
      throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    while (buf.hasRemaining()) {
      ch.write(buf, position + (buf.position() - off));
    }
  }

  private static void closeSuppressed(FileChannel ch, Throwable primary) {
    try {
      ch.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }
}
