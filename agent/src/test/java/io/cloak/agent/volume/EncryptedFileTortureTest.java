package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static io.cloak.agent.volume.VolumeTestSupport.openChannel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random positional writes, reads, truncates, appends, setLength and reopen, applied to an
 * EncryptedFile and to a plain reference file; both must agree after every operation. Seeds are
 * printed; rerun one with {@code -Dcloak.torture.seed=N}.
 */
class EncryptedFileTortureTest {
  private static final int OPS = 10_000;
  private static final long MAX_SIZE = 3L * 1024 * 1024;

  @TempDir Path dir;

  static Stream<Arguments> seeds() {
    String fixed = System.getProperty("cloak.torture.seed");
    if (fixed != null) {
      long seed = Long.parseLong(fixed);
      return Stream.of(Arguments.of(seed, 32768), Arguments.of(seed, 1024));
    }
    long fresh = System.nanoTime();
    return Stream.of(
        Arguments.of(1L, 32768),
        Arguments.of(2L, 4096),
        Arguments.of(3L, 512),
        Arguments.of(4L, 65536),
        Arguments.of(fresh, 32768));
  }

  @ParameterizedTest(name = "seed {0}, chunk size {1}")
  @MethodSource("seeds")
  void randomOperationsMatchAPlainReferenceFile(long seed, int chunkSize) throws IOException {
    System.out.println("EncryptedFileTortureTest seed=" + seed + " chunkSize=" + chunkSize);
    Random rnd = new Random(seed);
    VolumeKey key = newVolumeKey();
    Path encPath = dir.resolve("enc-" + seed);
    Path refPath = dir.resolve("ref-" + seed);
    EncryptedFile enc =
        EncryptedFile.create(openChannel(encPath), key, encPath.toString(), chunkSize);
    String op = "";
    int i = 0;
    try (RandomAccessFile raf = new RandomAccessFile(refPath.toFile(), "rw")) {
      FileChannel ref = raf.getChannel();
      for (i = 0; i < OPS; i++) {
        long size = ref.size();
        int kind = rnd.nextInt(100);
        if (kind < 30) {
          long pos = randomPosition(rnd, size, chunkSize);
          int len = randomLength(rnd, chunkSize);
          if (pos + len > MAX_SIZE) {
            pos = size == 0 ? 0 : (long) (rnd.nextDouble() * size);
            len = (int) Math.min(len, MAX_SIZE - pos);
          }
          op = "write pos=" + pos + " len=" + len;
          write(rnd, enc, ref, pos, len);
        } else if (kind < 45) {
          int len = (int) Math.min(randomLength(rnd, chunkSize), MAX_SIZE - size);
          op = "append pos=" + size + " len=" + len;
          write(rnd, enc, ref, size, len);
        } else if (kind < 75) {
          long pos = (long) (rnd.nextDouble() * (size + 100));
          int len = randomLength(rnd, chunkSize);
          op = "read pos=" + pos + " len=" + len;
          compareRead(rnd, enc, ref, pos, len, op);
        } else if (kind < 85) {
          long newSize = rnd.nextInt(10) == 0 ? size + rnd.nextInt(1000) : randomBelow(rnd, size);
          if (rnd.nextInt(4) == 0 && size > 0) {
            newSize = (size - 1) / chunkSize * chunkSize; // exactly a chunk boundary
          }
          op = "truncate " + newSize;
          enc.truncate(newSize);
          ref.truncate(newSize);
        } else if (kind < 92) {
          long newSize = rnd.nextBoolean() ? randomBelow(rnd, size) : size + rnd.nextInt(150_000);
          newSize = Math.min(newSize, MAX_SIZE);
          op = "setLength " + newSize;
          enc.setLength(newSize);
          raf.setLength(newSize);
        } else if (kind < 97) {
          op = "force";
          enc.force(rnd.nextBoolean());
        } else {
          op = "close+reopen";
          enc.close();
          enc = EncryptedFile.open(encPath, key);
        }
        assertEquals(ref.size(), enc.size(), "size after the op");
        if (i % 1000 == 999) {
          compareAll(enc, ref, "after op " + i);
        }
      }
      enc.close();
      enc = EncryptedFile.open(encPath, key);
      compareAll(enc, ref, "at the end");
    } catch (AssertionError | IOException | RuntimeException e) {
      throw new AssertionError(
          "seed=" + seed + " chunkSize=" + chunkSize + " op#" + i + " (" + op + "): " + e, e);
    } finally {
      enc.close();
    }
  }

  private static long randomPosition(Random rnd, long size, int chunkSize) {
    int r = rnd.nextInt(10);
    if (r < 6) {
      return randomBelow(rnd, size + 1);
    } else if (r < 8) {
      // near a chunk boundary
      long boundary = randomBelow(rnd, size / chunkSize + 2) * chunkSize;
      return Math.max(0, boundary + rnd.nextInt(5) - 2);
    } else if (r < 9) {
      return size + rnd.nextInt(3 * chunkSize); // past EOF, small gap
    } else {
      return size + rnd.nextInt(300_000); // past EOF, larger gap
    }
  }

  private static int randomLength(Random rnd, int chunkSize) {
    int r = rnd.nextInt(10);
    if (r < 3) {
      return rnd.nextInt(65);
    } else if (r < 6) {
      return rnd.nextInt(2 * chunkSize + 1);
    } else {
      return rnd.nextInt(100_001);
    }
  }

  private static long randomBelow(Random rnd, long bound) {
    return bound <= 0 ? 0 : (long) (rnd.nextDouble() * bound);
  }

  private static void write(Random rnd, EncryptedFile enc, FileChannel ref, long pos, int len)
      throws IOException {
    byte[] data = new byte[len];
    rnd.nextBytes(data);
    ByteBuffer src = buffer(rnd, len).put(data).flip();
    assertEquals(len, enc.write(src, pos));
    assertEquals(0, src.remaining());
    ByteBuffer r = ByteBuffer.wrap(data);
    while (r.hasRemaining()) {
      ref.write(r, pos + r.position());
    }
    if (len > 0) {
      // read the written range back, with some margin on both sides
      long from = Math.max(0, pos - 100);
      compareRead(rnd, enc, ref, from, (int) (pos + len + 100 - from), "verify write");
    }
  }

  private static void compareRead(
      Random rnd, EncryptedFile enc, FileChannel ref, long pos, int len, String what)
      throws IOException {
    ByteBuffer expected = ByteBuffer.allocate(len);
    int expectedCount = readFully(ref, expected, pos);
    ByteBuffer actual = buffer(rnd, len);
    int actualCount = enc.read(actual, pos);
    assertEquals(expectedCount, actualCount, what + ": count");
    if (actualCount > 0) {
      byte[] a = new byte[actualCount];
      actual.flip().get(a);
      assertArrayEquals(Arrays.copyOf(expected.array(), actualCount), a, what + ": bytes");
    }
  }

  /** Reads like EncryptedFile does: as much as fits, -1 at/after EOF, 0 for an empty buffer. */
  private static int readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (pos >= ch.size()) {
      return -1;
    }
    int total = 0;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static void compareAll(EncryptedFile enc, FileChannel ref, String what)
      throws IOException {
    long size = ref.size();
    assertEquals(size, enc.size(), what + ": size");
    ByteBuffer expected = ByteBuffer.allocate((int) size);
    readFully(ref, expected, 0);
    assertArrayEquals(expected.array(), VolumeTestSupport.readAll(enc), what + ": content");
  }

  private static ByteBuffer buffer(Random rnd, int len) {
    return rnd.nextInt(5) == 0 ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
  }
}
