package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.flipByte;
import static io.cloak.agent.volume.VolumeTestSupport.markerContent;
import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static io.cloak.agent.volume.VolumeTestSupport.readRange;
import static io.cloak.agent.volume.VolumeTestSupport.writeEncrypted;
import static io.cloak.agent.volume.VolumeTestSupport.writeRange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every modification of an encrypted file outside Cloak must fail authentication. */
class EncryptedFileTamperTest {
  static final int C = EncryptedFile.DEFAULT_CHUNK_SIZE;
  static final int SEALED = C + EncryptedFile.CHUNK_OVERHEAD;
  static final int H = EncryptedFile.HEADER_LENGTH;
  static final int SIZE = 3 * C + 5000; // chunks 0..2 full, chunk 3 partial

  @TempDir Path dir;
  final VolumeKey key = newVolumeKey();
  Path original;
  byte[] content;

  @BeforeEach
  void writeOriginal() throws IOException {
    original = dir.resolve("original.bin");
    content = markerContent(SIZE);
    writeEncrypted(original, key, content, C);
    assertArrayEquals(content, VolumeTestSupport.readAll(original, key));
  }

  @Test
  void flippingAnyHeaderByteFailsAuthentication() throws IOException {
    for (int offset = 0; offset < H; offset++) {
      Path copy = copyOfOriginal();
      flipByte(copy, offset);
      VolumeIntegrityException e = assertFails(copy);
      assertEquals(VolumeIntegrityException.HEADER, e.chunkIndex(), "byte " + offset);
    }
  }

  @Test
  void flippingACiphertextByteFailsNamingTheChunk() throws IOException {
    long length = Files.size(original);
    Random rnd = new Random(42);
    for (int n = 0; n < 150; n++) {
      long offset;
      if (n < 4 * 3) {
        // first nonce byte, first ciphertext byte and last tag byte of every chunk
        long chunk = n / 3;
        long start = H + chunk * SEALED;
        long end = Math.min(start + SEALED, length);
        offset = new long[] {start, start + 12, end - 1}[n % 3];
      } else {
        offset = H + (long) (rnd.nextDouble() * (length - H));
      }
      Path copy = copyOfOriginal();
      flipByte(copy, offset);
      VolumeIntegrityException e = assertFails(copy);
      assertEquals((offset - H) / SEALED, e.chunkIndex(), "offset " + offset);
      assertTrue(e.getMessage().contains(copy.toString()), e.getMessage());
    }
  }

  @Test
  void swappingTwoChunksFails() throws IOException {
    Path copy = copyOfOriginal();
    byte[] c0 = readRange(copy, H, SEALED);
    byte[] c1 = readRange(copy, H + SEALED, SEALED);
    writeRange(copy, H, c1);
    writeRange(copy, H + SEALED, c0);
    assertEquals(0, assertFails(copy).chunkIndex());
  }

  @Test
  void droppingTheLastChunkFailsAtOpen() throws IOException {
    Path copy = copyOfOriginal();
    truncateTo(copy, H + 3L * SEALED); // exactly a chunk boundary
    VolumeIntegrityException e =
        assertThrows(VolumeIntegrityException.class, () -> EncryptedFile.open(copy, key));
    assertEquals(2, e.chunkIndex(), "the new last chunk was not sealed as final");
  }

  @Test
  void droppingAllChunksButTheFirstFailsAtOpen() throws IOException {
    Path copy = copyOfOriginal();
    truncateTo(copy, H + SEALED);
    assertEquals(
        0,
        assertThrows(VolumeIntegrityException.class, () -> EncryptedFile.open(copy, key))
            .chunkIndex());
  }

  @Test
  void truncatingInsideAChunkOrAppendingBytesFailsAtOpen() throws IOException {
    long length = Files.size(original);
    for (long newLength : new long[] {length - 1, length - 100, H + 2L * SEALED + 10, H + 5}) {
      Path copy = copyOfOriginal();
      truncateTo(copy, newLength);
      assertThrows(
          VolumeIntegrityException.class,
          () -> EncryptedFile.open(copy, key),
          "length " + newLength);
    }
    for (int extra : new int[] {1, 28, 29, 500}) {
      Path copy = copyOfOriginal();
      try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.APPEND)) {
        ch.write(ByteBuffer.allocate(extra));
      }
      assertThrows(
          VolumeIntegrityException.class, () -> EncryptedFile.open(copy, key), "extra " + extra);
    }
  }

  @Test
  void droppingEveryChunkIsNotDetectableButGivesAnEmptyFile() throws IOException {
    // Documented limit: the header alone is a valid empty file. (Rollback is not detected either.)
    Path copy = copyOfOriginal();
    truncateTo(copy, H);
    try (EncryptedFile f = EncryptedFile.open(copy, key)) {
      assertEquals(0, f.size());
    }
  }

  @Test
  void aChunkCopiedFromAnotherFileOfTheSameVolumeFails() throws IOException {
    Path other = dir.resolve("other.bin");
    writeEncrypted(other, key, content, C);
    Path copy = copyOfOriginal();
    writeRange(copy, H + SEALED, readRange(other, H + SEALED, SEALED));
    assertEquals(1, assertFails(copy).chunkIndex());
  }

  @Test
  void aHeaderCopiedFromAnotherFileOfTheSameVolumeFails() throws IOException {
    Path other = dir.resolve("other.bin");
    writeEncrypted(other, key, content, C);
    Path copy = copyOfOriginal();
    writeRange(copy, 0, readRange(other, 0, H));
    assertFails(copy);
  }

  @Test
  void aFileFromAnotherVolumeFailsNamingBothVolumes() throws IOException {
    VolumeKey otherVolume = newVolumeKey();
    WrongVolumeException e =
        assertThrows(WrongVolumeException.class, () -> EncryptedFile.open(original, otherVolume));
    assertEquals(key.volumeIdHex(), e.fileVolumeId());
    assertEquals(otherVolume.volumeIdHex(), e.expectedVolumeId());
    assertTrue(e.getMessage().contains(key.volumeIdHex()), e.getMessage());
    assertTrue(e.getMessage().contains(otherVolume.volumeIdHex()), e.getMessage());
    assertTrue(e.getMessage().contains(original.toString()), e.getMessage());
  }

  @Test
  void aFileWhoseVolumeIdWasForgedFailsAuthentication() throws IOException {
    // Same volume id, different volume key: the header tag does not verify.
    byte[] otherKeyBytes = new byte[32];
    new Random().nextBytes(otherKeyBytes);
    VolumeKey impostor = VolumeKey.of(key.volumeId(), otherKeyBytes);
    VolumeIntegrityException e =
        assertThrows(VolumeIntegrityException.class, () -> EncryptedFile.open(original, impostor));
    assertEquals(VolumeIntegrityException.HEADER, e.chunkIndex());
    assertTrue(!(e instanceof WrongVolumeException));
    // Another volume's file with its header's volume id rewritten to ours.
    VolumeKey otherVolume = newVolumeKey();
    Path foreign = dir.resolve("foreign.bin");
    writeEncrypted(foreign, otherVolume, content, C);
    writeRange(foreign, 28, key.volumeId());
    assertEquals(VolumeIntegrityException.HEADER, assertFails(foreign).chunkIndex());
  }

  @Test
  void aFailedChunkIsNeverReturnedAndLaterChunksStillRead() throws IOException {
    Path copy = copyOfOriginal();
    flipByte(copy, H + SEALED + 100); // chunk 1
    try (EncryptedFile f = EncryptedFile.open(copy, key)) {
      ByteBuffer dst = ByteBuffer.allocate(SIZE);
      assertThrows(VolumeIntegrityException.class, () -> f.read(dst, 0));
      assertTrue(dst.position() <= C, "at most chunk 0 was delivered");
      ByteBuffer chunk2 = ByteBuffer.allocate(C);
      assertEquals(C, f.read(chunk2, 2L * C));
      assertArrayEquals(Arrays.copyOfRange(content, 2 * C, 3 * C), chunk2.array());
      // a partial overwrite of the bad chunk needs its old bytes: refused, nothing changes
      assertThrows(VolumeIntegrityException.class, () -> f.write(ByteBuffer.allocate(10), C + 5));
      assertEquals(SIZE, f.size());
      // a whole-chunk overwrite replaces it
      f.write(ByteBuffer.wrap(markerContent(C)), C);
      assertEquals(C, f.read(ByteBuffer.allocate(C), C));
    }
  }

  private Path copyOfOriginal() throws IOException {
    Path copy = dir.resolve("copy.bin");
    Files.copy(original, copy, StandardCopyOption.REPLACE_EXISTING);
    return copy;
  }

  private static void truncateTo(Path file, long length) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(length);
    }
  }

  /** Opens {@code file} and reads it whole; expects an integrity failure somewhere. */
  private VolumeIntegrityException assertFails(Path file) {
    return assertThrows(
        VolumeIntegrityException.class,
        () -> {
          try (EncryptedFile f = EncryptedFile.open(file, key)) {
            VolumeTestSupport.readAll(f);
          }
        },
        "tampered file " + file + " was accepted");
  }
}
