package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.flipByte;
import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static io.cloak.agent.volume.VolumeTestSupport.openChannel;
import static io.cloak.agent.volume.VolumeTestSupport.random;
import static io.cloak.agent.volume.VolumeTestSupport.readAll;
import static io.cloak.agent.volume.VolumeTestSupport.writeEncrypted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Large writes: runs of whole chunks sealed straight from the caller's buffer, on helper threads
 * too from {@value EncryptedFile#PARALLEL_MIN_CHUNKS} chunks on, and written with one system call
 * from the calling thread. Everything is compared with a plain copy of the content.
 */
class EncryptedFileBulkWriteTest {
  static final int C = EncryptedFile.DEFAULT_CHUNK_SIZE;
  static final int SEALED = C + EncryptedFile.CHUNK_OVERHEAD;
  static final int H = EncryptedFile.HEADER_LENGTH;
  static final int MIB = 1 << 20;
  static final int NONCE = 12;
  static final int TAG = 16;
  static final String SEAL_JOB = EncryptedFile.class.getName() + "$SealJob";

  /** The kinds of source buffer a write may get. */
  static final List<String> KINDS =
      List.of(
          "heap", "heap slice with array offset 7", "direct", "read-only heap", "read-only direct");

  @TempDir Path dir;
  final VolumeKey key = newVolumeKey();

  /**
   * A source of the given kind holding {@code data} from position 5 to its limit, with 5 more bytes
   * after the limit (so a write that used index 0 or the capacity would read the wrong bytes).
   */
  private static ByteBuffer source(String kind, byte[] data) {
    int n = data.length;
    ByteBuffer b =
        switch (kind) {
          case "heap", "read-only heap" -> ByteBuffer.allocate(n + 10);
          case "heap slice with array offset 7" ->
              ByteBuffer.wrap(new byte[n + 23], 7, n + 10).slice();
          default -> ByteBuffer.allocateDirect(n + 10);
        };
    b.put(5, data);
    if (kind.startsWith("read-only")) {
      b = b.asReadOnlyBuffer();
      assertFalse(b.hasArray(), kind);
    }
    if (kind.startsWith("heap slice")) {
      assertEquals(7, b.arrayOffset(), kind);
    }
    b.position(5).limit(5 + n);
    return b;
  }

  /** Bytes {@code [from, from + n)} of {@code b}, by absolute index. */
  private static byte[] bytesOf(ByteBuffer b, int from, int n) {
    byte[] out = new byte[n];
    b.get(from, out);
    return out;
  }

  /** Reads {@code [from, to)} of the open file and compares it with {@code expected}. */
  private static void checkRange(EncryptedFile f, byte[] expected, long from, long to, String what)
      throws IOException {
    from = Math.max(0, from);
    to = Math.min(expected.length, to);
    ByteBuffer got = ByteBuffer.allocate((int) (to - from));
    while (got.hasRemaining()) {
      if (f.read(got, from + got.position()) < 0) {
        break;
      }
    }
    assertArrayEquals(Arrays.copyOfRange(expected, (int) from, (int) to), got.array(), what);
  }

  /** The nonces of every chunk of an encrypted file, in hex. */
  private static List<String> nonces(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    List<String> list = new ArrayList<>();
    for (int off = H; off < raw.length; off += SEALED) {
      list.add(HexFormat.of().formatHex(raw, off, off + NONCE));
    }
    return list;
  }

  @ParameterizedTest
  @ValueSource(ints = {512, 32 * 1024})
  void largeWritesFromEverySourceReadBackExactlyAndAdvanceTheSourceExactly(int chunkSize)
      throws IOException {
    byte[] expected = random(3 * MIB + 777, 1);
    Path file = dir.resolve("w.bin");
    writeEncrypted(file, key, expected, chunkSize);
    long seed = 100;
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      for (int len : new int[] {MIB, MIB + 12345}) {
        for (String where : List.of("start", "unaligned", "aligned", "growing", "past the end")) {
          for (String kind : KINDS) {
            long pos =
                switch (where) {
                  case "start" -> 0;
                  case "unaligned" -> 12345;
                  case "aligned" -> 3L * chunkSize;
                  case "growing" -> expected.length - 1000L;
                  default -> expected.length + 5000L;
                };
            byte[] data = random(len, seed++);
            ByteBuffer src = source(kind, data);
            String what = len + " bytes at " + pos + " (" + where + ") from " + kind;
            assertEquals(len, f.write(src, pos), what);
            assertEquals(5 + len, src.position(), what + ": source position");
            assertEquals(5 + len, src.limit(), what + ": source limit");
            assertArrayEquals(data, bytesOf(src, 5, len), what + ": source unchanged");
            if (pos + len > expected.length) {
              expected = Arrays.copyOf(expected, (int) (pos + len)); // a gap reads as zeros
            }
            System.arraycopy(data, 0, expected, (int) pos, len);
            assertEquals(expected.length, f.size(), what + ": size");
            checkRange(f, expected, pos - 2L * chunkSize, pos + len + 2L * chunkSize, what);
          }
        }
      }
    }
    assertArrayEquals(expected, readAll(file, key), "the whole file after reopening");
  }

  @Test
  void everyChunkOfParallelSealedRunsHasItsOwnNonceAndRewritingChangesThemAll() throws IOException {
    byte[] content = random(4 * MIB, 2);
    Path file = dir.resolve("n.bin");
    List<String> all = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      try (EncryptedFile f =
          round == 0
              ? EncryptedFile.create(openChannel(file), key, file.toString(), C)
              : EncryptedFile.open(file, key)) {
        for (int i = 0; i < 4; i++) {
          // 1 MiB writes: a run of 31 chunks sealed in parallel, and the last chunk of each
          byte[] mib = Arrays.copyOfRange(content, i * MIB, (i + 1) * MIB);
          f.write(source(KINDS.get((i + round) % KINDS.size()), mib), (long) i * MIB);
        }
      }
      List<String> nonces = nonces(file);
      assertEquals(4 * MIB / C, nonces.size(), "chunks in the file");
      assertEquals(
          nonces.size(), new HashSet<>(nonces).size(), "distinct nonces in round " + round);
      all.addAll(nonces);
      assertArrayEquals(content, readAll(file, key));
    }
    assertEquals(all.size(), new HashSet<>(all).size(), "no nonce is used again by the rewrite");
  }

  @Test
  void aFlippedByteInAnyChunkOfAParallelSealedRunFailsTheReadAtThatChunk() throws IOException {
    byte[] content = random(MIB, 3);
    Path file = dir.resolve("t.bin");
    try (EncryptedFile f = EncryptedFile.create(openChannel(file), key, file.toString(), C)) {
      f.write(source("direct", content), 0); // chunks 0..30 in one run, chunk 31 via the cache
    }
    int chunks = MIB / C;
    for (int k = 0; k < chunks; k++) {
      // in turn a byte of the nonce, of the ciphertext and of the tag
      int inChunk =
          switch (k % 3) {
            case 0 -> k % NONCE;
            case 1 -> NONCE + (k * 1031) % C;
            default -> SEALED - 1 - k % TAG;
          };
      long offset = H + (long) k * SEALED + inChunk;
      flipByte(file, offset);
      long bad = k;
      VolumeIntegrityException e =
          assertThrows(
              VolumeIntegrityException.class,
              () -> {
                try (EncryptedFile f = EncryptedFile.open(file, key)) {
                  f.read(ByteBuffer.allocateDirect(MIB), 0);
                }
              },
              "chunk " + k + ", byte " + inChunk);
      assertEquals(bad, e.chunkIndex(), "chunk " + k + ", byte " + inChunk);
      flipByte(file, offset); // back
    }
    assertArrayEquals(content, readAll(file, key), "intact again");
  }

  @Test
  void helperThreadsSealChunksOfLargeWrites() throws Exception {
    assumeTrue(ChunkHelpers.COUNT > 0, "one processor: no helper threads");
    byte[] data = random(MIB, 4);
    Path file = dir.resolve("h.bin");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    AtomicBoolean stop = new AtomicBoolean();
    Thread seen = null;
    try (EncryptedFile f = EncryptedFile.create(openChannel(file), key, file.toString(), C)) {
      Future<?> writer =
          pool.submit(
              () -> {
                for (long i = 0; i < 4 || !stop.get(); i++) { // at least the 4 MiB checked below
                  f.write(ByteBuffer.wrap(data), (i % 4) * MIB);
                }
                return null;
              });
      // Look at the helper threads' stacks until one of them is sealing a chunk of a write.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen == null && !writer.isDone() && System.nanoTime() < deadline) {
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
          if (t.getKey().getName().startsWith("cloak-volume-crypto-")
              && Arrays.stream(t.getValue()).anyMatch(fr -> fr.getClassName().equals(SEAL_JOB))) {
            seen = t.getKey();
          }
        }
        Thread.sleep(1);
      }
      stop.set(true);
      writer.get();
    } finally {
      pool.shutdown();
    }
    assertTrue(seen != null, "a helper thread was seen sealing a chunk");
    assertTrue(seen.isDaemon(), seen.getName());
    byte[] expected = new byte[4 * MIB];
    for (int i = 0; i < 4; i++) {
      System.arraycopy(data, 0, expected, i * MIB, MIB);
    }
    assertArrayEquals(expected, readAll(file, key));
  }

  /**
   * Encryption fails on a helper thread, so in the middle of a run while the calling thread seals
   * the chunks around it: with the SunJCE provider removed, a thread that has no {@link Cipher} of
   * its own for the file's key yet cannot get one ({@code AesGcm} keeps one per thread and key),
   * while the calling thread, which decrypted the last chunk when the file was opened, still has
   * its own. Whether a helper comes in time to take a chunk is up to the scheduler, so the write is
   * tried until one does; a write no helper joined must simply succeed.
   */
  @Test
  void anEncryptionFailureInTheMiddleOfARunWritesNothingAndLeavesTheSourceAlone() throws Exception {
    assumeTrue(ChunkHelpers.COUNT > 0, "one processor: no helper threads to fail");
    int c = 512;
    byte[] expected = random(2000 * c + 100, 5);
    Path file = dir.resolve("f.bin");
    writeEncrypted(file, key, expected, c);
    long first = 10;
    int count = 1900; // one run: at most 1 MiB / (512 + 28) = 1941 chunks are sealed together
    Pattern chunk = Pattern.compile(": chunk (\\d+): encryption failed: ");
    boolean failedInTheMiddle = false;
    for (int attempt = 0; attempt < 20 && !failedInTheMiddle; attempt++) {
      byte[] data = random(count * c, 200 + attempt);
      ByteBuffer src = ByteBuffer.wrap(data);
      byte[] before = Files.readAllBytes(file);
      IOException failure = null;
      try (EncryptedFile f = EncryptedFile.open(file, key)) {
        Provider[] providers = Security.getProviders();
        int at = 0;
        while (at < providers.length && !providers[at].getName().equals("SunJCE")) {
          at++;
        }
        assumeTrue(at < providers.length, "no SunJCE provider");
        Security.removeProvider("SunJCE");
        try {
          assumeTrue(noAesGcm(), "another provider offers AES-GCM");
          f.write(src, first * c);
        } catch (IOException e) {
          failure = e;
        } finally {
          Security.insertProviderAt(providers[at], at + 1);
        }
        if (failure != null) {
          Matcher m = chunk.matcher(String.valueOf(failure.getMessage()));
          assertTrue(m.find(), String.valueOf(failure));
          long failed = Long.parseLong(m.group(1));
          assertTrue(failed >= first && failed < first + count, "failed chunk " + failed);
          failedInTheMiddle |= failed > first;
          assertArrayEquals(before, Files.readAllBytes(file), "nothing written: " + failure);
          assertEquals(0, src.position(), "source not advanced");
        }
      }
      if (failure == null) {
        System.arraycopy(data, 0, expected, (int) first * c, data.length);
      }
      assertArrayEquals(expected, readAll(file, key), "attempt " + attempt);
    }
    assumeTrue(failedInTheMiddle, "no helper thread took a chunk after the first in 20 runs");
  }

  private static boolean noAesGcm() {
    try {
      Cipher.getInstance("AES/GCM/NoPadding");
      return false;
    } catch (NoSuchAlgorithmException e) {
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
