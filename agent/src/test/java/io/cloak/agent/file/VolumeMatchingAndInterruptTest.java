package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.close;
import static io.cloak.agent.file.FileTestSupport.markerContent;
import static io.cloak.agent.file.FileTestSupport.openIn;
import static io.cloak.agent.file.FileTestSupport.openOut;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.volume.VolumeDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeMatchingAndInterruptTest {
  @TempDir Path dir;

  @Test
  void aVolumeIsMatchedByItsConfiguredPathAndItsRealPathButNotByAPrefixName() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Path nested = Files.createDirectories(real.resolve("inner"));
    VolumeFileHandler handler =
        new VolumeFileHandler(
            Map.of(link, FileTestSupport.newVolumeKey(), nested, FileTestSupport.newVolumeKey()));
    Volume outer = handler.volumeOf(link.resolve("a"));
    assertNotNull(outer);
    assertSame(outer, handler.volumeOf(real.resolve("a")), "the real path matches too");
    assertSame(outer, handler.volumeOf(dir.resolve("link/x/../b")), "normalized");
    assertNull(handler.volumeOf(dir.resolve("realm/a")), "whole names only");
    assertNull(handler.volumeOf(real.resolve(VolumeDescriptor.FILE_NAME)));
    assertNotNull(handler.volumeOf(real.resolve("sub/" + VolumeDescriptor.FILE_NAME)));
    Volume inner = handler.volumeOf(nested.resolve("f"));
    assertNotNull(inner);
    assertFalse(inner == outer, "the innermost volume wins");

    Path viaLink = link.resolve("f.bin");
    FileTestSupport.writeThrough(handler, viaLink, markerContent(1000));
    FileTestSupport.assertCiphertextOnDisk(real.resolve("f.bin"));
    assertArrayEquals(markerContent(1000), readThrough(handler, real.resolve("f.bin")));
  }

  @Test
  void anInterruptedThreadDoesNotBreakTheSharedFileAndKeepsItsInterruptStatus() throws IOException {
    Path volume = Files.createDirectories(dir.resolve("vol"));
    VolumeFileHandler handler = FileTestSupport.handler(volume);
    Path file = volume.resolve("i.bin");
    FileOutputStream out = openOut(handler, file, false);
    Object w = handler.handle(out);
    FileInputStream in = openIn(handler, file);
    Object r = handler.handle(in);
    try (FileChannel c =
        FileTestSupport.openChannel(handler, file, Set.of(StandardOpenOption.READ))) {
      Thread.currentThread().interrupt();
      try {
        handler.write(w, markerContent(100_000), 0, 100_000);
        assertEquals(10, c.read(ByteBuffer.allocate(10)));
        assertTrue(Thread.currentThread().isInterrupted(), "status kept");
      } finally {
        Thread.interrupted();
      }
      // Other users of the shared file still work.
      assertArrayEquals(markerContent(100_000), handler.readAllBytes(r));
      assertEquals(100_000, c.size());
    }
    close(handler, out);
    close(handler, in);
    assertArrayEquals(markerContent(100_000), readThrough(handler, file));
  }
}
