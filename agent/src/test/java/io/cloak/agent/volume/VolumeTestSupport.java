package io.cloak.agent.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Random;

/** Helpers shared by the volume tests. */
final class VolumeTestSupport {
  static final byte[] MARKER =
      "<<CLOAK-SECRET-MARKER-0123456789>>".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private VolumeTestSupport() {}

  /** A volume key with a random id and key, as if unlocked from a descriptor. */
  static VolumeKey newVolumeKey() {
    byte[] id = new byte[16];
    byte[] key = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(key);
    return VolumeKey.of(id, key);
  }

  /** {@code n} pseudo-random bytes, the same for the same seed. */
  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** {@code size} bytes of the marker repeated. */
  static byte[] markerContent(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = MARKER[i % MARKER.length];
    }
    return b;
  }

  static FileChannel openChannel(Path file) throws IOException {
    return FileChannel.open(
        file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
  }

  /** Creates {@code file} encrypted under {@code key} holding {@code content}. */
  static void writeEncrypted(Path file, VolumeKey key, byte[] content, int chunkSize)
      throws IOException {
    try (EncryptedFile f =
        EncryptedFile.create(openChannel(file), key, file.toString(), chunkSize)) {
      f.write(ByteBuffer.wrap(content), 0);
    }
  }

  /** The whole plaintext of an encrypted file. */
  static byte[] readAll(EncryptedFile f) throws IOException {
    long size = f.size();
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    while (buf.hasRemaining()) {
      if (f.read(buf, buf.position()) < 0) {
        break;
      }
    }
    return buf.array();
  }

  static byte[] readAll(Path file, VolumeKey key) throws IOException {
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      return readAll(f);
    }
  }

  /** Flips one bit of the byte at {@code offset}. */
  static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x01));
      b.rewind();
      ch.write(b, offset);
    }
  }

  static byte[] readRange(Path file, long offset, int len) throws IOException {
    byte[] all = Files.readAllBytes(file);
    byte[] out = new byte[len];
    System.arraycopy(all, (int) offset, out, 0, len);
    return out;
  }

  static void writeRange(Path file, long offset, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, offset + b.position());
      }
    }
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
