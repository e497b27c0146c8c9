package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.markerContent;
import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFileFootprintTest {
  static final int FILES = 1000;

  @TempDir Path dir;

  @Test
  void aThousandOpenFilesCostLittleMemory() throws IOException {
    VolumeKey key = newVolumeKey();
    int c = EncryptedFile.DEFAULT_CHUNK_SIZE;
    for (int i = 0; i < FILES; i++) {
      // 0 to 2.5 chunks each
      VolumeTestSupport.writeEncrypted(file(i), key, content(i), c);
    }
    long heapBefore = usedHeap();
    List<EncryptedFile> open = new ArrayList<>();
    try {
      for (int i = 0; i < FILES; i++) {
        open.add(EncryptedFile.open(file(i), key));
      }
      long heapOpen = usedHeap();
      long retained = open.stream().mapToLong(EncryptedFile::retainedBytes).sum();
      assertEquals(0, retained, "an idle open file holds no chunk buffers");
      System.out.printf(
          "EncryptedFileFootprintTest: %d files open, heap delta ~%d KiB (%d bytes per file)%n",
          FILES, (heapOpen - heapBefore) / 1024, (heapOpen - heapBefore) / FILES);

      // Touch every file with a small read and a small write while all are open.
      for (int i = 0; i < FILES; i++) {
        EncryptedFile f = open.get(i);
        byte[] expected = content(i);
        assertEquals(expected.length, f.size());
        f.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), expected.length);
        byte[] back = VolumeTestSupport.readAll(f);
        assertArrayEquals(expected, java.util.Arrays.copyOf(back, expected.length));
      }
      retained = open.stream().mapToLong(EncryptedFile::retainedBytes).sum();
      assertTrue(
          retained <= (long) FILES * EncryptedFile.CACHE_CHUNKS * c,
          "at most " + EncryptedFile.CACHE_CHUNKS + " chunks per file: " + retained);
      System.out.printf(
          "EncryptedFileFootprintTest: after I/O %d KiB of chunk buffers in total%n",
          retained / 1024);
    } finally {
      for (EncryptedFile f : open) {
        f.close();
      }
    }
    for (int i = 0; i < FILES; i += 97) {
      assertEquals(content(i).length + 3, VolumeTestSupport.readAll(file(i), key).length);
    }
  }

  private Path file(int i) {
    return dir.resolve("f" + i);
  }

  private static byte[] content(int i) {
    return markerContent((int) ((long) i * 5 * EncryptedFile.DEFAULT_CHUNK_SIZE / 2 / FILES));
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
