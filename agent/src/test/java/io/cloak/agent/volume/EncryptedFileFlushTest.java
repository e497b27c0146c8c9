package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.markerContent;
import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static io.cloak.agent.volume.VolumeTestSupport.openChannel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFileFlushTest {
  @TempDir Path dir;
  final VolumeKey key = newVolumeKey();

  @Test
  void flushWritesDirtyChunksSoAnotherOpenSeesThemWhileTheFileStaysOpen() throws IOException {
    Path file = dir.resolve("f.bin");
    byte[] content = markerContent(3 * EncryptedFile.DEFAULT_CHUNK_SIZE + 100);
    EncryptedFile f = EncryptedFile.create(openChannel(file), key, file.toString());
    try {
      f.write(ByteBuffer.wrap(content), 0);
      f.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10); // partial chunk: only in the cache
      content[10] = 1;
      content[11] = 2;
      content[12] = 3;
      f.flush();
      assertEquals(
          EncryptedFile.encryptedLength(content.length, EncryptedFile.DEFAULT_CHUNK_SIZE),
          Files.size(file));
      // A second, read-only instance (as another process would after a JVM crash) reads it all.
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
          EncryptedFile other = EncryptedFile.open(ch, key, "other")) {
        assertArrayEquals(content, VolumeTestSupport.readAll(other));
        assertEquals(content.length, EncryptedFile.plaintextSize(ch));
      }
    } finally {
      f.close();
    }
    assertThrows(ClosedChannelException.class, f::flush);
  }

  @Test
  void plaintextSizeOfAPlaintextFileIsMinusOne() throws IOException {
    Path file = dir.resolve("plain.txt");
    Files.write(file, markerContent(1000));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      assertEquals(-1, EncryptedFile.plaintextSize(ch));
    }
  }
}
