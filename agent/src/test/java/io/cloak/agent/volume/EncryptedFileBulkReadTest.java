package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.flipByte;
import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static io.cloak.agent.volume.VolumeTestSupport.openChannel;
import static io.cloak.agent.volume.VolumeTestSupport.random;
import static io.cloak.agent.volume.VolumeTestSupport.readRange;
import static io.cloak.agent.volume.VolumeTestSupport.writeRange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large reads: runs of whole chunks read with one system call and decrypted straight into the
 * caller's buffer, on helper threads too from {@value EncryptedFile#PARALLEL_MIN_CHUNKS} chunks on.
 * Everything is compared with a plain copy of the content.
 */
class EncryptedFileBulkReadTest {
  static final int C = 512; // small chunks: many chunks and every alignment in little data
  static final int SEALED = C + EncryptedFile.CHUNK_OVERHEAD;
  static final int H = EncryptedFile.HEADER_LENGTH;

  @TempDir Path dir;
  final VolumeKey key = newVolumeKey();

  private Path create(String name, byte[] content, int chunkSize) throws IOException {
    Path file = dir.resolve(name);
    VolumeTestSupport.writeEncrypted(file, key, content, chunkSize);
    return file;
  }

  /** The destinations a read may get: heap, heap with an array offset, direct. */
  private static List<ByteBuffer> destinations(int len) {
    List<ByteBuffer> list = new ArrayList<>();
    list.add(ByteBuffer.allocate(len));
    list.add(ByteBuffer.wrap(new byte[len + 13], 7, len).slice()); // arrayOffset 7
    list.add(ByteBuffer.allocateDirect(len));
    return list;
  }

  private static byte[] remainingBytes(ByteBuffer b, int from, int n) {
    byte[] out = new byte[n];
    b.duplicate().position(from).get(out);
    return out;
  }

  /** Reads {@code len} at {@code pos} into every kind of destination and checks the result. */
  private static void checkRead(EncryptedFile f, byte[] expected, long pos, int len)
      throws IOException {
    for (ByteBuffer dst : destinations(len + 3)) {
      dst.position(3).limit(3 + len); // a destination that does not start at 0
      int n = f.read(dst, pos);
      String what = "pos " + pos + " len " + len + " into " + (dst.isDirect() ? "direct" : "heap");
      if (len == 0) {
        assertEquals(0, n, what);
        continue;
      }
      if (pos >= expected.length) {
        assertEquals(-1, n, what);
        assertEquals(3, dst.position(), what);
        continue;
      }
      int want = (int) Math.min(len, expected.length - pos);
      assertEquals(want, n, what);
      assertEquals(3 + want, dst.position(), what);
      assertArrayEquals(
          Arrays.copyOfRange(expected, (int) pos, (int) pos + want),
          remainingBytes(dst, 3, want),
          what);
    }
  }

  @Test
  void readsAtEveryAlignmentMatchThePlainContent() throws IOException {
    int size = 40 * C + 123; // 41 chunks, the last partial
    byte[] content = random(size, 1);
    Path file = create("a.bin", content, C);
    int[] offsets = {0, 1, C - 1, C, C + 1, 3 * C + 17, 20 * C, 39 * C + 5, size - C, size - 1};
    int[] lengths = {0, 1, C - 1, C, C + 1, 7 * C, 8 * C, 8 * C + 1, 9 * C - 1, 20 * C + 77, size};
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      for (int pos : offsets) {
        for (int len : lengths) {
          checkRead(f, content, pos, len);
        }
      }
      checkRead(f, content, size, 10); // at the end: -1
      checkRead(f, content, size + 1000L, 10 * C); // past it: -1
      checkRead(f, content, 0, size + 5 * C); // more than there is: up to the end
    }
  }

  @Test
  void aWholeFileReadAtTheDefaultChunkSizeMatches() throws IOException {
    int c = EncryptedFile.DEFAULT_CHUNK_SIZE;
    int size = 100 * c + 4321; // several runs of 32 chunks, helpers and all
    byte[] content = random(size, 2);
    Path file = create("big.bin", content, c);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      assertArrayEquals(content, VolumeTestSupport.readAll(f));
      byte[] mib = new byte[1 << 20];
      long pos = 0;
      for (int n; (n = f.read(ByteBuffer.wrap(mib), pos)) > 0; pos += n) {
        assertArrayEquals(
            Arrays.copyOfRange(content, (int) pos, (int) pos + n), Arrays.copyOf(mib, n));
      }
      assertEquals(size, pos);
      checkRead(f, content, 5 * c + 1, 40 * c); // a partial first and last chunk around a run
      checkRead(f, content, 3 * c, 33 * c); // more than one run
    }
  }

  @Test
  void readsSeeWritesThatAreStillInTheCache() throws IOException {
    int size = 30 * C;
    byte[] expected = random(size, 3);
    Path file = create("w.bin", expected, C);
    Random rnd = new Random(4);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      for (int round = 0; round < 300; round++) {
        // partial-chunk writes stay dirty in the cache; whole-chunk runs go to disk; some grow
        int pos = rnd.nextInt(expected.length + C);
        int len = rnd.nextInt(round % 3 == 0 ? 12 * C : C);
        byte[] data = random(len, round);
        f.write(ByteBuffer.wrap(data), pos);
        if (pos + len > expected.length) {
          expected = Arrays.copyOf(expected, pos + len);
        }
        System.arraycopy(data, 0, expected, pos, len);
        int rpos = rnd.nextInt(expected.length);
        checkRead(f, expected, rpos, rnd.nextInt(expected.length - rpos + 1));
        checkRead(f, expected, 0, expected.length);
      }
    }
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      assertArrayEquals(expected, VolumeTestSupport.readAll(f));
    }
  }

  @Test
  void readsInterleavedWithWritesFromAnotherThreadSeeOnlyWholeValues() throws Exception {
    // Every write puts the same bytes where they were (each position holds a function of itself),
    // so whatever a concurrent read sees, old or new, must be that function.
    int size = 64 * C + 100;
    byte[] content = new byte[size];
    for (int i = 0; i < size; i++) {
      content[i] = (byte) (i * 31 + 7);
    }
    Path file = create("c.bin", content, C);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicBoolean stop = new AtomicBoolean();
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      Future<?> writer =
          pool.submit(
              () -> {
                Random rnd = new Random(5);
                while (!stop.get()) {
                  int pos = rnd.nextInt(size);
                  int len = rnd.nextInt(Math.min(size - pos, 20 * C) + 1);
                  f.write(ByteBuffer.wrap(content, pos, len), pos);
                  if (rnd.nextInt(10) == 0) {
                    f.flush();
                  }
                }
                return null;
              });
      Future<?> reader =
          pool.submit(
              () -> {
                Random rnd = new Random(6);
                for (int i = 0; i < 2000; i++) {
                  int pos = rnd.nextInt(size);
                  checkRead(f, content, pos, rnd.nextInt(size - pos + 1));
                }
                return null;
              });
      reader.get();
      stop.set(true);
      writer.get();
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aFlippedByteInAMiddleChunkFailsTheLargeReadAndLeavesNothingOfIt() throws IOException {
    int c = EncryptedFile.DEFAULT_CHUNK_SIZE;
    int size = 128 * c; // 4 MiB
    byte[] content = VolumeTestSupport.markerContent(size);
    Path file = create("t.bin", content, c);
    long bad = 70; // in the third 1 MiB read, its chunk 6
    flipByte(file, H + bad * (c + EncryptedFile.CHUNK_OVERHEAD) + 12 + 1000);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      byte[] mib = new byte[1 << 20];
      assertEquals(mib.length, f.read(ByteBuffer.wrap(mib), 0));
      assertEquals(mib.length, f.read(ByteBuffer.wrap(mib), mib.length));
      for (ByteBuffer dst : destinations(mib.length)) {
        VolumeIntegrityException e =
            assertThrows(VolumeIntegrityException.class, () -> f.read(dst, 2L * mib.length));
        assertEquals(bad, e.chunkIndex());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("CLOAK-SECRET"), e.getMessage());
        int good = (int) (bad - 64) * c; // the chunks before the failed one
        assertEquals(good, dst.position(), "dst advanced past the good chunks only");
        byte[] got = remainingBytes(dst, 0, mib.length);
        assertArrayEquals(
            Arrays.copyOfRange(content, 2 * mib.length, 2 * mib.length + good),
            Arrays.copyOf(got, good));
        assertArrayEquals(
            new byte[mib.length - good],
            Arrays.copyOfRange(got, good, mib.length),
            "nothing from the failed chunk on, though later chunks authenticate");
      }
      assertEquals(mib.length, f.read(ByteBuffer.wrap(mib), 3L * mib.length)); // after it: fine
      assertThrows(
          VolumeIntegrityException.class, () -> VolumeTestSupport.readAll(f), "whole file");
    }
  }

  @Test
  void everyRunLengthPlacesEachChunkOnceWhateverGroupsTheThreadsTake() throws IOException {
    int size = 80 * C;
    byte[] content = random(size, 9);
    Path file = create("g.bin", content, C);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      for (int chunks = EncryptedFile.PARALLEL_MIN_CHUNKS; chunks <= 80; chunks++) {
        for (ByteBuffer dst : destinations(chunks * C)) {
          for (int p = 0; p < dst.capacity(); p++) {
            dst.put(p, (byte) 0x5a); // so a skipped chunk shows
          }
          assertEquals(chunks * C, f.read(dst, (80 - chunks) * C));
          assertArrayEquals(
              Arrays.copyOfRange(content, (80 - chunks) * C, size),
              remainingBytes(dst, 0, chunks * C),
              chunks + " chunks into " + (dst.isDirect() ? "direct" : "heap"));
        }
      }
    }
  }

  @Test
  void aDamagedChunkAtAnyPlaceInALargeReadFailsFromThatChunk() throws IOException {
    int chunks = 40; // one run: groups of several chunks, then of one
    byte[] content = random(chunks * C, 10);
    Path file = create("d.bin", content, C);
    for (int bad = 0; bad < chunks; bad++) {
      // the nonce, the ciphertext or the tag, by turns
      long at = H + (long) bad * SEALED + new int[] {3, 12 + C / 2, SEALED - 1}[bad % 3];
      flipByte(file, at);
      try (EncryptedFile f = EncryptedFile.open(file, key)) {
        for (ByteBuffer dst : destinations(chunks * C)) {
          for (int p = 0; p < dst.capacity(); p++) {
            dst.put(p, (byte) 0x5a);
          }
          VolumeIntegrityException e =
              assertThrows(VolumeIntegrityException.class, () -> f.read(dst, 0), "chunk " + bad);
          assertEquals(bad, e.chunkIndex());
          assertEquals(bad * C, dst.position());
          byte[] got = remainingBytes(dst, 0, chunks * C);
          assertArrayEquals(Arrays.copyOf(content, bad * C), Arrays.copyOf(got, bad * C));
          assertArrayEquals(
              new byte[(chunks - bad) * C],
              Arrays.copyOfRange(got, bad * C, chunks * C),
              "zeros from chunk " + bad + " on");
        }
      } catch (VolumeIntegrityException e) {
        assertEquals(chunks - 1, bad, "only the last chunk is checked on opening");
        assertEquals(bad, e.chunkIndex());
      }
      flipByte(file, at); // intact again
    }
  }

  @Test
  void swappedOrReorderedChunksInALargeReadFail() throws IOException {
    int size = 40 * C;
    byte[] content = random(size, 7);
    Path file = create("s.bin", content, C);
    byte[] a = readRange(file, H + 10L * SEALED, SEALED);
    byte[] b = readRange(file, H + 11L * SEALED, SEALED);
    writeRange(file, H + 10L * SEALED, b);
    writeRange(file, H + 11L * SEALED, a);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      VolumeIntegrityException e =
          assertThrows(VolumeIntegrityException.class, () -> f.read(ByteBuffer.allocate(size), 0));
      assertEquals(10, e.chunkIndex());
      checkRead(f, content, 0, 10 * C); // the chunks before: fine
      checkRead(f, content, 12 * C, 28 * C); // and after
    }
  }

  @Test
  void aFileCutShortAfterOpeningFailsTheLargeRead() throws IOException {
    int size = 40 * C;
    byte[] content = random(size, 8);
    Path file = create("cut.bin", content, C);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(H + 25L * SEALED + 100); // inside chunk 25, behind the object's back
      }
      ByteBuffer dst = ByteBuffer.allocate(size);
      VolumeIntegrityException e =
          assertThrows(VolumeIntegrityException.class, () -> f.read(dst, 0));
      assertEquals(25, e.chunkIndex());
      assertEquals(25 * C, dst.position());
      assertArrayEquals(Arrays.copyOf(content, 25 * C), Arrays.copyOf(dst.array(), 25 * C));
    }
  }

  @Test
  void aReadOnlyDestinationIsRefused() throws IOException {
    Path file = create("r.bin", random(20 * C, 9), C);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      assertThrows(
          ReadOnlyBufferException.class,
          () -> f.read(ByteBuffer.allocate(20 * C).asReadOnlyBuffer(), 0));
      assertThrows(
          ReadOnlyBufferException.class,
          () -> f.read(ByteBuffer.allocateDirect(20 * C).asReadOnlyBuffer(), 0));
    }
  }

  @Test
  void helperThreadsAreNamedDaemons() throws IOException {
    Path file = create("h.bin", random(64 * C, 10), C);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      for (int i = 0; i < 50; i++) {
        f.read(ByteBuffer.allocate(64 * C), 0);
      }
    }
    if (ChunkHelpers.COUNT == 0) {
      return; // one processor: no helpers
    }
    boolean seen = false;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("cloak-volume-crypto-")) {
        assertTrue(t.isDaemon(), t.getName());
        seen = true;
      }
    }
    assertTrue(seen, "a helper thread was started");
  }

  @Test
  void anEmptyFileAndZeroLengthReads() throws IOException {
    Path file = dir.resolve("empty.bin");
    try (EncryptedFile f = EncryptedFile.create(openChannel(file), key, file.toString(), C)) {
      assertEquals(0, f.read(ByteBuffer.allocate(0), 0));
      assertEquals(-1, f.read(ByteBuffer.allocate(10 * C), 0));
    }
    assertTrue(Files.size(file) == H);
  }
}
