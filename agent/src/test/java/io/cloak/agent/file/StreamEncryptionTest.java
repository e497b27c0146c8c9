package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.assertCiphertextOnDisk;
import static io.cloak.agent.file.FileTestSupport.close;
import static io.cloak.agent.file.FileTestSupport.markerContent;
import static io.cloak.agent.file.FileTestSupport.openIn;
import static io.cloak.agent.file.FileTestSupport.openOut;
import static io.cloak.agent.file.FileTestSupport.openRaf;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static io.cloak.agent.file.FileTestSupport.writeThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamEncryptionTest {
  @TempDir Path dir;
  Path volume;
  VolumeFileHandler handler;

  @BeforeEach
  void setUp() throws IOException {
    volume = Files.createDirectories(dir.resolve("vol"));
    handler = FileTestSupport.handler(volume);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, 32768, 32769, 200_000})
  void fileOutputStreamWritesCiphertextThatFileInputStreamReadsBackExactly(int size)
      throws IOException {
    Path file = volume.resolve("data.bin");
    byte[] content = markerContent(size);
    FileOutputStream out = openOut(handler, file, false);
    Object h = handler.handle(out);
    assertNotNull(h, "a new file in a volume is encrypted");
    // In uneven pieces, with single bytes mixed in.
    int pos = 0;
    while (pos < size) {
      if (pos % 7 == 0) {
        handler.write(h, content[pos] & 0xff);
        pos++;
      } else {
        int n = Math.min(size - pos, 1 + pos % 5000);
        handler.write(h, content, pos, n);
        pos += n;
      }
    }
    assertEquals(size, handler.size(h));
    close(handler, out);
    assertNull(handler.handle(out), "closed streams are unregistered");
    assertCiphertextOnDisk(file);
    assertArrayEquals(content, readThrough(handler, file));
    assertEquals(0, handler.openFiles().openCount(), "every file released");
  }

  @Test
  void writesAreOnDiskBeforeCloseSoKillingTheJvmLosesNothing() throws IOException {
    Path file = volume.resolve("wal.log");
    FileOutputStream out = openOut(handler, file, false);
    Object h = handler.handle(out);
    byte[] record = "record-1;".getBytes(StandardCharsets.US_ASCII);
    handler.write(h, record, 0, record.length);
    // Not closed: a second, independent reader (another process after kill -9) sees the record.
    try (EncryptedFile other =
        EncryptedFile.open(
            java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ),
            handler.volumeOf(file).key,
            "other")) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(record.length);
      other.read(buf, 0);
      assertArrayEquals(record, buf.array());
    }
    close(handler, out);
  }

  @Test
  void appendAddsAtTheEndAndTruncatingOpenStartsOver() throws IOException {
    Path file = volume.resolve("log.txt");
    writeThrough(handler, file, bytes("first "));
    FileOutputStream out = openOut(handler, file, true);
    Object h = handler.handle(out);
    handler.write(h, bytes("second "), 0, 7);
    // Another writer grows the file meanwhile: append still goes to the current end.
    RandomAccessFile raf = openRaf(handler, file, "rw");
    Object r = handler.handle(raf);
    raf.seek(handler.size(r));
    handler.write(r, bytes("third "), 0, 6);
    handler.write(h, bytes("fourth"), 0, 6);
    close(handler, raf);
    close(handler, out);
    assertArrayEquals(bytes("first second third fourth"), readThrough(handler, file));

    writeThrough(handler, file, bytes("new"));
    assertArrayEquals(bytes("new"), readThrough(handler, file));
    assertCiphertextOnDisk(file);
  }

  @Test
  void legacyPlaintextFileStaysReadableAndUntouched() throws IOException {
    Path file = volume.resolve("legacy.txt");
    byte[] plain = markerContent(5000);
    Files.write(file, plain);

    FileInputStream in = openIn(handler, file);
    assertNull(handler.handle(in), "plaintext from before the volume passes through");
    assertArrayEquals(plain, in.readAllBytes());
    close(handler, in);

    RandomAccessFile raf = openRaf(handler, file, "rw");
    assertNull(handler.handle(raf));
    close(handler, raf);

    FileOutputStream out = openOut(handler, file, true);
    assertNull(handler.handle(out), "appending to a plaintext file keeps it plaintext");
    close(handler, out);

    assertArrayEquals(plain, Files.readAllBytes(file), "never encrypted behind the app's back");
  }

  @Test
  void truncatingWriteOfLegacyFileEncryptsIt() throws IOException {
    Path file = volume.resolve("legacy.txt");
    Files.write(file, markerContent(5000));
    byte[] content = markerContent(100);
    writeThrough(handler, file, content);
    assertCiphertextOnDisk(file);
    assertArrayEquals(content, readThrough(handler, file));
  }

  @Test
  void readOnlyOpenOfEmptyFilePassesThroughAndLeavesItEmpty() throws IOException {
    Path file = Files.createFile(volume.resolve("empty"));
    FileInputStream in = openIn(handler, file);
    assertNull(handler.handle(in));
    assertEquals(-1, in.read());
    close(handler, in);
    assertEquals(0, Files.size(file));
  }

  @Test
  void filesOutsideVolumesAndTheDescriptorPassThrough() throws IOException {
    Path outside = dir.resolve("outside.txt");
    FileOutputStream out = openOut(handler, outside, false);
    assertNull(handler.handle(out));
    out.write(bytes("plain"));
    close(handler, out);
    assertArrayEquals(bytes("plain"), Files.readAllBytes(outside));

    Path descriptor = volume.resolve(VolumeDescriptor.FILE_NAME);
    assertFalse(handler.nativeAppend(descriptor.toString(), false));
    FileOutputStream d = openOut(handler, descriptor, false);
    assertNull(handler.handle(d), "the descriptor is not a file of the volume");
    close(handler, d);
    // A nested folder is in the volume.
    assertTrue(handler.nativeAppend(volume.resolve("a/b/c").toString(), false));
  }

  @Test
  void skipAvailableReadNBytesAndSingleReadsFollowThePosition() throws IOException {
    Path file = volume.resolve("f");
    byte[] content = markerContent(100_000);
    writeThrough(handler, file, content);
    FileInputStream in = openIn(handler, file);
    Object h = handler.handle(in);
    assertEquals(100_000, handler.available(h));
    assertEquals(content[0] & 0xff, handler.read(h));
    assertEquals(39_999, handler.skip(h, 39_999));
    assertEquals(60_000, handler.available(h));
    assertArrayEquals(Arrays.copyOfRange(content, 40_000, 40_010), handler.readNBytes(h, 10));
    assertEquals(-40_010, handler.skip(h, -50_000), "skipping back stops at 0");
    byte[] b = new byte[5];
    assertEquals(5, handler.read(h, b, 0, 5));
    assertArrayEquals(Arrays.copyOf(content, 5), b);
    assertEquals(200_000, handler.skip(h, 200_000), "may skip past the end");
    assertEquals(0, handler.available(h));
    assertEquals(-1, handler.read(h));
    assertEquals(-1, handler.read(h, b, 0, 5));
    assertEquals(0, handler.readAllBytes(h).length);
    assertEquals(0, handler.readNBytes(h, 10).length);
    handler.skip(h, -300_000);
    assertArrayEquals(content, handler.readAllBytes(h));
    assertEquals(0, handler.read(h, b, 0, 0));
    close(handler, in);
  }

  @Test
  void writingToAReadOnlyStreamFailsLikeTheJdk() throws IOException {
    Path file = volume.resolve("ro");
    writeThrough(handler, file, bytes("abc"));
    FileInputStream in = openIn(handler, file);
    Object h = handler.handle(in);
    IOException e = assertThrows(IOException.class, () -> handler.write(h, 1));
    assertTrue(e.getMessage().contains("Bad file descriptor"), e.getMessage());
    close(handler, in);
    RandomAccessFile raf = openRaf(handler, file, "r");
    Object r = handler.handle(raf);
    assertThrows(IOException.class, () -> handler.write(r, bytes("x"), 0, 1));
    assertThrows(IOException.class, () -> handler.setLength(r, 0));
    close(handler, raf);
    assertArrayEquals(bytes("abc"), readThrough(handler, file));
  }

  @Test
  void closedIsIdempotentAndReleasesTheFile() throws IOException {
    Path file = volume.resolve("x");
    FileOutputStream out = openOut(handler, file, false);
    assertEquals(1, handler.openFiles().openCount());
    close(handler, out);
    handler.closed(out);
    assertEquals(0, handler.openFiles().openCount());
    assertEquals(0, handler.registeredStreams());
  }

  @Test
  void anUnclosedCollectedStreamReleasesItsFile() throws Exception {
    Path file = volume.resolve("leak");
    openAndDrop(file);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (handler.openFiles().openCount() != 0 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertEquals(0, handler.openFiles().openCount(), "the cleaner released the file");
    assertArrayEquals(bytes("leaked"), readThrough(handler, file), "its writes were kept");
  }

  private void openAndDrop(Path file) throws IOException {
    FileOutputStream out = openOut(handler, file, false);
    handler.write(handler.handle(out), bytes("leaked"), 0, 6);
    // dropped without close (the JDK's own cleaner closes its descriptor)
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
