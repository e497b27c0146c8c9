package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.close;
import static io.cloak.agent.file.FileTestSupport.markerContent;
import static io.cloak.agent.file.FileTestSupport.openIn;
import static io.cloak.agent.file.FileTestSupport.openOut;
import static io.cloak.agent.file.FileTestSupport.writeThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.CallGuard;
import io.cloak.agent.boot.FileHooks;
import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeIntegrityException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TamperAndInternalTest {
  @TempDir Path dir;
  Path volume;
  VolumeFileHandler handler;

  @BeforeEach
  void setUp() throws IOException {
    volume = Files.createDirectories(dir.resolve("vol"));
    handler = FileTestSupport.handler(volume);
  }

  @Test
  void aFlippedByteOnDiskFailsTheReadInsteadOfReturningWrongBytes() throws IOException {
    Path file = volume.resolve("t.bin");
    writeThrough(handler, file, markerContent(100_000));
    flip(file, 60 + 12 + 100); // in chunk 0's ciphertext
    FileInputStream in = openIn(handler, file); // opening checks the header and last chunk only
    Object h = handler.handle(in);
    byte[] b = new byte[10];
    IOException e = assertThrows(IOException.class, () -> handler.read(h, b, 0, 10));
    assertTrue(e instanceof VolumeIntegrityException, e.toString());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertFalse(e.getMessage().contains("CLOAK-SECRET"), "no plaintext in messages");
    assertArrayEquals(new byte[10], b, "nothing of the failed chunk");
    close(handler, in);

    flip(file, Files.size(file) - 3); // the last chunk's tag: refused at open
    assertThrows(IOException.class, () -> openIn(handler, file));
    assertEquals(0, handler.openFiles().openCount());
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      assertThrows(
          IOException.class,
          () ->
              FileTestSupport.openChannel(handler, file, Set.of(StandardOpenOption.READ))
                  .read(ByteBuffer.allocate(1)));
    }
  }

  @Test
  void aFlippedByteInAMiddleChunkFailsALargeStreamReadWithoutACount() throws IOException {
    Path file = volume.resolve("big.bin");
    int c = EncryptedFile.DEFAULT_CHUNK_SIZE;
    byte[] content = markerContent(128 * c); // 4 MiB
    writeThrough(handler, file, content);
    long bad = 80; // in the third 1 MiB read
    flip(file, EncryptedFile.HEADER_LENGTH + bad * (c + EncryptedFile.CHUNK_OVERHEAD) + 12 + 5);
    FileInputStream in = openIn(handler, file);
    Object h = handler.handle(in);
    byte[] b = new byte[1 << 20];
    assertEquals(b.length, handler.read(h, b, 0, b.length));
    assertArrayEquals(Arrays.copyOf(content, b.length), b);
    assertEquals(b.length, handler.read(h, b, 0, b.length));
    Arrays.fill(b, (byte) 0);
    IOException e = assertThrows(IOException.class, () -> handler.read(h, b, 0, b.length));
    assertTrue(e instanceof VolumeIntegrityException, e.toString());
    assertEquals(bad, ((VolumeIntegrityException) e).chunkIndex());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertFalse(e.getMessage().contains("CLOAK-SECRET"), "no plaintext in messages");
    int good = (int) (bad - 64) * c;
    assertArrayEquals(
        new byte[b.length - good],
        Arrays.copyOfRange(b, good, b.length),
        "nothing of the failed chunk or the chunks after it");
    // the position did not move: the next read fails the same way
    assertThrows(VolumeIntegrityException.class, () -> handler.read(h, b, 0, b.length));
    close(handler, in);
  }

  @Test
  void insideCallGuardInternalEverythingPassesThrough() throws Exception {
    Path file = volume.resolve("i.bin");
    writeThrough(handler, file, markerContent(1000));
    long onDisk = Files.size(file);
    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
    CallGuard.internal(
        () -> {
          assertFalse(handler.nativeAppend(file.toString(), false));
          FileOutputStream out = new FileOutputStream(volume.resolve("raw").toFile());
          handler.afterOpen(
              out, volume.resolve("raw").toString(), FileHooks.Handler.FILE_OUTPUT_STREAM, false);
          assertNull(handler.handle(out));
          out.close();
          FileInputStream in = new FileInputStream(file.toFile());
          handler.afterOpen(in, file.toString(), FileHooks.Handler.FILE_INPUT_STREAM, false);
          assertNull(handler.handle(in));
          in.close();
          assertNull(handler.beforeChannelOpen(file, Set.of(StandardOpenOption.READ)));
          assertSame(attrs, handler.attributes(file, attrs));
          assertEquals(onDisk, handler.length(file.toFile(), onDisk));
          assertTrue(handler.renameAllowed(file.toFile(), dir.resolve("x").toFile()));
          assertFalse(handler.copy(file, dir.resolve("c"), new CopyOption[0]));
          assertFalse(handler.move(file, dir.resolve("m"), new CopyOption[0]));
          return null;
        });
    assertEquals(0, handler.registeredStreams());
    assertEquals(0, Files.size(volume.resolve("raw")), "written raw, not encrypted");
  }

  @Test
  void aStreamThatCannotBeOpenedAsEncryptedFailsTheOpen() throws IOException {
    Path file = volume.resolve("foreign.bin");
    // Encrypted under another volume's key.
    VolumeFileHandler otherVolume = FileTestSupport.handler(volume);
    writeThrough(otherVolume, file, markerContent(10));
    assertThrows(IOException.class, () -> openOut(handler, file, true));
    assertEquals(0, handler.openFiles().openCount());
    assertEquals(0, handler.registeredStreams());
  }

  @Test
  void aReadOnlyFileIsReadThroughAReadOnlyRawChannelAndWritesFailAsIoException()
      throws IOException {
    Path file = volume.resolve("ro.bin");
    writeThrough(handler, file, markerContent(100));
    Files.setPosixFilePermissions(
        file, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(file), "running as root");
    FileInputStream in = openIn(handler, file);
    Object r = handler.handle(in);
    assertArrayEquals(markerContent(100), handler.readAllBytes(r));
    Files.setPosixFilePermissions(
        file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    FileOutputStream out = openOut(handler, file, true); // shares the read-only instance
    Object w = handler.handle(out);
    IOException e = assertThrows(IOException.class, () -> handler.write(w, new byte[] {1}, 0, 1));
    assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    close(handler, out);
    close(handler, in);
  }

  private static void flip(Path file, long offset) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x01));
      b.rewind();
      ch.write(b, offset);
    }
  }
}
