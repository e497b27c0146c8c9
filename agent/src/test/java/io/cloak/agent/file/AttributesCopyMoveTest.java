package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.assertCiphertextOnDisk;
import static io.cloak.agent.file.FileTestSupport.close;
import static io.cloak.agent.file.FileTestSupport.markerContent;
import static io.cloak.agent.file.FileTestSupport.openOut;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static io.cloak.agent.file.FileTestSupport.writeThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributesCopyMoveTest {
  private static final CopyOption[] NONE = {};

  @TempDir Path dir;
  Path volume;
  Path other;
  VolumeFileHandler handler;

  @BeforeEach
  void setUp() throws IOException {
    volume = Files.createDirectories(dir.resolve("vol"));
    other = Files.createDirectories(dir.resolve("vol2"));
    handler =
        new VolumeFileHandler(
            Map.of(volume, FileTestSupport.newVolumeKey(), other, FileTestSupport.newVolumeKey()));
  }

  @Test
  void attributesAndLengthReportThePlaintextSizeOpenOrClosed() throws IOException {
    Path file = volume.resolve("a.bin");
    byte[] content = markerContent(100_000);
    writeThrough(handler, file, content);
    long onDisk = Files.size(file);
    assertNotEquals(100_000, onDisk);
    BasicFileAttributes raw = Files.readAttributes(file, PosixFileAttributes.class);
    BasicFileAttributes seen = handler.attributes(file, raw);
    assertEquals(100_000, seen.size());
    assertInstanceOf(PosixFileAttributes.class, seen);
    assertEquals(
        ((PosixFileAttributes) raw).permissions(), ((PosixFileAttributes) seen).permissions());
    assertEquals(raw.lastModifiedTime(), seen.lastModifiedTime());
    assertEquals(raw.fileKey(), seen.fileKey());
    assertSame(seen, handler.attributes(file, seen), "idempotent");
    assertEquals(100_000, handler.length(file.toFile(), onDisk));

    // While open and growing, from the open file.
    FileOutputStream out = openOut(handler, file, true);
    handler.write(handler.handle(out), content, 0, 5);
    BasicFileAttributes basic = Files.readAttributes(file, BasicFileAttributes.class);
    assertEquals(100_005, handler.attributes(file, basic).size());
    assertFalse(handler.attributes(file, basic) instanceof PosixFileAttributes);
    assertEquals(100_005, handler.length(file.toFile(), Files.size(file)));
    close(handler, out);

    Path legacy = volume.resolve("legacy.txt");
    Files.write(legacy, markerContent(77));
    BasicFileAttributes l = Files.readAttributes(legacy, BasicFileAttributes.class);
    assertSame(l, handler.attributes(legacy, l), "plaintext files: unchanged");
    assertEquals(77, handler.length(legacy.toFile(), 77));
    Path outside = Files.write(dir.resolve("o"), markerContent(5));
    BasicFileAttributes o = Files.readAttributes(outside, BasicFileAttributes.class);
    assertSame(o, handler.attributes(outside, o));
    BasicFileAttributes d = Files.readAttributes(volume, BasicFileAttributes.class);
    assertSame(d, handler.attributes(volume, d), "directories: unchanged");
  }

  @Test
  void copyOutOfAVolumeDecryptsAndIntoAVolumeEncrypts() throws IOException {
    Path inside = volume.resolve("secret.bin");
    byte[] content = markerContent(70_000);
    writeThrough(handler, inside, content);

    Path out = dir.resolve("out.bin");
    assertTrue(handler.copy(inside, out, NONE));
    assertArrayEquals(content, Files.readAllBytes(out), "readable plaintext outside");

    Path back = volume.resolve("back.bin");
    assertTrue(handler.copy(out, back, NONE));
    assertCiphertextOnDisk(back);
    assertArrayEquals(content, readThrough(handler, back));
    assertNotEquals(
        Arrays.toString(Arrays.copyOfRange(Files.readAllBytes(inside), 12, 28)),
        Arrays.toString(Arrays.copyOfRange(Files.readAllBytes(back), 12, 28)),
        "a new file id");

    Path otherVolume = other.resolve("x.bin");
    assertTrue(handler.copy(inside, otherVolume, NONE));
    assertCiphertextOnDisk(otherVolume);
    assertArrayEquals(content, readThrough(handler, otherVolume));

    assertThrows(FileAlreadyExistsException.class, () -> handler.copy(inside, back, NONE));
    writeThrough(handler, inside, markerContent(10));
    assertTrue(
        handler.copy(
            inside,
            back,
            new CopyOption[] {
              StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES
            }));
    assertArrayEquals(markerContent(10), readThrough(handler, back));
    assertEquals(
        Files.getLastModifiedTime(inside), Files.getLastModifiedTime(back), "attributes copied");

    assertFalse(handler.copy(out, dir.resolve("plain2"), NONE), "outside volumes: native copy");
  }

  @Test
  void moveAcrossTheBoundaryReencryptsAndInsideOneVolumeIsANativeRename() throws IOException {
    Path inside = volume.resolve("m.bin");
    byte[] content = markerContent(40_000);
    writeThrough(handler, inside, content);

    assertFalse(handler.move(inside, volume.resolve("renamed.bin"), NONE), "same volume");
    assertFalse(handler.move(dir.resolve("a"), dir.resolve("b"), NONE), "no volume");
    assertTrue(handler.renameAllowed(inside.toFile(), volume.resolve("r").toFile()));
    assertFalse(handler.renameAllowed(inside.toFile(), dir.resolve("r").toFile()));
    assertFalse(handler.renameAllowed(inside.toFile(), other.resolve("r").toFile()));

    // A native rename inside the volume keeps the file readable (keys do not depend on the path).
    Path renamed = volume.resolve("renamed.bin");
    Files.move(inside, renamed);
    assertArrayEquals(content, readThrough(handler, renamed));

    Path out = dir.resolve("m.out");
    assertThrows(
        AtomicMoveNotSupportedException.class,
        () -> handler.move(renamed, out, new CopyOption[] {StandardCopyOption.ATOMIC_MOVE}));
    assertTrue(handler.move(renamed, out, NONE));
    assertFalse(Files.exists(renamed));
    assertArrayEquals(content, Files.readAllBytes(out));

    Path in = other.resolve("m.in");
    assertTrue(handler.move(out, in, NONE));
    assertFalse(Files.exists(out));
    assertCiphertextOnDisk(in);
    assertArrayEquals(content, readThrough(handler, in));

    Path emptyDir = Files.createDirectory(dir.resolve("emptydir"));
    assertTrue(handler.move(emptyDir, volume.resolve("emptydir"), NONE));
    assertTrue(Files.isDirectory(volume.resolve("emptydir")));
    Files.write(volume.resolve("emptydir/f"), new byte[] {1});
    assertThrows(
        java.nio.file.DirectoryNotEmptyException.class,
        () -> handler.move(volume.resolve("emptydir"), dir.resolve("d2"), NONE));
  }
}
