package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.close;
import static io.cloak.agent.file.FileTestSupport.openChannel;
import static io.cloak.agent.file.FileTestSupport.openIn;
import static io.cloak.agent.file.FileTestSupport.openOut;
import static io.cloak.agent.file.FileTestSupport.openRaf;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedFileTableTest {
  @TempDir Path dir;
  Path volume;
  VolumeFileHandler handler;

  @BeforeEach
  void setUp() throws IOException {
    volume = Files.createDirectories(dir.resolve("vol"));
    handler = FileTestSupport.handler(volume);
  }

  @Test
  void twoHandlesOnOneFileSeeEachOthersWritesThroughOneSharedFile() throws IOException {
    Path file = volume.resolve("shared.bin");
    FileOutputStream out = openOut(handler, file, false);
    Object w = handler.handle(out);
    handler.write(w, ascii("hello "), 0, 6);

    // Opened through another name of the same file: still the same entry (keyed by inode).
    Path alias = volume.resolve("sub/../shared.bin");
    Files.createDirectories(volume.resolve("sub"));
    FileInputStream in = openIn(handler, alias);
    Object r = handler.handle(in);
    assertSame(((StreamHandle) w).file, ((StreamHandle) r).file, "one EncryptedFile per file");
    assertEquals(1, handler.openFiles().openCount());
    assertArrayEquals(ascii("hello "), handler.readAllBytes(r));

    handler.write(w, ascii("world"), 0, 5);
    assertEquals(5, handler.available(r));
    assertArrayEquals(ascii("world"), handler.readAllBytes(r));

    RandomAccessFile raf = openRaf(handler, file, "rw");
    Object rw = handler.handle(raf);
    raf.seek(0);
    handler.write(rw, ascii("HELLO"), 0, 5);
    try (FileChannel c = openChannel(handler, file, Set.of(StandardOpenOption.READ))) {
      ByteBuffer b = ByteBuffer.allocate(11);
      c.read(b, 0);
      assertArrayEquals(ascii("HELLO world"), b.array());
      assertEquals(1, handler.openFiles().openCount());
    }

    close(handler, out);
    close(handler, raf);
    assertEquals(1, handler.openFiles().openCount(), "still open by the input stream");
    close(handler, in);
    assertEquals(0, handler.openFiles().openCount(), "the last release closed it");
    assertArrayEquals(ascii("HELLO world"), readThrough(handler, file));
  }

  @Test
  void aTruncatingOpenWhileOthersHaveTheFileOpenTruncatesForEveryone() throws IOException {
    Path file = volume.resolve("t.bin");
    FileTestSupport.writeThrough(handler, file, ascii("0123456789"));
    FileInputStream in = openIn(handler, file);
    Object r = handler.handle(in);
    assertEquals(10, handler.size(r));
    FileOutputStream out = openOut(handler, file, false);
    assertEquals(0, handler.size(r));
    handler.write(handler.handle(out), ascii("ab"), 0, 2);
    assertArrayEquals(ascii("ab"), handler.readAllBytes(r));
    close(handler, out);
    close(handler, in);
    assertEquals(0, handler.openFiles().openCount());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
