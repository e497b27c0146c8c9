package io.cloak.agent.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EncryptedFile#recover}: a torn end is cut back to the authentic prefix, nothing else. */
class EncryptedFileRecoveryTest {
  static final int CHUNK = 4096;
  static final int SEALED = CHUNK + EncryptedFile.CHUNK_OVERHEAD;

  @TempDir Path dir;
  final VolumeKey key = VolumeTestSupport.newVolumeKey();

  Path fileWith(byte[] content) throws IOException {
    Path p = dir.resolve("f.bin");
    VolumeTestSupport.writeEncrypted(p, key, content, CHUNK);
    return p;
  }

  EncryptedFile.Recovery recover(Path p) throws IOException {
    try (FileChannel ch = VolumeTestSupport.openChannel(p)) {
      return EncryptedFile.recover(ch, key, p.toString());
    }
  }

  static long chunkOffset(long index) {
    return EncryptedFile.HEADER_LENGTH + index * SEALED;
  }

  @Test
  void intactFileIsLeftUnchanged() throws Exception {
    byte[] content = VolumeTestSupport.markerContent(3 * CHUNK + 100);
    Path p = fileWith(content);
    byte[] before = Files.readAllBytes(p);
    EncryptedFile.Recovery r = recover(p);
    assertFalse(r.changed());
    assertEquals(content.length, r.plaintextSize());
    assertArrayEquals(before, Files.readAllBytes(p));
  }

  @Test
  void tornLastChunkIsCutAwayAndTheRestReadsBackExactly() throws Exception {
    byte[] content = VolumeTestSupport.markerContent(3 * CHUNK + 100);
    Path p = fileWith(content);
    // a torn rewrite of the last chunk: its middle holds other bytes
    try (FileChannel ch = VolumeTestSupport.openChannel(p)) {
      ch.write(ByteBuffer.wrap(new byte[50]), chunkOffset(3) + 20);
    }
    assertThrows(VolumeIntegrityException.class, () -> VolumeTestSupport.readAll(p, key));
    EncryptedFile.Recovery r = recover(p);
    assertTrue(r.changed());
    assertEquals(3 * CHUNK, r.plaintextSize());
    assertEquals(3, r.lostFromChunk());
    assertArrayEquals(Arrays.copyOf(content, 3 * CHUNK), VolumeTestSupport.readAll(p, key));
    assertFalse(recover(p).changed(), "a second run finds the file intact");
  }

  @Test
  void tornExtensionOfTheLastChunkIsCutAway() throws Exception {
    byte[] content = VolumeTestSupport.markerContent(2 * CHUNK + 700);
    Path p = fileWith(content);
    // the file grew by a few bytes of a longer rewrite that did not finish
    try (FileChannel ch = VolumeTestSupport.openChannel(p)) {
      ch.write(ByteBuffer.wrap(new byte[9]), ch.size());
    }
    EncryptedFile.Recovery r = recover(p);
    assertTrue(r.changed());
    assertArrayEquals(Arrays.copyOf(content, 2 * CHUNK), VolumeTestSupport.readAll(p, key));
  }

  @Test
  void fileCutAtAChunkBoundaryGetsAFinalChunkAgain() throws Exception {
    byte[] content = VolumeTestSupport.markerContent(3 * CHUNK);
    Path p = fileWith(content);
    try (FileChannel ch = VolumeTestSupport.openChannel(p)) {
      ch.truncate(chunkOffset(2)); // chunk 1, sealed as not final, is now the last
    }
    assertThrows(VolumeIntegrityException.class, () -> VolumeTestSupport.readAll(p, key));
    EncryptedFile.Recovery r = recover(p);
    assertTrue(r.changed());
    assertArrayEquals(Arrays.copyOf(content, 2 * CHUNK), VolumeTestSupport.readAll(p, key));
  }

  @Test
  void damageInTheMiddleIsRefusedAndTheFileIsNotTouched() throws Exception {
    Path p = fileWith(VolumeTestSupport.markerContent(4 * CHUNK + 10));
    try (FileChannel ch = VolumeTestSupport.openChannel(p)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), chunkOffset(1) + 100);
    }
    byte[] before = Files.readAllBytes(p);
    VolumeIntegrityException e = assertThrows(VolumeIntegrityException.class, () -> recover(p));
    assertTrue(e.getMessage().contains("chunk 1"), e.getMessage());
    assertTrue(e.getMessage().contains("backup"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(p));
  }

  @Test
  void damagedFirstChunkLeavesAnEmptyFileThatOpens() throws Exception {
    Path p = fileWith(VolumeTestSupport.markerContent(CHUNK / 2));
    // flipped, not overwritten with a constant: a constant equal to the stored byte damages nothing
    VolumeTestSupport.flipByte(p, chunkOffset(0) + 30);
    EncryptedFile.Recovery r = recover(p);
    assertTrue(r.changed());
    assertEquals(0, r.plaintextSize());
    assertEquals(0, VolumeTestSupport.readAll(p, key).length);
  }

  @Test
  void fileOfAnotherVolumeIsRefused() throws Exception {
    Path p = fileWith(VolumeTestSupport.markerContent(100));
    VolumeKey other = VolumeTestSupport.newVolumeKey();
    try (FileChannel ch = VolumeTestSupport.openChannel(p)) {
      assertThrows(WrongVolumeException.class, () -> EncryptedFile.recover(ch, other, "f"));
    }
  }
}
