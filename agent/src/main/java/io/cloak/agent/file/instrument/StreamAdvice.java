package io.cloak.agent.file.instrument;

import io.cloak.agent.boot.FileHooks;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into {@code FileInputStream}, {@code FileOutputStream} and {@code
 * RandomAccessFile}. Each stream method asks {@link FileHooks#handle} for the stream's handle; when
 * there is one (a file of a volume opened as encrypted) the original method is skipped and the exit
 * advice computes the result through the handler. Without a handle (every other file) the method
 * runs unchanged and the exit advice does nothing. The advice may refer to nothing but {@link
 * FileHooks} and JDK types: it runs inside {@code java.base}.
 */
final class StreamAdvice {
  private StreamAdvice() {}

  /** {@code FileInputStream.open(String)}: registers the stream after the native open. */
  static final class InputOpen {
    private InputOpen() {}

    @Advice.OnMethodExit
    static void exit(@Advice.This Closeable self, @Advice.Argument(0) String path)
        throws IOException {
      FileHooks.Handler h = FileHooks.handler();
      if (h != null) {
        try {
          h.afterOpen(self, path, FileHooks.Handler.FILE_INPUT_STREAM, false);
        } catch (IOException e) {
          // fail closed: the application never reads ciphertext as if it were its data
          try {
            self.close();
          } catch (IOException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
      }
    }
  }

  /**
   * {@code FileOutputStream.open(String, boolean)}: lets the handler choose the native {@code
   * append} flag (so the OS does not truncate an encrypted file) and registers the stream after the
   * native open with the application's own flag.
   */
  static final class OutputOpen {
    private OutputOpen() {}

    @Advice.OnMethodEnter
    static boolean enter(
        @Advice.Argument(0) String path,
        @Advice.Argument(value = 1, readOnly = false) boolean append) {
      boolean asked = append;
      FileHooks.Handler h = FileHooks.handler();
      if (h != null) {
        append = h.nativeAppend(path, asked);
      }
      return asked;
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.This Closeable self, @Advice.Argument(0) String path, @Advice.Enter boolean asked)
        throws IOException {
      FileHooks.Handler h = FileHooks.handler();
      if (h != null) {
        try {
          h.afterOpen(self, path, FileHooks.Handler.FILE_OUTPUT_STREAM, asked);
        } catch (IOException e) {
          // fail closed: the application never writes plaintext into a volume
          try {
            self.close();
          } catch (IOException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
      }
    }
  }

  /** {@code RandomAccessFile.open(String, int)}: {@code mode & 2} is the JDK's {@code O_RDWR}. */
  static final class RandomAccessOpen {
    private RandomAccessOpen() {}

    @Advice.OnMethodExit
    static void exit(
        @Advice.This Closeable self, @Advice.Argument(0) String path, @Advice.Argument(1) int mode)
        throws IOException {
      FileHooks.Handler h = FileHooks.handler();
      if (h != null) {
        int kind =
            (mode & 2) != 0
                ? FileHooks.Handler.RANDOM_ACCESS_WRITE
                : FileHooks.Handler.RANDOM_ACCESS_READ;
        try {
          h.afterOpen(self, path, kind, false);
        } catch (IOException e) {
          try {
            self.close();
          } catch (IOException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
      }
    }
  }

  /** {@code read()}. */
  static final class ReadByte {
    private ReadByte() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object handle, @Advice.Return(readOnly = false) int ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().read(handle);
      }
    }
  }

  /** {@code read(byte[])}. */
  static final class ReadArray {
    private ReadArray() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object handle,
        @Advice.Argument(0) byte[] b,
        @Advice.Return(readOnly = false) int ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().read(handle, b, 0, b.length);
      }
    }
  }

  /** {@code read(byte[], int, int)}. */
  static final class ReadRange {
    private ReadRange() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object handle,
        @Advice.Argument(0) byte[] b,
        @Advice.Argument(1) int off,
        @Advice.Argument(2) int len,
        @Advice.Return(readOnly = false) int ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().read(handle, b, off, len);
      }
    }
  }

  /** {@code FileInputStream.readAllBytes()}. */
  static final class ReadAllBytes {
    private ReadAllBytes() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object handle, @Advice.Return(readOnly = false) byte[] ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().readAllBytes(handle);
      }
    }
  }

  /** {@code FileInputStream.readNBytes(int)}. */
  static final class ReadNBytes {
    private ReadNBytes() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object handle,
        @Advice.Argument(0) int len,
        @Advice.Return(readOnly = false) byte[] ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().readNBytes(handle, len);
      }
    }
  }

  /** {@code FileInputStream.skip(long)}. */
  static final class Skip {
    private Skip() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object handle,
        @Advice.Argument(0) long n,
        @Advice.Return(readOnly = false) long ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().skip(handle, n);
      }
    }
  }

  /** {@code RandomAccessFile.skipBytes(int)}. */
  static final class SkipBytes {
    private SkipBytes() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object handle,
        @Advice.Argument(0) int n,
        @Advice.Return(readOnly = false) int ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().skipBytes(handle, n);
      }
    }
  }

  /** {@code FileInputStream.available()}. */
  static final class Available {
    private Available() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object handle, @Advice.Return(readOnly = false) int ret)
        throws IOException {
      if (handle != null) {
        ret = FileHooks.handler().available(handle);
      }
    }
  }

  /** {@code write(int)}. */
  static final class WriteByte {
    private WriteByte() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object handle, @Advice.Argument(0) int b) throws IOException {
      if (handle != null) {
        FileHooks.handler().write(handle, b);
      }
    }
  }

  /** {@code write(byte[])}. */
  static final class WriteArray {
    private WriteArray() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object handle, @Advice.Argument(0) byte[] b) throws IOException {
      if (handle != null) {
        FileHooks.handler().write(handle, b, 0, b.length);
      }
    }
  }

  /** {@code write(byte[], int, int)}. */
  static final class WriteRange {
    private WriteRange() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object handle,
        @Advice.Argument(0) byte[] b,
        @Advice.Argument(1) int off,
        @Advice.Argument(2) int len)
        throws IOException {
      if (handle != null) {
        FileHooks.handler().write(handle, b, off, len);
      }
    }
  }

  /**
   * {@code RandomAccessFile.writeBytes(String)}: the JDK writes through a private native method, so
   * the advice encodes the low byte of each char itself.
   */
  static final class WriteStringBytes {
    private WriteStringBytes() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object handle, @Advice.Argument(0) String s) throws IOException {
      if (handle != null) {
        int len = s.length();
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
          b[i] = (byte) s.charAt(i);
        }
        FileHooks.handler().write(handle, b, 0, len);
      }
    }
  }

  /** {@code RandomAccessFile.writeChars(String)}: two bytes per char, high byte first. */
  static final class WriteStringChars {
    private WriteStringChars() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object handle, @Advice.Argument(0) String s) throws IOException {
      if (handle != null) {
        int len = s.length();
        byte[] b = new byte[len * 2];
        for (int i = 0; i < len; i++) {
          char c = s.charAt(i);
          b[2 * i] = (byte) (c >>> 8);
          b[2 * i + 1] = (byte) c;
        }
        FileHooks.handler().write(handle, b, 0, b.length);
      }
    }
  }

  /**
   * {@code getChannel()}: the handler's channel over the plaintext. The method declares no {@code
   * IOException}, so a failure reaches the application as {@link UncheckedIOException}.
   */
  static final class GetChannel {
    private GetChannel() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object handle, @Advice.Return(readOnly = false) FileChannel ret) {
      if (handle != null) {
        try {
          ret = FileHooks.handler().channel(handle);
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }
    }
  }

  /**
   * {@code close()}: after the original close (even a failing one), tells the handler when the
   * stream was registered.
   */
  static final class Close {
    private Close() {}

    @Advice.OnMethodEnter
    static Object enter(@Advice.This Object self) {
      return FileHooks.handle(self);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(@Advice.This Object self, @Advice.Enter Object handle) throws IOException {
      if (handle != null) {
        FileHooks.handler().closed(self);
      }
    }
  }
}
