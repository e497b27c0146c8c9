package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.MARKER;
import static io.cloak.agent.volume.VolumeTestSupport.indexOf;
import static io.cloak.agent.volume.VolumeTestSupport.markerContent;
import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static io.cloak.agent.volume.VolumeTestSupport.openChannel;
import static io.cloak.agent.volume.VolumeTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EncryptedFileRoundTripTest {
  @TempDir Path dir;
  final VolumeKey key = newVolumeKey();

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 32767, 32768, 32769, 1024 * 1024 + 17})
  void roundTripsWholeWritesAndLeavesNoPlaintextOnDisk(int size) throws IOException {
    Path file = dir.resolve("f.bin");
    byte[] content = markerContent(size);
    try (EncryptedFile f = EncryptedFile.create(openChannel(file), key, file.toString())) {
      assertEquals(size, f.write(ByteBuffer.wrap(content), 0));
      assertEquals(size, f.size());
      assertArrayEquals(content, readAll(f), "read back before close");
    }
    assertEquals(
        EncryptedFile.encryptedLength(size, EncryptedFile.DEFAULT_CHUNK_SIZE), Files.size(file));
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      assertEquals(size, f.size());
      assertArrayEquals(content, readAll(f), "read back after reopen");
    }
    assertNoPlaintextOnDisk(file);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 32767, 32768, 32769, 1024 * 1024 + 17})
  void roundTripsSmallSequentialWritesAndReads(int size) throws IOException {
    Path file = dir.resolve("g.bin");
    byte[] content = markerContent(size);
    Random random = new Random(size);
    try (EncryptedFile f = EncryptedFile.openOrCreate(file, key)) {
      int pos = 0;
      while (pos < size) {
        int n = Math.min(size - pos, 1 + random.nextInt(9000));
        f.write(ByteBuffer.wrap(content, pos, n), pos);
        pos += n;
      }
    }
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      byte[] back = new byte[size];
      int pos = 0;
      while (pos < size) {
        int n = Math.min(size - pos, 1 + random.nextInt(9000));
        assertEquals(n, f.read(ByteBuffer.wrap(back, pos, n), pos));
        pos += n;
      }
      assertArrayEquals(content, back);
      assertEquals(-1, f.read(ByteBuffer.allocate(1), size));
    }
    assertNoPlaintextOnDisk(file);
  }

  @Test
  void emptyFileIsTheHeaderAlone() throws IOException {
    Path file = dir.resolve("empty");
    EncryptedFile.create(openChannel(file), key, "empty").close();
    assertEquals(EncryptedFile.HEADER_LENGTH, Files.size(file));
    assertTrue(EncryptedFile.isEncrypted(file));
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      assertEquals(0, f.size());
      assertEquals(-1, f.read(ByteBuffer.allocate(10), 0));
      assertEquals(0, f.read(ByteBuffer.allocate(0), 0), "no room in dst reads 0, not EOF");
    }
  }

  @Test
  void isEncryptedTellsPlaintextFilesApart() throws IOException {
    Path plain = dir.resolve("plain.txt");
    Files.writeString(plain, "hello, plain world");
    Path empty = Files.createFile(dir.resolve("empty.txt"));
    Path enc = dir.resolve("enc.bin");
    VolumeTestSupport.writeEncrypted(enc, key, markerContent(100), 32768);
    assertFalse(EncryptedFile.isEncrypted(plain));
    assertFalse(EncryptedFile.isEncrypted(empty));
    assertTrue(EncryptedFile.isEncrypted(enc));
    try (FileChannel ch = FileChannel.open(enc)) {
      ch.position(7);
      assertTrue(EncryptedFile.isEncrypted(ch));
      assertEquals(7, ch.position(), "isEncrypted leaves the channel position alone");
    }
    VolumeIntegrityException e =
        assertThrows(VolumeIntegrityException.class, () -> EncryptedFile.open(plain, key));
    assertEquals(VolumeIntegrityException.HEADER, e.chunkIndex());
    assertTrue(e.getMessage().contains("plain.txt"), e.getMessage());
  }

  @Test
  void createRefusesANonEmptyFile() throws IOException {
    Path file = dir.resolve("data");
    Files.writeString(file, "existing");
    try (FileChannel ch = openChannel(file)) {
      assertThrows(IOException.class, () -> EncryptedFile.create(ch, key, "data"));
    }
    assertEquals("existing", Files.readString(file));
  }

  @Test
  void openOrCreateGivesAnEmptyFileAHeader() throws IOException {
    Path file = Files.createFile(dir.resolve("new"));
    try (EncryptedFile f = EncryptedFile.openOrCreate(file, key)) {
      f.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)), 0);
    }
    assertTrue(EncryptedFile.isEncrypted(file));
    assertEquals("abc", new String(VolumeTestSupport.readAll(file, key), StandardCharsets.UTF_8));
  }

  @Test
  void writingPastTheEndReadsBackZerosInTheGap() throws IOException {
    Path file = dir.resolve("sparse");
    try (EncryptedFile f = EncryptedFile.openOrCreate(file, key)) {
      f.write(ByteBuffer.wrap(markerContent(10)), 0);
      f.write(ByteBuffer.wrap(markerContent(5)), 200_000);
      assertEquals(200_005, f.size());
    }
    byte[] all = VolumeTestSupport.readAll(file, key);
    assertEquals(200_005, all.length);
    assertArrayEquals(markerContent(10), Arrays.copyOfRange(all, 0, 10));
    assertArrayEquals(new byte[200_000 - 10], Arrays.copyOfRange(all, 10, 200_000));
    assertArrayEquals(markerContent(5), Arrays.copyOfRange(all, 200_000, 200_005));
  }

  @Test
  void aLargeGapIsFilledWithEncryptedZeros() throws IOException {
    Path file = dir.resolve("gap");
    long gap = 40L * 1024 * 1024 + 3;
    try (EncryptedFile f = EncryptedFile.openOrCreate(file, key)) {
      f.write(ByteBuffer.wrap(markerContent(7)), 0);
      f.setLength(gap);
      f.write(ByteBuffer.wrap(markerContent(5)), gap);
    }
    assertEquals(EncryptedFile.encryptedLength(gap + 5, 32768), Files.size(file));
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      for (long pos : new long[] {7, 32767, 32768, 5_000_000, gap - 40_000}) {
        ByteBuffer b = ByteBuffer.allocate(40_000);
        f.read(b, pos);
        assertArrayEquals(new byte[40_000], b.array(), "zeros at " + pos);
      }
      ByteBuffer end = ByteBuffer.allocate(5);
      f.read(end, gap);
      assertArrayEquals(markerContent(5), end.array());
    }
  }

  @Test
  void truncateAndSetLengthBehaveLikeAPlainFile() throws IOException {
    Path file = dir.resolve("t");
    byte[] content = markerContent(100_000);
    try (EncryptedFile f = EncryptedFile.openOrCreate(file, key)) {
      f.write(ByteBuffer.wrap(content), 0);
      f.truncate(200_000);
      assertEquals(100_000, f.size(), "truncate never grows");
      f.truncate(65_536);
      assertEquals(65_536, f.size());
      f.setLength(70_000);
      assertEquals(70_000, f.size());
    }
    byte[] all = VolumeTestSupport.readAll(file, key);
    assertArrayEquals(Arrays.copyOf(Arrays.copyOf(content, 65_536), 70_000), all);
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      f.truncate(0);
    }
    assertEquals(EncryptedFile.HEADER_LENGTH, Files.size(file));
  }

  @Test
  void directBuffersWorkForReadsAndWrites() throws IOException {
    Path file = dir.resolve("direct");
    byte[] content = markerContent(3 * 32768 + 99);
    ByteBuffer src = ByteBuffer.allocateDirect(content.length).put(content).flip();
    try (EncryptedFile f = EncryptedFile.openOrCreate(file, key)) {
      f.write(src, 0);
      ByteBuffer dst = ByteBuffer.allocateDirect(content.length);
      assertEquals(content.length, f.read(dst, 0));
      byte[] back = new byte[content.length];
      dst.flip().get(back);
      assertArrayEquals(content, back);
    }
  }

  @Test
  void aReadOnlyChannelReadsAndRefusesWritesUpFront() throws IOException {
    Path file = dir.resolve("ro");
    VolumeTestSupport.writeEncrypted(file, key, markerContent(1000), 32768);
    try (EncryptedFile f = EncryptedFile.open(FileChannel.open(file), key, "ro")) {
      assertArrayEquals(markerContent(1000), readAll(f));
      assertThrows(NonWritableChannelException.class, () -> f.write(ByteBuffer.allocate(5), 3));
      assertThrows(NonWritableChannelException.class, () -> f.truncate(10));
      assertEquals(1000, f.size(), "still usable");
    }
  }

  @Test
  void closedFileRefusesCallsAndCloseIsIdempotent() throws IOException {
    EncryptedFile f = EncryptedFile.openOrCreate(dir.resolve("c"), key);
    f.close();
    f.close();
    assertFalse(f.isOpen());
    assertThrows(ClosedChannelException.class, () -> f.read(ByteBuffer.allocate(1), 0));
    assertThrows(ClosedChannelException.class, () -> f.write(ByteBuffer.allocate(1), 0));
    assertThrows(ClosedChannelException.class, f::size);
  }

  @Test
  void smallChunkSizesRoundTrip() throws IOException {
    Path file = dir.resolve("small");
    byte[] content = markerContent(10_000);
    VolumeTestSupport.writeEncrypted(file, key, content, EncryptedFile.MIN_CHUNK_SIZE);
    assertEquals(
        EncryptedFile.encryptedLength(content.length, EncryptedFile.MIN_CHUNK_SIZE),
        Files.size(file));
    assertArrayEquals(content, VolumeTestSupport.readAll(file, key));
    assertThrows(
        IllegalArgumentException.class,
        () -> EncryptedFile.create(openChannel(dir.resolve("bad")), key, "bad", 1000));
  }

  private static void assertNoPlaintextOnDisk(Path file) throws IOException {
    byte[] disk = Files.readAllBytes(file);
    // Every 8-byte window of the marker: none may appear in the ciphertext.
    for (int i = 0; i + 8 <= MARKER.length; i++) {
      byte[] window = Arrays.copyOfRange(MARKER, i, i + 8);
      assertEquals(-1, indexOf(disk, window), "plaintext found on disk at window " + i);
    }
  }
}
