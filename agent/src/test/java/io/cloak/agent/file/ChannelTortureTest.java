package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.assertCiphertextOnDisk;
import static io.cloak.agent.file.FileTestSupport.markerContent;
import static io.cloak.agent.file.FileTestSupport.openChannel;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelTortureTest {
  private static final Set<StandardOpenOption> RW_CREATE =
      Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
  private static final Set<StandardOpenOption> APPEND_CREATE =
      Set.of(StandardOpenOption.APPEND, StandardOpenOption.CREATE);

  @TempDir Path dir;
  Path volume;
  VolumeFileHandler handler;

  @BeforeEach
  void setUp() throws IOException {
    volume = Files.createDirectories(dir.resolve("vol"));
    handler = FileTestSupport.handler(volume);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 20261127})
  void tenThousandRandomOperationsMatchAPlainFileChannel(long seed) throws IOException {
    Path encFile = volume.resolve("t.bin");
    Path plainFile = dir.resolve("t.plain");
    Random random = new Random(seed);
    try (FileChannel enc = openChannel(handler, encFile, RW_CREATE);
        FileChannel encAppend = openChannel(handler, encFile, APPEND_CREATE);
        FileChannel plain = FileChannel.open(plainFile, RW_CREATE);
        FileChannel plainAppend = FileChannel.open(plainFile, APPEND_CREATE)) {
      assertInstanceOf(EncryptedFileChannel.class, enc);
      assertInstanceOf(EncryptedFileChannel.class, encAppend);
      for (int i = 0; i < 10_000; i++) {
        int op = random.nextInt(100);
        long size = plain.size();
        if (op < 25) { // positional write, sometimes past the end
          byte[] data = randomBytes(random, 1 + random.nextInt(random.nextBoolean() ? 64 : 70_000));
          long pos = random.nextInt((int) size + 40_000);
          assertEquals(
              plain.write(ByteBuffer.wrap(data), pos), enc.write(ByteBuffer.wrap(data), pos));
        } else if (op < 45) { // positional read
          int len = 1 + random.nextInt(random.nextBoolean() ? 100 : 80_000);
          long pos = random.nextInt((int) size + 100);
          ByteBuffer a = ByteBuffer.allocate(len);
          ByteBuffer b = ByteBuffer.allocate(len);
          assertEquals(plain.read(b, pos), enc.read(a, pos), "read at " + pos);
          assertArrayEquals(b.array(), a.array());
        } else if (op < 55) { // relative write at the position
          byte[] data = randomBytes(random, 1 + random.nextInt(5000));
          assertEquals(plain.write(ByteBuffer.wrap(data)), enc.write(ByteBuffer.wrap(data)));
        } else if (op < 65) { // relative read (direct buffer too)
          int len = 1 + random.nextInt(40_000);
          ByteBuffer a =
              random.nextBoolean() ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
          ByteBuffer b = ByteBuffer.allocate(len);
          assertEquals(plain.read(b), enc.read(a));
          a.flip();
          b.flip();
          assertEquals(b, a);
        } else if (op < 73) { // position moves
          long pos = random.nextInt((int) size + 50_000);
          plain.position(pos);
          enc.position(pos);
        } else if (op < 78) { // truncate
          long to = random.nextInt((int) size + 10);
          plain.truncate(to);
          enc.truncate(to);
        } else if (op < 88) { // append
          byte[] data = randomBytes(random, 1 + random.nextInt(9000));
          assertEquals(
              plainAppend.write(ByteBuffer.wrap(data)), encAppend.write(ByteBuffer.wrap(data)));
          assertEquals(plainAppend.position(), encAppend.position());
        } else if (op < 94) { // gathering write
          ByteBuffer[] a = {
            ByteBuffer.wrap(randomBytes(random, random.nextInt(3000))),
            ByteBuffer.wrap(randomBytes(random, random.nextInt(3000)))
          };
          ByteBuffer[] b = {a[0].duplicate(), a[1].duplicate()};
          assertEquals(plain.write(b), enc.write(a));
        } else { // scattering read
          ByteBuffer[] a = {
            ByteBuffer.allocate(random.nextInt(4000)), ByteBuffer.allocate(random.nextInt(4000))
          };
          ByteBuffer[] b = {
            ByteBuffer.allocate(a[0].capacity()), ByteBuffer.allocate(a[1].capacity())
          };
          assertEquals(plain.read(b), enc.read(a));
          assertArrayEquals(b[0].array(), a[0].array());
          assertArrayEquals(b[1].array(), a[1].array());
        }
        assertEquals(plain.size(), enc.size(), "size after op " + i);
        assertEquals(plain.position(), enc.position(), "position after op " + i);
      }
      enc.force(true);
    }
    assertArrayEquals(Files.readAllBytes(plainFile), readThrough(handler, encFile));
    assertEquals(0, handler.openFiles().openCount());
    if (Files.size(plainFile) > 0) {
      assertTrue(Files.readAllBytes(encFile).length > Files.size(plainFile));
    }
  }

  @Test
  void transferToAndTransferFromCopyThePlaintext() throws IOException {
    Path file = volume.resolve("x.bin");
    byte[] content = markerContent(150_000);
    try (FileChannel c = openChannel(handler, file, RW_CREATE)) {
      assertEquals(
          150_000,
          c.transferFrom(
              Channels.newChannel(new java.io.ByteArrayInputStream(content)), 0, 1_000_000));
      assertEquals(
          0,
          c.transferFrom(
              Channels.newChannel(new java.io.ByteArrayInputStream(content)), 200_000, 10),
          "past the end: nothing");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(100_000, c.transferTo(50_000, 100_000, Channels.newChannel(out)));
      assertArrayEquals(Arrays.copyOfRange(content, 50_000, 150_000), out.toByteArray());
      assertEquals(0, c.position(), "transfers leave the position alone");
      Path plainCopy = dir.resolve("copy.bin");
      try (FileChannel target =
          FileChannel.open(plainCopy, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        assertEquals(150_000, c.transferTo(0, Long.MAX_VALUE, target));
      }
      assertArrayEquals(content, Files.readAllBytes(plainCopy));
    }
    assertCiphertextOnDisk(file);
  }

  @Test
  void mapIsRefusedWithAClearMessage() throws IOException {
    try (FileChannel c = openChannel(handler, volume.resolve("m"), RW_CREATE)) {
      IOException e =
          assertThrows(IOException.class, () -> c.map(FileChannel.MapMode.READ_ONLY, 0, 10));
      assertTrue(e.getMessage().contains("encrypted by Cloak"), e.getMessage());
      assertTrue(e.getMessage().contains("use read and write"), e.getMessage());
    }
  }

  @Test
  void tryLockLocksTheFileAndReportsTheEncryptedChannel() throws IOException {
    Path file = volume.resolve("lock");
    try (FileChannel c = openChannel(handler, file, RW_CREATE)) {
      FileLock lock = c.tryLock();
      assertNotNull(lock);
      assertSame(c, lock.channel());
      assertTrue(lock.isValid());
      try (FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
        assertThrows(OverlappingFileLockException.class, other::tryLock, "held in this JVM");
      }
      lock.release();
      assertTrue(!lock.isValid());
      FileLock again = c.lock(0, 10, false);
      assertTrue(again.isValid());
      again.close();
    }
  }

  @Test
  void closingAStreamsChannelReleasesItsLocksWhileOthersKeepTheFileOpen() throws IOException {
    Path file = volume.resolve("slock");
    java.io.RandomAccessFile raf = FileTestSupport.openRaf(handler, file, "rw");
    java.io.FileInputStream in = FileTestSupport.openIn(handler, file);
    FileChannel c = handler.channel(handler.handle(raf));
    FileLock lock = c.lock();
    assertSame(c, lock.channel());
    try (FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
      assertThrows(OverlappingFileLockException.class, other::tryLock);
      c.close();
      assertTrue(!lock.isValid());
      assertEquals(1, handler.openFiles().openCount(), "the input stream still has it open");
      FileLock mine = other.tryLock();
      assertNotNull(mine, "released with the channel");
      mine.release();
    }
    FileTestSupport.close(handler, in);
  }

  @Test
  void readOnlyAndWriteOnlyChannelsRefuseTheOtherDirection() throws IOException {
    Path file = volume.resolve("rw");
    try (FileChannel c = openChannel(handler, file, RW_CREATE)) {
      c.write(ByteBuffer.wrap(markerContent(100)));
    }
    try (FileChannel r = openChannel(handler, file, Set.of(StandardOpenOption.READ))) {
      assertInstanceOf(EncryptedFileChannel.class, r);
      assertThrows(NonWritableChannelException.class, () -> r.write(ByteBuffer.allocate(1)));
      assertThrows(NonWritableChannelException.class, () -> r.truncate(0));
      assertThrows(NonWritableChannelException.class, r::lock);
      assertEquals(100, r.size());
    }
    try (FileChannel w = openChannel(handler, file, Set.of(StandardOpenOption.WRITE))) {
      assertThrows(NonReadableChannelException.class, () -> w.read(ByteBuffer.allocate(1)));
      assertThrows(NonReadableChannelException.class, () -> w.lock(0, 1, true));
    }
  }

  @Test
  void truncateExistingStartsOverAndDeleteOnCloseWorks() throws IOException {
    Path file = volume.resolve("t");
    try (FileChannel c = openChannel(handler, file, RW_CREATE)) {
      c.write(ByteBuffer.wrap(markerContent(5000)));
    }
    try (FileChannel c =
        openChannel(
            handler,
            file,
            Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))) {
      assertEquals(0, c.size());
      c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }
    assertArrayEquals(new byte[] {1, 2, 3}, readThrough(handler, file));
    assertCiphertextOnDisk(file);

    Path temp = volume.resolve("temp");
    try (FileChannel c =
        openChannel(
            handler,
            temp,
            Set.of(
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.DELETE_ON_CLOSE))) {
      assertInstanceOf(EncryptedFileChannel.class, c);
      c.write(ByteBuffer.wrap(markerContent(40_000)));
      ByteBuffer b = ByteBuffer.allocate(40_000);
      c.read(b, 0);
      assertArrayEquals(markerContent(40_000), b.array());
    }
    assertTrue(!Files.exists(temp));
    assertEquals(0, handler.openFiles().openCount());
  }

  @Test
  void aSyncChannelWritesAndTruncatesThroughTheEncryption() throws IOException {
    Path file = volume.resolve("sync");
    try (FileChannel c =
        openChannel(
            handler,
            file,
            Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.SYNC))) {
      assertInstanceOf(EncryptedFileChannel.class, c);
      c.write(ByteBuffer.wrap(markerContent(50_000)));
      c.truncate(40_000);
    }
    assertArrayEquals(markerContent(40_000), readThrough(handler, file));
    assertCiphertextOnDisk(file);
  }

  @Test
  void invalidOptionCombinationsAreRefusedLikeTheJdk() {
    Path file = volume.resolve("bad");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            handler.beforeChannelOpen(
                file, Set.of(StandardOpenOption.READ, StandardOpenOption.APPEND)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            handler.beforeChannelOpen(
                file, Set.of(StandardOpenOption.APPEND, StandardOpenOption.TRUNCATE_EXISTING)));
  }

  @Test
  void plaintextAndMissingFilesOpenedForReadPassThrough() throws IOException {
    Path legacy = volume.resolve("legacy");
    Files.write(legacy, markerContent(10));
    assertNull(
        handler.beforeChannelOpen(
            legacy, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE)));
    assertNull(
        handler.beforeChannelOpen(volume.resolve("missing"), Set.of(StandardOpenOption.READ)));
    assertNull(handler.beforeChannelOpen(dir.resolve("outside"), RW_CREATE));
    Object token =
        handler.beforeChannelOpen(
            volume.resolve("new"), Set.of(StandardOpenOption.APPEND, StandardOpenOption.CREATE));
    assertNotNull(token);
    Set<?> n = handler.nativeOptions(token);
    assertTrue(n.contains(StandardOpenOption.READ) && n.contains(StandardOpenOption.WRITE));
    assertTrue(!n.contains(StandardOpenOption.APPEND));
  }

  @Test
  void aStreamsChannelSharesItsPositionAndClosingItClosesTheStream() throws IOException {
    Path file = volume.resolve("s");
    java.io.RandomAccessFile raf = FileTestSupport.openRaf(handler, file, "rw");
    Object h = handler.handle(raf);
    FileChannel c = handler.channel(h);
    assertSame(c, handler.channel(h));
    c.write(ByteBuffer.wrap(markerContent(1000)));
    assertEquals(1000, raf.getFilePointer());
    raf.seek(10);
    assertEquals(10, c.position());
    c.position(20);
    assertEquals(20, raf.getFilePointer());
    c.close();
    assertThrows(IOException.class, raf::getFilePointer, "the stream is closed");
    assertNull(handler.handle(raf));
    assertEquals(0, handler.openFiles().openCount());

    java.io.FileInputStream in = FileTestSupport.openIn(handler, file);
    Object ih = handler.handle(in);
    FileChannel ic = handler.channel(ih);
    handler.skip(ih, 100);
    assertEquals(100, ic.position());
    ByteBuffer b = ByteBuffer.allocate(10);
    ic.read(b);
    assertEquals(110, ic.position());
    assertArrayEquals(Arrays.copyOfRange(markerContent(1000), 100, 110), b.array());
    assertThrows(NonWritableChannelException.class, () -> ic.write(ByteBuffer.allocate(1)));
    FileTestSupport.close(handler, in);
    assertTrue(!ic.isOpen(), "closing the stream closes its channel");
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
