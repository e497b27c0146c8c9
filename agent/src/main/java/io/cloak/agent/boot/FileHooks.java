package io.cloak.agent.boot;

import java.io.Closeable;
import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The bridge between the file-volume hooks inserted into JDK classes ({@code FileInputStream},
 * {@code RandomAccessFile}, the default file system provider...) and the agent's implementation.
 *
 * <p>The agent defines this class (and {@link Handler}) in the bootstrap class loader before it
 * instruments anything, since code inside {@code java.base} can only see bootstrap classes. So this
 * class may refer to nothing but JDK types, and declares no nested class other than {@link Handler}
 * (and no lambda).
 *
 * <p>The static methods below the handler accessors are what the instrumented JDK methods call (see
 * {@code io.cloak.agent.file.instrument.JdkFileInstrumentation}): each keeps the bytecode inserted
 * into the JDK to a few instructions. The implementation of {@link Handler} lives in the agent on
 * the system class path and is installed once at start-up. When no volume is configured, no handler
 * is installed and nothing is instrumented.
 *
 * <p>Thread-safety: {@link #install} publishes through a volatile field; the handler must be
 * thread-safe.
 */
public final class FileHooks {
  private static volatile Handler handler;

  private FileHooks() {}

  /** Installs the handler. Called once by the agent, before the JDK classes are instrumented. */
  public static void install(Handler h) {
    handler = h;
  }

  /** The installed handler, or {@code null}. */
  public static Handler handler() {
    return handler;
  }

  /**
   * The handle of an encrypted stream or random-access file, or {@code null} when {@code stream} is
   * not a file of a volume opened as encrypted (plaintext files, files outside volumes, no
   * handler). Called by the advice on every hooked stream method: must be cheap.
   */
  public static Object handle(Object stream) {
    Handler h = handler;
    return h == null ? null : h.handle(stream);
  }

  /**
   * The replacement for {@code RandomAccessFile.length()} at call sites the agent rewrites (that
   * method is native, so it cannot carry advice).
   */
  public static long length(RandomAccessFile file) throws IOException {
    Handler h = handler;
    Object handle = h == null ? null : h.handle(file);
    return handle == null ? file.length() : h.size(handle);
  }

  /** The replacement for {@code RandomAccessFile.setLength(long)} at rewritten call sites. */
  public static void setLength(RandomAccessFile file, long newLength) throws IOException {
    Handler h = handler;
    Object handle = h == null ? null : h.handle(file);
    if (handle == null) {
      file.setLength(newLength);
    } else {
      h.setLength(handle, newLength);
    }
  }

  // ----- called by the instrumented JDK methods -------------------------------------------------
  // A stream method asks handle(this) first; when it is not null, the method returns what the
  // matching method below returns and its own body is skipped.

  /** {@code read()}. */
  public static int read(Object handle) throws IOException {
    return handler.read(handle);
  }

  /** {@code read(byte[])}. */
  public static int read(Object handle, byte[] b) throws IOException {
    return handler.read(handle, b, 0, b.length);
  }

  /** {@code read(byte[], int, int)}. */
  public static int read(Object handle, byte[] b, int off, int len) throws IOException {
    return handler.read(handle, b, off, len);
  }

  /** {@code FileInputStream.readAllBytes()}. */
  public static byte[] readAllBytes(Object handle) throws IOException {
    return handler.readAllBytes(handle);
  }

  /** {@code FileInputStream.readNBytes(int)}. */
  public static byte[] readNBytes(Object handle, int len) throws IOException {
    return handler.readNBytes(handle, len);
  }

  /** {@code FileInputStream.skip(long)}. */
  public static long skip(Object handle, long n) throws IOException {
    return handler.skip(handle, n);
  }

  /** {@code RandomAccessFile.skipBytes(int)}. */
  public static int skipBytes(Object handle, int n) throws IOException {
    return handler.skipBytes(handle, n);
  }

  /** {@code FileInputStream.available()}. */
  public static int available(Object handle) throws IOException {
    return handler.available(handle);
  }

  /** {@code write(int)}. */
  public static void write(Object handle, int b) throws IOException {
    handler.write(handle, b);
  }

  /** {@code write(byte[])}. */
  public static void write(Object handle, byte[] b) throws IOException {
    handler.write(handle, b, 0, b.length);
  }

  /** {@code write(byte[], int, int)}. */
  public static void write(Object handle, byte[] b, int off, int len) throws IOException {
    handler.write(handle, b, off, len);
  }

  /**
   * {@code RandomAccessFile.writeBytes(String)}: the JDK writes through a private native method, so
   * this encodes the low byte of each char itself.
   */
  public static void writeBytes(Object handle, String s) throws IOException {
    int len = s.length();
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) s.charAt(i);
    }
    handler.write(handle, b, 0, len);
  }

  /** {@code RandomAccessFile.writeChars(String)}: two bytes per char, high byte first. */
  public static void writeChars(Object handle, String s) throws IOException {
    int len = s.length();
    byte[] b = new byte[len * 2];
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      b[2 * i] = (byte) (c >>> 8);
      b[2 * i + 1] = (byte) c;
    }
    handler.write(handle, b, 0, b.length);
  }

  /**
   * {@code getChannel()}: the handler's channel over the plaintext. The method declares no {@code
   * IOException}, so a failure reaches the application as {@link UncheckedIOException}.
   */
  public static FileChannel getChannel(Object handle) {
    try {
      return handler.channel(handle);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** At every normal return of a stream's {@code close()}: releases a registered stream. */
  public static void closed(Object stream) throws IOException {
    Handler h = handler;
    if (h != null && h.handle(stream) != null) {
      h.closed(stream);
    }
  }

  /**
   * When a stream's {@code close()} throws {@code failure}: releases a registered stream all the
   * same, and returns {@code failure} (with what releasing threw added as suppressed) to rethrow.
   */
  public static Throwable closedAfterFailure(Throwable failure, Object stream) {
    try {
      closed(stream);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  /**
   * On entry to {@code FileInputStream(FileDescriptor)} ({@code kind} {@link
   * Handler#FILE_INPUT_STREAM}) and {@code FileOutputStream(FileDescriptor)} ({@link
   * Handler#FILE_OUTPUT_STREAM}), before the stream exists: see {@link Handler#checkDescriptor}.
   */
  public static void checkDescriptor(FileDescriptor fd, int kind) {
    Handler h = handler;
    if (h != null && fd != null) {
      h.checkDescriptor(fd, kind);
    }
  }

  /**
   * After the native open of a {@code FileInputStream} ({@code kind} {@link
   * Handler#FILE_INPUT_STREAM}) or {@code FileOutputStream} ({@link Handler#FILE_OUTPUT_STREAM}).
   * If the handler cannot open the file as encrypted, closes the stream and rethrows: the
   * application never reads ciphertext as its data, nor writes plaintext into a volume.
   */
  public static void afterOpen(Object stream, String path, int kind, boolean append)
      throws IOException {
    Handler h = handler;
    if (h == null) {
      return;
    }
    try {
      h.afterOpen(stream, path, kind, append);
    } catch (IOException e) {
      try {
        ((Closeable) stream).close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * After the native open of a {@code RandomAccessFile}; {@code mode} is the JDK's open mode (see
   * {@link Handler#afterRandomAccessOpen}). Otherwise as {@link #afterOpen}.
   */
  public static void afterRandomAccessOpen(Object file, String path, int mode) throws IOException {
    Handler h = handler;
    if (h == null) {
      return;
    }
    try {
      h.afterRandomAccessOpen(file, path, mode);
    } catch (IOException e) {
      try {
        ((Closeable) file).close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The {@code append} flag for the native open of a {@code FileOutputStream}. */
  public static boolean nativeAppend(String path, boolean append) {
    Handler h = handler;
    return h == null ? append : h.nativeAppend(path, append);
  }

  /** {@code File.length()}: the value it is about to return, mapped to the plaintext length. */
  public static long fileLength(long lengthOnDisk, File file) {
    Handler h = handler;
    return h == null ? lengthOnDisk : h.length(file, lengthOnDisk);
  }

  /** {@code File.renameTo(File)}: non-zero when the rename is refused (it then returns false). */
  public static int renameRefused(File from, File to) {
    Handler h = handler;
    return h != null && to != null && !h.renameAllowed(from, to) ? 1 : 0;
  }

  /** Set while {@link #openChannel} runs the provider's own open, which then passes through. */
  private static final ThreadLocal<Boolean> NATIVE_OPEN = new ThreadLocal<>();

  /**
   * The provider's {@code newFileChannel} ({@code byteChannel} false) or {@code newByteChannel}:
   * for a file of a volume, opens it through the provider with the handler's native options and
   * returns the handler's channel over the plaintext; otherwise returns {@code null} and the
   * provider's method runs unchanged.
   */
  public static FileChannel openChannel(
      Object provider,
      Path path,
      Set<? extends OpenOption> options,
      FileAttribute<?>[] attrs,
      boolean byteChannel)
      throws IOException {
    Handler h = handler;
    if (h == null || NATIVE_OPEN.get() != null) {
      return null;
    }
    Object token = h.beforeChannelOpen(path, options);
    if (token == null) {
      return null;
    }
    FileSystemProvider p = (FileSystemProvider) provider;
    Set<? extends OpenOption> nativeOptions = h.nativeOptions(token);
    SeekableByteChannel opened;
    NATIVE_OPEN.set(Boolean.TRUE);
    try {
      opened =
          byteChannel
              ? p.newByteChannel(path, nativeOptions, attrs)
              : p.newFileChannel(path, nativeOptions, attrs);
    } finally {
      NATIVE_OPEN.remove();
    }
    try {
      return h.afterChannelOpen(token, opened);
    } catch (Throwable e) {
      try {
        opened.close();
      } catch (Throwable suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The provider's {@code newFileChannel}: see {@link #openChannel}. */
  public static FileChannel newFileChannel(
      Object provider, Path path, Set<? extends OpenOption> options, FileAttribute<?>[] attrs)
      throws IOException {
    return openChannel(provider, path, options, attrs, false);
  }

  /** The provider's {@code newByteChannel}: see {@link #openChannel}. */
  public static SeekableByteChannel newByteChannel(
      Object provider, Path path, Set<? extends OpenOption> options, FileAttribute<?>[] attrs)
      throws IOException {
    return openChannel(provider, path, options, attrs, true);
  }

  /**
   * The provider's {@code newAsynchronousFileChannel}: for a file of a volume, opens a channel over
   * the plaintext as {@link #openChannel} does and returns the handler's asynchronous channel over
   * it; otherwise returns {@code null} and the provider's method runs unchanged (it also refuses
   * {@code APPEND}, which asynchronous channels do not support).
   */
  public static AsynchronousFileChannel newAsynchronousFileChannel(
      Object provider,
      Path path,
      Set<? extends OpenOption> options,
      ExecutorService executor,
      FileAttribute<?>[] attrs)
      throws IOException {
    Handler h = handler;
    if (h == null || NATIVE_OPEN.get() != null || options.contains(StandardOpenOption.APPEND)) {
      return null;
    }
    FileChannel channel = openChannel(provider, path, options, attrs, false);
    if (channel == null) {
      return null;
    }
    try {
      return h.asynchronous(channel, executor);
    } catch (RuntimeException | Error e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The provider's {@code copy}: non-zero when the handler copied (the native copy is skipped). */
  public static int copy(Path source, Path target, CopyOption[] options) throws IOException {
    Handler h = handler;
    return h != null && h.copy(source, target, options) ? 1 : 0;
  }

  /** The provider's {@code move}: non-zero when the handler moved (the native move is skipped). */
  public static int move(Path source, Path target, CopyOption[] options) throws IOException {
    Handler h = handler;
    return h != null && h.move(source, target, options) ? 1 : 0;
  }

  /** The attribute views' {@code readAttributes()}: plaintext sizes for encrypted files. */
  public static BasicFileAttributes basicAttributes(BasicFileAttributes attrs, Path file) {
    Handler h = handler;
    return h == null || attrs == null ? attrs : h.attributes(file, attrs);
  }

  /** As {@link #basicAttributes}, for POSIX attributes. */
  public static PosixFileAttributes posixAttributes(PosixFileAttributes attrs, Path file) {
    Handler h = handler;
    return h == null || attrs == null ? attrs : (PosixFileAttributes) h.attributes(file, attrs);
  }

  /**
   * What the agent does for files in volumes. Every {@code Object handle} below is a value this
   * handler returned from {@link #handle}. Methods that fail throw {@link IOException} (an
   * integrity failure is an {@code IOException} naming the file), never return wrong bytes.
   */
  public interface Handler {
    // ----- java.io streams and RandomAccessFile (kinds below) -----------------------------------

    /** {@link #beforeOpen} / {@link #afterOpen} kind: {@code FileInputStream}. */
    int FILE_INPUT_STREAM = 0;

    /** Kind: {@code FileOutputStream}. */
    int FILE_OUTPUT_STREAM = 1;

    /** Kind: {@code RandomAccessFile} opened read-only ({@code "r"}). */
    int RANDOM_ACCESS_READ = 2;

    /** Kind: {@code RandomAccessFile} opened read-write ({@code "rw"}, {@code "rws"}, ...). */
    int RANDOM_ACCESS_WRITE = 3;

    /**
     * Before the native open of a {@code FileOutputStream}: returns the {@code append} flag the
     * native open must use. For an encrypted (or new, or empty) file in a volume it returns {@code
     * true}, so the operating system does not truncate the file and destroy its header; the handler
     * truncates it itself in {@link #afterOpen}. Otherwise returns {@code append}.
     */
    boolean nativeAppend(String path, boolean append);

    /**
     * After {@code stream} (of the given kind) opened {@code path} successfully. If the file is in
     * a volume and is encrypted, new or empty, registers {@code stream} so that {@link #handle}
     * returns its handle from now on (creating the encrypted header, or truncating through the
     * encryption when a {@code FileOutputStream} asked to truncate). Plaintext files that existed
     * before the volume was configured are left alone.
     *
     * @param append what the application asked for (before {@link #nativeAppend} changed it)
     * @throws IOException if the file cannot be opened as encrypted; the advice then closes the
     *     stream and rethrows, so the application never writes plaintext into a volume by mistake
     */
    void afterOpen(Object stream, String path, int kind, boolean append) throws IOException;

    /** {@code RandomAccessFile}'s open mode bit for read-write ({@code "rw"}, {@code "rws"}...). */
    int RAF_READ_WRITE = 2;

    /** Open mode bit for {@code "rws"}: every write reaches storage with its metadata. */
    int RAF_SYNC = 4;

    /** Open mode bit for {@code "rwd"}: every write reaches storage. */
    int RAF_DSYNC = 8;

    /**
     * {@link #afterOpen} for a {@code RandomAccessFile}: {@code mode} is the JDK's open mode, a
     * combination of {@link #RAF_READ_WRITE}, {@link #RAF_SYNC} and {@link #RAF_DSYNC} (the
     * constants of {@code RandomAccessFile}'s native open). The default ignores the synchronous
     * bits.
     */
    default void afterRandomAccessOpen(Object file, String path, int mode) throws IOException {
      afterOpen(
          file,
          path,
          (mode & RAF_READ_WRITE) != 0 ? RANDOM_ACCESS_WRITE : RANDOM_ACCESS_READ,
          false);
    }

    /**
     * The handle registered for {@code stream} by {@link #afterOpen}, or {@code null}. Called on
     * every hooked stream method of every file in the JVM (class loading reads jars this way): must
     * be a cheap lookup.
     */
    Object handle(Object stream);

    /** {@code read()}: one byte, or -1 at the end. */
    int read(Object handle) throws IOException;

    /** {@code read(byte[], int, int)} (and {@code read(byte[])} with 0, length). */
    int read(Object handle, byte[] b, int off, int len) throws IOException;

    /** {@code FileInputStream.readAllBytes()}. */
    byte[] readAllBytes(Object handle) throws IOException;

    /** {@code FileInputStream.readNBytes(int)}. */
    byte[] readNBytes(Object handle, int len) throws IOException;

    /** {@code FileInputStream.skip(long)}. */
    long skip(Object handle, long n) throws IOException;

    /** {@code RandomAccessFile.skipBytes(int)}. */
    int skipBytes(Object handle, int n) throws IOException;

    /** {@code FileInputStream.available()}. */
    int available(Object handle) throws IOException;

    /** {@code write(int)}. */
    void write(Object handle, int b) throws IOException;

    /** {@code write(byte[], int, int)} (and {@code write(byte[])}). */
    void write(Object handle, byte[] b, int off, int len) throws IOException;

    /** The plaintext size ({@code RandomAccessFile.length()} at rewritten call sites). */
    long size(Object handle) throws IOException;

    /** {@code RandomAccessFile.setLength(long)} at rewritten call sites. */
    void setLength(Object handle, long newLength) throws IOException;

    /**
     * {@code getChannel()}: a channel over the plaintext that shares the stream's position, as the
     * JDK's own does. The same channel is returned on every call.
     */
    FileChannel channel(Object handle) throws IOException;

    /**
     * After the stream's {@code close()} ran: writes what is pending and releases the file.
     * Idempotent.
     */
    void closed(Object stream) throws IOException;

    /**
     * Before a {@code FileInputStream} or {@code FileOutputStream} ({@code kind}) is made from
     * {@code fd}: throws {@link java.io.UncheckedIOException} when {@code fd} is that of a file the
     * handler encrypts, since such a stream would read the ciphertext or write plaintext past the
     * encryption.
     */
    void checkDescriptor(FileDescriptor fd, int kind);

    // ----- java.io.File
    // ---------------------------------------------------------------------------

    /** {@code File.length()}: maps the length on disk to the plaintext length where needed. */
    long length(File file, long lengthOnDisk);

    /**
     * {@code File.renameTo(File)}: whether the native rename may run. A rename across a volume's
     * boundary would move ciphertext out (or plaintext in), so it is refused ({@code renameTo} then
     * returns {@code false}, as its contract allows).
     */
    boolean renameAllowed(File from, File to);

    // ----- java.nio.file (the default provider) --------------------------------------------------

    /**
     * Before the provider's {@code newFileChannel} / {@code newByteChannel} opens {@code path}:
     * returns a token for {@link #afterChannelOpen} when the file is in a volume and is (or will
     * be) encrypted, else {@code null}.
     */
    Object beforeChannelOpen(Path path, Set<? extends OpenOption> options) throws IOException;

    /**
     * The options the native open must use for a token from {@link #beforeChannelOpen}: the
     * application's, without {@code TRUNCATE_EXISTING} and {@code APPEND} (the handler applies them
     * through the encryption) and with {@code READ}.
     */
    Set<? extends OpenOption> nativeOptions(Object token);

    /**
     * After the native open for a token: returns the channel the application gets, over the
     * plaintext. {@code opened} is the provider's own channel; the returned channel owns it (uses
     * it for locks and closes it).
     */
    FileChannel afterChannelOpen(Object token, SeekableByteChannel opened) throws IOException;

    /**
     * The asynchronous channel the application gets from {@code newAsynchronousFileChannel}, over
     * {@code channel} (one that {@link #afterChannelOpen} returned, which it then owns). Its
     * operations run on {@code executor}, or on a pool of the handler's when that is null.
     */
    AsynchronousFileChannel asynchronous(FileChannel channel, ExecutorService executor);

    /**
     * The attributes of {@code file} as the application should see them: {@code size()} is the
     * plaintext size for encrypted files; everything else is {@code attrs}. Returns {@code attrs}
     * itself for files outside volumes. The result implements the same attribute interfaces ({@code
     * PosixFileAttributes} when {@code attrs} does).
     */
    BasicFileAttributes attributes(Path file, BasicFileAttributes attrs);

    /**
     * The provider's {@code copy(source, target, options)}: returns {@code true} when the handler
     * did the copy (a side is in a volume: the bytes are decrypted and re-encrypted as needed), so
     * the native copy must not run.
     */
    boolean copy(Path source, Path target, CopyOption[] options) throws IOException;

    /**
     * The provider's {@code move(source, target, options)}: returns {@code true} when the handler
     * did the move (across a volume's boundary: copy, then delete), so the native move must not
     * run. A rename inside one volume, or outside all volumes, is left to the native move.
     */
    boolean move(Path source, Path target, CopyOption[] options) throws IOException;
  }
}
