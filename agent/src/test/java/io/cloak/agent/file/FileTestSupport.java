package io.cloak.agent.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cloak.agent.boot.FileHooks;
import io.cloak.agent.volume.VolumeKey;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Helpers for the handler tests: they drive {@link VolumeFileHandler} the way the JDK advice does,
 * with real streams and channels, without instrumentation.
 */
final class FileTestSupport {
  static final byte[] MARKER =
      "<<CLOAK-SECRET-MARKER-0123456789>>".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MAGIC = "CLKV".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private FileTestSupport() {}

  /** A volume key with a random id and key (through the package-private factory). */
  static VolumeKey newVolumeKey() {
    byte[] id = new byte[16];
    byte[] key = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(key);
    try {
      Method of = VolumeKey.class.getDeclaredMethod("of", byte[].class, byte[].class);
      of.setAccessible(true);
      return (VolumeKey) of.invoke(null, id, key);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  static VolumeFileHandler handler(Path root) {
    return new VolumeFileHandler(Map.of(root, newVolumeKey()));
  }

  /** {@code size} bytes of the marker repeated. */
  static byte[] markerContent(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = MARKER[i % MARKER.length];
    }
    return b;
  }

  static FileOutputStream openOut(VolumeFileHandler h, Path file, boolean append)
      throws IOException {
    boolean nativeAppend = h.nativeAppend(file.toString(), append);
    FileOutputStream s = new FileOutputStream(file.toFile(), nativeAppend);
    h.afterOpen(s, file.toString(), FileHooks.Handler.FILE_OUTPUT_STREAM, append);
    return s;
  }

  static FileInputStream openIn(VolumeFileHandler h, Path file) throws IOException {
    FileInputStream s = new FileInputStream(file.toFile());
    h.afterOpen(s, file.toString(), FileHooks.Handler.FILE_INPUT_STREAM, false);
    return s;
  }

  static RandomAccessFile openRaf(VolumeFileHandler h, Path file, String mode) throws IOException {
    RandomAccessFile f = new RandomAccessFile(file.toFile(), mode);
    // The open mode as the JDK passes it to its native open (and the agent's hook).
    int bits =
        switch (mode) {
          case "r" -> 1;
          case "rw" -> FileHooks.Handler.RAF_READ_WRITE;
          case "rws" -> FileHooks.Handler.RAF_READ_WRITE | FileHooks.Handler.RAF_SYNC;
          case "rwd" -> FileHooks.Handler.RAF_READ_WRITE | FileHooks.Handler.RAF_DSYNC;
          default -> throw new IllegalArgumentException(mode);
        };
    h.afterRandomAccessOpen(f, file.toString(), bits);
    return f;
  }

  /** Closes a stream as the advice does: the stream's close, then the handler's closed. */
  static void close(VolumeFileHandler h, java.io.Closeable stream) throws IOException {
    stream.close();
    h.closed(stream);
  }

  /** Opens a channel as the provider advice does. */
  static FileChannel openChannel(VolumeFileHandler h, Path file, Set<? extends OpenOption> options)
      throws IOException {
    Object token = h.beforeChannelOpen(file, options);
    if (token == null) {
      return FileChannel.open(file, options);
    }
    FileChannel opened = FileChannel.open(file, h.nativeOptions(token));
    return h.afterChannelOpen(token, opened);
  }

  /** Writes all of {@code content} through the handler with a FileOutputStream. */
  static void writeThrough(VolumeFileHandler h, Path file, byte[] content) throws IOException {
    FileOutputStream out = openOut(h, file, false);
    Object handle = h.handle(out);
    h.write(handle, content, 0, content.length);
    close(h, out);
  }

  /** Reads all of {@code file} through the handler with a FileInputStream. */
  static byte[] readThrough(VolumeFileHandler h, Path file) throws IOException {
    FileInputStream in = openIn(h, file);
    try {
      Object handle = h.handle(in);
      return handle == null ? in.readAllBytes() : h.readAllBytes(handle);
    } finally {
      close(h, in);
    }
  }

  /** Asserts {@code file} on disk is encrypted and holds no plaintext marker. */
  static void assertCiphertextOnDisk(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    assertArrayEquals(MAGIC, Arrays.copyOf(raw, 4), "starts with the Cloak header");
    assertEquals(-1, indexOf(raw, Arrays.copyOf(MARKER, 16)), "no plaintext on disk");
  }

  /** Index of {@code needle} in {@code haystack}, or -1. */
  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
