package io.cloak.agent.boot;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * The bridge between the file-volume advice inlined into JDK classes ({@code FileInputStream},
 * {@code RandomAccessFile}, the default file system provider...) and the agent's implementation.
 *
 * <p>The agent appends this class (and {@link Handler}) to the bootstrap class path before it
 * instruments anything, since advice inside {@code java.base} can only see bootstrap classes. So
 * this class may refer to nothing but JDK types. The implementation of {@link Handler} lives in the
 * agent on the system class path and is installed once at start-up. When no volume is configured,
 * no handler is installed and nothing is instrumented.
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
