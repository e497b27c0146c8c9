package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.assertCiphertextOnDisk;
import static io.cloak.agent.file.FileTestSupport.close;
import static io.cloak.agent.file.FileTestSupport.markerContent;
import static io.cloak.agent.file.FileTestSupport.openRaf;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomAccessFileTest {
  @TempDir Path dir;
  Path volume;
  VolumeFileHandler handler;

  @BeforeEach
  void setUp() throws IOException {
    volume = Files.createDirectories(dir.resolve("vol"));
    handler = FileTestSupport.handler(volume);
  }

  @Test
  void thePlaintextPositionLivesInTheNativeFileOffset() throws IOException {
    Path file = volume.resolve("raf.bin");
    RandomAccessFile raf = openRaf(handler, file, "rw");
    Object h = handler.handle(raf);
    assertNotNull(h);
    byte[] content = markerContent(70_000);
    handler.write(h, content, 0, content.length);
    assertEquals(70_000, raf.getFilePointer(), "write advanced the native offset");
    assertEquals(70_000, handler.size(h));
    raf.seek(33_000); // native, not instrumented: the handler reads from there
    byte[] b = new byte[10];
    assertEquals(10, handler.read(h, b, 0, 10));
    assertArrayEquals(Arrays.copyOfRange(content, 33_000, 33_010), b);
    assertEquals(33_010, raf.getFilePointer());
    assertEquals(content[33_010] & 0xff, handler.read(h));
    assertEquals(33_011, raf.getFilePointer());
    assertEquals(36_989, handler.skipBytes(h, 1_000_000), "skipBytes stops at the end");
    assertEquals(70_000, raf.getFilePointer());
    assertEquals(-1, handler.read(h));
    assertEquals(0, handler.skipBytes(h, -5));

    handler.setLength(h, 50_000);
    assertEquals(50_000, handler.size(h));
    assertEquals(50_000, raf.getFilePointer(), "setLength pulls the pointer back");
    handler.setLength(h, 80_000);
    assertEquals(80_000, handler.size(h));
    assertEquals(50_000, raf.getFilePointer());
    close(handler, raf);

    byte[] expected = new byte[80_000];
    System.arraycopy(content, 0, expected, 0, 50_000);
    assertArrayEquals(expected, readThrough(handler, file), "extended with zeros");
    assertCiphertextOnDisk(file);
  }

  @Test
  void randomReadsAndWritesMatchAPlainRandomAccessFile() throws IOException {
    Path file = volume.resolve("r.bin");
    Path plainFile = dir.resolve("plain.bin");
    RandomAccessFile enc = openRaf(handler, file, "rw");
    Object h = handler.handle(enc);
    try (RandomAccessFile plain = new RandomAccessFile(plainFile.toFile(), "rw")) {
      Random random = new Random(42);
      for (int i = 0; i < 2000; i++) {
        long pos = random.nextInt(150_000);
        enc.seek(pos);
        plain.seek(pos);
        int op = random.nextInt(10);
        if (op < 4) {
          byte[] data = new byte[1 + random.nextInt(40_000)];
          random.nextBytes(data);
          handler.write(h, data, 0, data.length);
          plain.write(data);
        } else if (op < 8) {
          int len = 1 + random.nextInt(40_000);
          byte[] a = new byte[len];
          byte[] b = new byte[len];
          int na = handler.read(h, a, 0, len);
          int nb = plain.read(b, 0, len);
          assertEquals(nb, na, "read count at " + pos);
          assertArrayEquals(b, a);
        } else if (op == 8) {
          long len = random.nextInt(160_000);
          handler.setLength(h, len);
          plain.setLength(len);
        } else {
          int n = random.nextInt(50_000);
          assertEquals(plain.skipBytes(n), handler.skipBytes(h, n));
        }
        assertEquals(plain.getFilePointer(), enc.getFilePointer());
        assertEquals(plain.length(), handler.size(h));
      }
      close(handler, enc);
      assertArrayEquals(Files.readAllBytes(plainFile), readThrough(handler, file));
    }
  }

  @Test
  void anExistingEncryptedFileOpensReadOnly() throws IOException {
    Path file = volume.resolve("ro.bin");
    byte[] content = markerContent(1000);
    FileTestSupport.writeThrough(handler, file, content);
    RandomAccessFile raf = openRaf(handler, file, "r");
    Object h = handler.handle(raf);
    assertEquals(1000, handler.size(h));
    raf.seek(500);
    assertArrayEquals(Arrays.copyOfRange(content, 500, 1000), handler.readAllBytes(h));
    close(handler, raf);
  }

  @Test
  void synchronousModesForceEveryWriteToStorageAndReadWriteModeDoesNot() throws Exception {
    // jdk.FileForce is the JDK's own event for FileChannel.force: one per force, with the path
    // and whether metadata was forced too.
    Map<String, List<Boolean>> forces = new HashMap<>();
    try (Recording recording = new Recording()) {
      recording.enable("jdk.FileForce").withThreshold(Duration.ZERO);
      recording.start();
      for (String mode : List.of("rw", "rws", "rwd")) {
        Path file = volume.resolve(mode + ".bin");
        RandomAccessFile raf = openRaf(handler, file, mode);
        Object h = handler.handle(raf);
        byte[] content = markerContent(10_000);
        handler.write(h, content, 0, 4_000);
        handler.write(h, content, 4_000, 6_000);
        handler.write(h, 'x');
        handler.setLength(h, 9_000);
        handler.channel(h).write(ByteBuffer.wrap(content, 0, 100), 200);
        close(handler, raf);
      }
      recording.stop();
      Path out = dir.resolve("forces.jfr");
      recording.dump(out);
      for (RecordedEvent e : RecordingFile.readAllEvents(out)) {
        String path = e.getString("path");
        if (path != null) {
          forces
              .computeIfAbsent(Path.of(path).getFileName().toString(), k -> new ArrayList<>())
              .add(e.getBoolean("metaData"));
        }
      }
    }
    assertEquals(List.of(), forces.getOrDefault("rw.bin", List.of()), "rw: no force per write");
    List<Boolean> rws = forces.getOrDefault("rws.bin", List.of());
    assertTrue(rws.size() >= 5, "rws: a force per write, setLength and channel write: " + rws);
    assertFalse(rws.contains(false), "rws forces metadata too: " + rws);
    List<Boolean> rwd = forces.getOrDefault("rwd.bin", List.of());
    assertTrue(rwd.size() >= 5, "rwd: a force per write, setLength and channel write: " + rwd);
    assertTrue(
        rwd.subList(0, 4).stream().noneMatch(Boolean::booleanValue),
        "rwd's own writes force the content only, as the JDK's O_DSYNC: " + rwd);
    for (String mode : List.of("rw", "rws", "rwd")) {
      byte[] content = markerContent(10_000);
      byte[] expected = Arrays.copyOf(content, 9_000); // the 'x' at 10,000 was cut off
      System.arraycopy(content, 0, expected, 200, 100);
      assertArrayEquals(expected, readThrough(handler, volume.resolve(mode + ".bin")), mode);
      assertCiphertextOnDisk(volume.resolve(mode + ".bin"));
    }
  }
}
