package org.example.volumeapps;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * {@code write FILE TEXT REPEAT} writes a file; {@code read FILE} reads it back through five APIs
 * and prints, for each, {@code READ=api|ok|sha256} or {@code
 * READ=api|error|ExceptionClass|message}. Knows nothing of Cloak.
 */
public final class ReadFileApp {
  private ReadFileApp() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[1]);
    if (args[0].equals("write")) {
      String text = args[2].repeat(Integer.parseInt(args[3]));
      Files.writeString(file, text);
      System.out.println("WROTE=" + sha(text.getBytes(StandardCharsets.UTF_8)));
      return;
    }
    report(
        "FileInputStream",
        () -> {
          try (FileInputStream in = new FileInputStream(file.toFile())) {
            return in.readAllBytes();
          }
        });
    report("Files.readAllBytes", () -> Files.readAllBytes(file));
    report(
        "RandomAccessFile",
        () -> {
          try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[(int) raf.length()];
            raf.readFully(b);
            return b;
          }
        });
    report(
        "FileChannel",
        () -> {
          try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {}
            return b.array();
          }
        });
    report(
        "AsynchronousFileChannel",
        () -> {
          try (AsynchronousFileChannel ch =
              AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && awaitRead(ch.read(b, b.position())) >= 0) {}
            return b.array();
          }
        });
  }

  /** The result of an asynchronous read; its I/O failure rethrown as it was. */
  static int awaitRead(Future<Integer> read) throws IOException {
    try {
      return read.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause());
    }
  }

  interface Read {
    byte[] run() throws IOException;
  }

  static void report(String api, Read read) throws NoSuchAlgorithmException {
    try {
      System.out.println("READ=" + api + "|ok|" + sha(read.run()));
    } catch (IOException | RuntimeException e) {
      System.out.println("READ=" + api + "|error|" + e.getClass().getName() + "|" + e.getMessage());
    }
  }

  public static String sha(byte[] b) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
