package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.markerContent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths that reach a volume through a symbolic link the config does not name still write
 * ciphertext: a folder link elsewhere, or a link to a single file.
 */
class SymlinkIntoVolumeTest {
  @TempDir Path dir;

  @Test
  void writingThroughALinkedFolderOutsideTheVolumeEncrypts() throws Exception {
    Path volume = Files.createDirectories(dir.resolve("vol"));
    Path alias = Files.createSymbolicLink(dir.resolve("elsewhere"), volume);
    VolumeFileHandler handler = FileTestSupport.handler(volume);
    Path viaAlias = alias.resolve("report.txt");
    assertNull(handler.volumeOf(viaAlias), "by name, the alias is outside the volume");
    assertNotNull(handler.volumeForOpen(viaAlias));

    FileTestSupport.writeThrough(handler, viaAlias, markerContent(5000));
    FileTestSupport.assertCiphertextOnDisk(volume.resolve("report.txt"));
    assertArrayEquals(markerContent(5000), FileTestSupport.readThrough(handler, viaAlias));

    try (var ch =
        FileTestSupport.openChannel(
            handler,
            alias.resolve("channel.bin"),
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE))) {
      ch.write(java.nio.ByteBuffer.wrap(markerContent(3000)));
    }
    FileTestSupport.assertCiphertextOnDisk(volume.resolve("channel.bin"));
  }

  @Test
  void writingThroughALinkToAFileInTheVolumeEncrypts() throws Exception {
    Path volume = Files.createDirectories(dir.resolve("vol"));
    VolumeFileHandler handler = FileTestSupport.handler(volume);
    Path target = volume.resolve("data.bin");
    FileTestSupport.writeThrough(handler, target, markerContent(100));
    Path link = Files.createSymbolicLink(dir.resolve("data-link.bin"), target);
    assertSame(handler.volumeForOpen(target), handler.volumeForOpen(link));

    FileTestSupport.writeThrough(handler, link, markerContent(7000));
    FileTestSupport.assertCiphertextOnDisk(target);
    assertArrayEquals(markerContent(7000), FileTestSupport.readThrough(handler, target));
  }

  @Test
  void pathsOutsideEveryVolumeStayOutside() throws Exception {
    Path volume = Files.createDirectories(dir.resolve("vol"));
    Path other = Files.createDirectories(dir.resolve("other"));
    VolumeFileHandler handler = FileTestSupport.handler(volume);
    assertNull(handler.volumeForOpen(other.resolve("new.txt")));
    assertNull(handler.volumeForOpen(dir.resolve("missing-folder/new.txt")));
  }
}
