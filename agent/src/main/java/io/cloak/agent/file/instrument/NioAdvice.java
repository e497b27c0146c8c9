package io.cloak.agent.file.instrument;

import io.cloak.agent.boot.FileHooks;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Set;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into {@code java.io.File}, {@code sun.nio.fs.UnixFileSystemProvider} and the
 * provider's attribute views. Like {@link StreamAdvice}, it refers only to {@link FileHooks} and
 * JDK types and does nothing when no handler is installed.
 */
final class NioAdvice {
  private NioAdvice() {}

  /** {@code File.length()}: the plaintext length of encrypted files. */
  static final class FileLength {
    private FileLength() {}

    @Advice.OnMethodExit
    static void exit(@Advice.This File self, @Advice.Return(readOnly = false) long ret) {
      FileHooks.Handler h = FileHooks.handler();
      if (h != null) {
        ret = h.length(self, ret);
      }
    }
  }

  /** {@code File.renameTo(File)}: returns {@code false} without renaming when refused. */
  static final class FileRenameTo {
    private FileRenameTo() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(@Advice.This File self, @Advice.Argument(0) File dest) {
      FileHooks.Handler h = FileHooks.handler();
      return h != null && dest != null && !h.renameAllowed(self, dest);
    }
  }

  /** {@code newFileChannel(Path, Set, FileAttribute[])}. */
  static final class NewFileChannel {
    private NewFileChannel() {}

    @Advice.OnMethodEnter
    static Object enter(
        @Advice.Argument(0) Path path,
        @Advice.Argument(value = 1, readOnly = false) Set<? extends OpenOption> options)
        throws IOException {
      FileHooks.Handler h = FileHooks.handler();
      Object token = null;
      if (h != null) {
        token = h.beforeChannelOpen(path, options);
        if (token != null) {
          options = h.nativeOptions(token);
        }
      }
      return token;
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object token, @Advice.Return(readOnly = false) FileChannel ret)
        throws IOException {
      if (token != null) {
        FileChannel opened = ret;
        try {
          ret = FileHooks.handler().afterChannelOpen(token, opened);
        } catch (Throwable e) {
          try {
            opened.close();
          } catch (Throwable suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
      }
    }
  }

  /** {@code newByteChannel(Path, Set, FileAttribute[])}. */
  static final class NewByteChannel {
    private NewByteChannel() {}

    @Advice.OnMethodEnter
    static Object enter(
        @Advice.Argument(0) Path path,
        @Advice.Argument(value = 1, readOnly = false) Set<? extends OpenOption> options)
        throws IOException {
      FileHooks.Handler h = FileHooks.handler();
      Object token = null;
      if (h != null) {
        token = h.beforeChannelOpen(path, options);
        if (token != null) {
          options = h.nativeOptions(token);
        }
      }
      return token;
    }

    @Advice.OnMethodExit
    static void exit(
        @Advice.Enter Object token, @Advice.Return(readOnly = false) SeekableByteChannel ret)
        throws IOException {
      if (token != null) {
        SeekableByteChannel opened = ret;
        try {
          ret = FileHooks.handler().afterChannelOpen(token, opened);
        } catch (Throwable e) {
          try {
            opened.close();
          } catch (Throwable suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
      }
    }
  }

  /** The provider's {@code copy}: skipped when the handler copied. */
  static final class Copy {
    private Copy() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(
        @Advice.Argument(0) Path source,
        @Advice.Argument(1) Path target,
        @Advice.Argument(2) CopyOption[] options)
        throws IOException {
      FileHooks.Handler h = FileHooks.handler();
      return h != null && h.copy(source, target, options);
    }
  }

  /** The provider's {@code move}: skipped when the handler moved. */
  static final class Move {
    private Move() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(
        @Advice.Argument(0) Path source,
        @Advice.Argument(1) Path target,
        @Advice.Argument(2) CopyOption[] options)
        throws IOException {
      FileHooks.Handler h = FileHooks.handler();
      return h != null && h.move(source, target, options);
    }
  }

  /**
   * {@code readAttributes()} returning {@link BasicFileAttributes}: {@code Basic}'s own method and
   * {@code Posix}'s bridge.
   */
  static final class BasicAttributes {
    private BasicAttributes() {}

    @Advice.OnMethodExit
    static void exit(
        @Advice.FieldValue("file") Path file,
        @Advice.Return(readOnly = false) BasicFileAttributes ret) {
      FileHooks.Handler h = FileHooks.handler();
      if (h != null && ret != null) {
        ret = h.attributes(file, ret);
      }
    }
  }

  /** {@code Posix}'s bridge {@code readAttributes()} returning {@link PosixFileAttributes}. */
  static final class PosixAttributes {
    private PosixAttributes() {}

    @Advice.OnMethodExit
    static void exit(
        @Advice.FieldValue("file") Path file,
        @Advice.Return(readOnly = false) PosixFileAttributes ret) {
      FileHooks.Handler h = FileHooks.handler();
      if (h != null && ret != null) {
        ret = (PosixFileAttributes) h.attributes(file, ret);
      }
    }
  }

  /**
   * {@code Posix.addRequestedPosixAttributes(PosixFileAttributes, builder)}: the map form ({@code
   * Files.readAttributes(path, "posix:size,...")}) reads the attributes through the non-bridge
   * {@code readAttributes()} (returning the JDK's final {@code UnixFileAttributes}, which cannot be
   * replaced) and hands them to this method, so the advice replaces them here.
   */
  static final class PosixRequested {
    private PosixRequested() {}

    @Advice.OnMethodEnter
    static void enter(
        @Advice.FieldValue("file") Path file,
        @Advice.Argument(value = 0, readOnly = false) PosixFileAttributes attrs) {
      FileHooks.Handler h = FileHooks.handler();
      if (h != null && attrs != null) {
        attrs = (PosixFileAttributes) h.attributes(file, attrs);
      }
    }
  }
}
