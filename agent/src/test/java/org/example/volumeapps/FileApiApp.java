package org.example.volumeapps;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;

/**
 * A program that knows nothing of Cloak and uses every file API the agent covers on files in one
 * folder ({@code args[0]}), and copies and moves files to and from a second folder ({@code
 * args[1]}). Each check prints {@code CHECK=name|ok} or {@code CHECK=name|FAIL detail}; the test
 * runs it with the agent and the first folder configured as a volume, then looks at the bytes on
 * disk. Every payload contains the marker {@value #MARKER}, so the test can search the disk for
 * plaintext.
 */
public final class FileApiApp {
  /** Appears in every plaintext this program writes. */
  public static final String MARKER = "TOPSECRET-PAYLOAD";

  private static final List<String> failures = new ArrayList<>();

  private FileApiApp() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path outside = Path.of(args[1]);
    byte[] big = payload(100_000); // spans several 32 KiB chunks
    byte[] small = payload(1_000);

    fileOutputAndInputStreams(dir, big, small);
    randomAccessFile(dir, big);
    fileChannel(dir, big);
    asynchronousFileChannel(dir, big, small);
    streamsFromDescriptors(dir, big);
    filesApi(dir, outside, big);
    sizes(dir, big);
    System.out.println("FAILURES=" + failures.size());
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  static byte[] payload(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; s.length() < n; i++) {
      s.append(MARKER).append(' ').append(i).append(" lorem ipsum dolor sit amet\n");
    }
    return s.substring(0, n).getBytes(StandardCharsets.US_ASCII);
  }

  static void check(String name, boolean ok, Object detail) {
    System.out.println("CHECK=" + name + "|" + (ok ? "ok" : "FAIL " + detail));
    if (!ok) {
      failures.add(name);
    }
  }

  static void checkBytes(String name, byte[] expected, byte[] actual) {
    check(
        name,
        Arrays.equals(expected, actual),
        "expected " + expected.length + " bytes, got " + actual.length);
  }

  static void fileOutputAndInputStreams(Path dir, byte[] big, byte[] small) throws IOException {
    File f = dir.resolve("streams.bin").toFile();
    try (FileOutputStream out = new FileOutputStream(f)) {
      out.write(big[0]); // write(int)
      out.write(Arrays.copyOfRange(big, 1, 10)); // write(byte[])
      out.write(big, 10, big.length - 10); // write(byte[], int, int)
    }
    check("fos.length", f.length() == big.length, f.length());
    try (FileOutputStream out = new FileOutputStream(f, true)) { // append mode
      out.write(small);
    }
    byte[] both = concat(big, small);
    check("fos.append.length", f.length() == both.length, f.length());

    try (FileInputStream in = new FileInputStream(f)) {
      check("fis.available", in.available() == both.length, in.available());
      int first = in.read(); // read()
      check("fis.read()", first == (both[0] & 0xff), first);
      byte[] nine = new byte[9];
      int n = in.read(nine); // read(byte[])
      check("fis.read(byte[])", n == 9 && Arrays.equals(nine, Arrays.copyOfRange(both, 1, 10)), n);
      long skipped = in.skip(40_000); // skip
      check("fis.skip", skipped == 40_000, skipped);
      byte[] part = new byte[5000];
      int m = in.readNBytes(part, 0, part.length); // read(byte[], int, int) in a loop
      check(
          "fis.read(byte[],int,int)",
          m == 5000 && Arrays.equals(part, Arrays.copyOfRange(both, 40_010, 45_010)),
          m);
      byte[] next = in.readNBytes(1000); // readNBytes(int)
      checkBytes("fis.readNBytes", Arrays.copyOfRange(both, 45_010, 46_010), next);
      byte[] rest = in.readAllBytes(); // readAllBytes
      checkBytes("fis.readAllBytes", Arrays.copyOfRange(both, 46_010, both.length), rest);
      check("fis.read.eof", in.read() == -1, "not at end");
    }
    try (FileInputStream in = new FileInputStream(f.getPath())) {
      checkBytes("fis(String).readAllBytes", both, in.readAllBytes());
    }
    // a stream's channel shares its position
    try (FileInputStream in = new FileInputStream(f)) {
      in.skip(100);
      FileChannel ch = in.getChannel();
      check("fis.getChannel.position", ch.position() == 100, ch.position());
      check("fis.getChannel.size", ch.size() == both.length, ch.size());
      ByteBuffer b = ByteBuffer.allocate(50);
      ch.read(b);
      checkBytes("fis.getChannel.read", Arrays.copyOfRange(both, 100, 150), b.array());
      check("fis.after.channel.read", in.read() == (both[150] & 0xff), "position not shared");
    }
    File g = dir.resolve("fos-channel.bin").toFile();
    try (FileOutputStream out = new FileOutputStream(g)) {
      out.write(small);
      FileChannel ch = out.getChannel();
      check("fos.getChannel.position", ch.position() == small.length, ch.position());
      ch.write(ByteBuffer.wrap(small));
      out.write(small);
    }
    checkBytes(
        "fos.getChannel.content", concat(small, small, small), Files.readAllBytes(g.toPath()));
  }

  static void randomAccessFile(Path dir, byte[] big) throws IOException {
    File f = dir.resolve("random.bin").toFile();
    byte[] expected = new byte[big.length + 5000];
    try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
      raf.write(big); // write(byte[])
      System.arraycopy(big, 0, expected, 0, big.length);
      check("raf.length", raf.length() == big.length, raf.length());
      check("raf.getFilePointer", raf.getFilePointer() == big.length, raf.getFilePointer());
      raf.seek(70_000);
      raf.write('X'); // write(int)
      expected[70_000] = 'X';
      raf.write(big, 0, 300); // write(byte[], int, int)
      System.arraycopy(big, 0, expected, 70_001, 300);
      raf.seek(big.length + 4000); // past the end: the gap reads as zeros
      raf.write(big, 0, 1000);
      System.arraycopy(big, 0, expected, big.length + 4000, 1000);
      check("raf.length.extended", raf.length() == expected.length, raf.length());
      raf.seek(69_999);
      int b = raf.read(); // read()
      check("raf.read()", b == (expected[69_999] & 0xff), b);
      byte[] buf = new byte[302];
      raf.readFully(buf); // read(byte[], int, int)
      checkBytes("raf.readFully", Arrays.copyOfRange(expected, 70_000, 70_302), buf);
      check("raf.skipBytes", raf.skipBytes(10) == 10, "skipBytes");
      check("raf.pointer.after.skip", raf.getFilePointer() == 70_312, raf.getFilePointer());
      raf.seek(0);
      byte[] all = new byte[expected.length];
      int n = 0;
      while (n < all.length) {
        int r = raf.read(all, n, all.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      checkBytes("raf.read.all", expected, all);
      check("raf.read.eof", raf.read() == -1, "not at end");
      raf.setLength(50_000); // truncate
      check("raf.setLength.shrink", raf.length() == 50_000, raf.length());
      raf.setLength(60_000); // extend with zeros
      check("raf.setLength.grow", raf.length() == 60_000, raf.length());
      FileChannel ch = raf.getChannel();
      check("raf.getChannel.size", ch.size() == 60_000, ch.size());
      ch.position(10);
      check("raf.getChannel.position.shared", raf.getFilePointer() == 10, raf.getFilePointer());
    }
    byte[] expectedAfter = new byte[60_000];
    System.arraycopy(expected, 0, expectedAfter, 0, 50_000);
    checkBytes("raf.reopen", expectedAfter, Files.readAllBytes(f.toPath()));
    try (RandomAccessFile raf = new RandomAccessFile(f, "r")) {
      check("raf.r.length", raf.length() == 60_000, raf.length());
      raf.seek(49_990);
      byte[] tail = new byte[20];
      raf.readFully(tail);
      checkBytes("raf.r.read", Arrays.copyOfRange(expectedAfter, 49_990, 50_010), tail);
    }
    randomAccessFileSync(dir, big);
  }

  /**
   * "rws" promises that every write has reached storage when it returns. The JDK keeps it with
   * O_SYNC; the agent writes through a channel of its own, so there it shows as one
   * FileChannel.force per write (the JDK's jdk.FileForce event). Without the agent there is none.
   */
  static void randomAccessFileSync(Path dir, byte[] big) throws IOException {
    Path file = dir.resolve("random-rws.bin");
    long forced;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.FileForce").withThreshold(Duration.ZERO);
      recording.start();
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rws")) {
        raf.write(big, 0, 1000);
        raf.write(big, 1000, 1000);
        raf.write(big, 2000, 1000);
      }
      recording.stop();
      Path events = Files.createTempFile("cloak-forces", ".jfr");
      try {
        recording.dump(events);
        forced =
            RecordingFile.readAllEvents(events).stream()
                .map(e -> e.getString("path"))
                .filter(p -> p != null && p.endsWith("random-rws.bin"))
                .count();
      } finally {
        Files.deleteIfExists(events);
      }
    }
    check("raf.rws.forced", forced >= 3, forced + " forces");
    checkBytes("raf.rws.content", Arrays.copyOf(big, 3000), Files.readAllBytes(file));
  }

  static void fileChannel(Path dir, byte[] big) throws IOException {
    Path p = dir.resolve("channel.bin");
    try (FileChannel ch =
        FileChannel.open(
            p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(big));
      check("fc.size", ch.size() == big.length, ch.size());
      ch.write(ByteBuffer.wrap(big, 0, 100), 40_000); // positional write
      ByteBuffer b = ByteBuffer.allocate(100);
      ch.read(b, 40_000); // positional read
      checkBytes("fc.positional", Arrays.copyOfRange(big, 0, 100), b.array());
      check("fc.position.unchanged", ch.position() == big.length, ch.position());
      ch.truncate(80_000);
      check("fc.truncate", ch.size() == 80_000, ch.size());
      ch.force(true);
      try {
        ch.map(FileChannel.MapMode.READ_ONLY, 0, 10);
        check("fc.map.refused", false, "map succeeded on an encrypted file");
      } catch (IOException e) {
        check("fc.map.refused", true, e);
        System.out.println("MAP_ERROR=" + e.getMessage());
      }
    }
    byte[] expected = Arrays.copyOf(big, 80_000);
    System.arraycopy(big, 0, expected, 40_000, 100);
    checkBytes("fc.reopen", expected, Files.readAllBytes(p));

    Path target = dir.resolve("transfer-to.bin");
    try (FileChannel src = FileChannel.open(p);
        FileChannel dst =
            FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long n = 0;
      while (n < src.size()) {
        n += src.transferTo(n, src.size() - n, dst);
      }
    }
    checkBytes("fc.transferTo", expected, Files.readAllBytes(target));
    Path target2 = dir.resolve("transfer-from.bin");
    try (FileChannel src = FileChannel.open(p);
        FileChannel dst =
            FileChannel.open(target2, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long n = 0;
      while (n < src.size()) {
        n += dst.transferFrom(src, n, src.size() - n);
      }
    }
    checkBytes("fc.transferFrom", expected, Files.readAllBytes(target2));
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE);
        var lock = ch.tryLock()) {
      check("fc.tryLock", lock != null && lock.isValid(), lock);
    }
  }

  static void asynchronousFileChannel(Path dir, byte[] big, byte[] small) throws Exception {
    Path p = dir.resolve("async.bin");
    try (AsynchronousFileChannel ch =
        AsynchronousFileChannel.open(
            p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      int written = ch.write(ByteBuffer.wrap(big), 0).get();
      check("afc.write.future", written == big.length, written);
      check("afc.size", ch.size() == big.length, ch.size());
      CompletableFuture<Integer> done = new CompletableFuture<>();
      ch.write(
          ByteBuffer.wrap(small),
          big.length,
          "attachment",
          new CompletionHandler<Integer, String>() {
            @Override
            public void completed(Integer n, String attachment) {
              done.complete("attachment".equals(attachment) ? n : -1);
            }

            @Override
            public void failed(Throwable e, String attachment) {
              done.completeExceptionally(e);
            }
          });
      check("afc.write.handler", done.get() == small.length, done.get());
      check("afc.size.grown", ch.size() == big.length + small.length, ch.size());
      ByteBuffer b = ByteBuffer.allocate(small.length);
      int read = ch.read(b, big.length).get();
      checkBytes("afc.read.future", small, Arrays.copyOf(b.array(), read));
      ByteBuffer beyond = ByteBuffer.allocate(10);
      int eof = ch.read(beyond, big.length + small.length).get();
      check("afc.read.eof", eof == -1, eof);
      ch.truncate(90_000);
      check("afc.truncate", ch.size() == 90_000, ch.size());
      ch.force(true);
      FileLock lock = ch.tryLock();
      check(
          "afc.tryLock",
          lock != null && lock.isValid() && lock.acquiredBy() == ch,
          lock == null ? "null" : lock.acquiredBy());
      lock.release();
      check("afc.lock.released", !lock.isValid(), lock);
      FileLock blocking = ch.lock().get();
      check("afc.lock.future", blocking.isValid(), blocking);
      blocking.release();
    }
    checkBytes("afc.reopen", Arrays.copyOf(big, 90_000), Files.readAllBytes(p));

    // a file written through a stream, read through an asynchronous channel with its own executor
    Path q = dir.resolve("async-read.bin");
    Files.write(q, big);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (AsynchronousFileChannel ch =
        AsynchronousFileChannel.open(q, Set.of(StandardOpenOption.READ), pool)) {
      check("afc.executor.size", ch.size() == big.length, ch.size());
      ByteBuffer all = ByteBuffer.allocate(big.length);
      while (all.hasRemaining()) {
        CompletableFuture<Integer> n = new CompletableFuture<>();
        ch.read(
            all,
            all.position(),
            null,
            new CompletionHandler<Integer, Void>() {
              @Override
              public void completed(Integer r, Void attachment) {
                n.complete(r);
              }

              @Override
              public void failed(Throwable e, Void attachment) {
                n.completeExceptionally(e);
              }
            });
        if (n.get() < 0) {
          break;
        }
      }
      checkBytes("afc.executor.read", big, all.array());
      try {
        ch.write(ByteBuffer.wrap(small), 0).get();
        check("afc.readOnly.write", false, "a read-only channel wrote");
      } catch (NonWritableChannelException | ExecutionException e) {
        check("afc.readOnly.write", true, e);
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * A stream made from the FileDescriptor of an encrypted file would see the ciphertext: the
   * constructor fails, and the file is left as it was.
   */
  static void streamsFromDescriptors(Path dir, byte[] big) throws IOException {
    Path p = dir.resolve("descriptor.bin");
    Files.write(p, big);
    try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
      try (FileInputStream in = new FileInputStream(raf.getFD())) {
        check("fd.input.refused", false, "read " + in.read() + " through the descriptor");
      } catch (UncheckedIOException e) {
        check("fd.input.refused", e.getMessage().contains("FileDescriptor"), e.getMessage());
      }
      try (FileOutputStream out = new FileOutputStream(raf.getFD())) {
        out.write(big, 0, 100);
        check("fd.output.refused", false, "wrote through the descriptor");
      } catch (UncheckedIOException e) {
        check("fd.output.refused", e.getMessage().contains("FileDescriptor"), e.getMessage());
      }
      check("fd.raf.still.works", raf.read() == (big[0] & 0xff), "raf read");
    }
    try (FileInputStream opened = new FileInputStream(p.toFile())) {
      try (FileInputStream again = new FileInputStream(opened.getFD())) {
        check("fd.stream.refused", false, "made a stream from a stream's descriptor");
      } catch (UncheckedIOException e) {
        check("fd.stream.refused", true, e);
      }
    }
    checkBytes("fd.file.unchanged", big, Files.readAllBytes(p));
    // descriptors of other files still make streams
    Path plain = Files.createTempFile("cloak-fd", ".txt");
    try (RandomAccessFile raf = new RandomAccessFile(plain.toFile(), "rw");
        FileOutputStream out = new FileOutputStream(raf.getFD())) {
      out.write(7);
      check("fd.outside.allowed", raf.length() == 1, raf.length());
    } finally {
      Files.delete(plain);
    }
  }

  static void filesApi(Path dir, Path outside, byte[] big) throws IOException {
    Path a = dir.resolve("files-write.bin");
    Files.write(a, big); // write(Path, byte[])
    checkBytes("files.write+readAllBytes", big, Files.readAllBytes(a));
    Files.write(a, big, StandardOpenOption.APPEND);
    checkBytes("files.write.append", concat(big, big), Files.readAllBytes(a));
    Files.write(a, big, StandardOpenOption.TRUNCATE_EXISTING);
    checkBytes("files.write.truncate", big, Files.readAllBytes(a));

    Path s = dir.resolve("files-string.txt");
    String text = new String(big, StandardCharsets.US_ASCII) + "ünïcødé\n";
    Files.writeString(s, text); // writeString
    check("files.readString", Files.readString(s).equals(text), "differs");
    List<String> lines;
    try (Stream<String> st = Files.lines(s)) { // lines
      lines = st.collect(Collectors.toList());
    }
    check("files.lines", lines.equals(text.lines().collect(Collectors.toList())), lines.size());
    check("files.readAllLines", Files.readAllLines(s).equals(lines), "differs");

    Path w = dir.resolve("buffered.txt");
    try (BufferedWriter bw = Files.newBufferedWriter(w)) { // newBufferedWriter
      for (String line : lines) {
        bw.write(line);
        bw.newLine();
      }
    }
    try (BufferedReader br = Files.newBufferedReader(w)) { // newBufferedReader
      check("files.newBufferedReader", br.lines().collect(Collectors.toList()).equals(lines), "x");
    }

    Path o = dir.resolve("newstreams.bin");
    try (OutputStream out = Files.newOutputStream(o)) { // newOutputStream
      out.write(big, 0, 12_345);
      out.write(big, 12_345, big.length - 12_345);
    }
    try (InputStream in = Files.newInputStream(o)) { // newInputStream
      in.skip(5);
      checkBytes("files.newInputStream", Arrays.copyOfRange(big, 5, big.length), in.readAllBytes());
    }
    try (SeekableByteChannel ch = Files.newByteChannel(o)) { // newByteChannel
      check("files.newByteChannel.size", ch.size() == big.length, ch.size());
      ch.position(33_000);
      ByteBuffer b = ByteBuffer.allocate(1000);
      while (b.hasRemaining() && ch.read(b) > 0) {}
      checkBytes("files.newByteChannel.read", Arrays.copyOfRange(big, 33_000, 34_000), b.array());
    }
    try (SeekableByteChannel ch =
        Files.newByteChannel(o, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      ch.position(50);
      ch.write(ByteBuffer.wrap("ABC".getBytes(StandardCharsets.US_ASCII)));
    }
    byte[] patched = big.clone();
    patched[50] = 'A';
    patched[51] = 'B';
    patched[52] = 'C';
    checkBytes("files.newByteChannel.write", patched, Files.readAllBytes(o));

    // copy within the volume, out of it and into it
    Path copy = dir.resolve("copy.bin");
    Files.copy(o, copy);
    checkBytes("files.copy.inside", patched, Files.readAllBytes(copy));
    Path out = outside.resolve("copied-out.bin");
    Files.copy(o, out, StandardCopyOption.REPLACE_EXISTING);
    checkBytes("files.copy.out", patched, Files.readAllBytes(out));
    Path plainOutside = outside.resolve("plain-outside.bin");
    Files.write(plainOutside, big);
    Path in = dir.resolve("copied-in.bin");
    Files.copy(plainOutside, in);
    checkBytes("files.copy.in", big, Files.readAllBytes(in));
    try (InputStream src = Files.newInputStream(plainOutside)) {
      Files.copy(src, dir.resolve("copied-from-stream.bin")); // copy(InputStream, Path)
    }
    checkBytes(
        "files.copy.fromStream", big, Files.readAllBytes(dir.resolve("copied-from-stream.bin")));
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Files.copy(o, sink); // copy(Path, OutputStream)
    checkBytes("files.copy.toStream", patched, sink.toByteArray());

    Path moved = dir.resolve("sub").resolve("moved.bin");
    Files.createDirectories(moved.getParent());
    Files.move(copy, moved); // inside the volume
    checkBytes("files.move.inside", patched, Files.readAllBytes(moved));
    Path movedOut = outside.resolve("moved-out.bin");
    Files.move(moved, movedOut); // out of the volume
    checkBytes("files.move.out", patched, Files.readAllBytes(movedOut));
    check("files.move.out.sourceGone", !Files.exists(moved), "source still there");
    Path movedIn = dir.resolve("moved-in.bin");
    Files.move(plainOutside, movedIn); // into the volume
    checkBytes("files.move.in", big, Files.readAllBytes(movedIn));
  }

  static void sizes(Path dir, byte[] big) throws IOException {
    Path p = dir.resolve("sizes.bin");
    Files.write(p, Arrays.copyOf(big, 77_777));
    check("size.File.length", p.toFile().length() == 77_777, p.toFile().length());
    check("size.Files.size", Files.size(p) == 77_777, Files.size(p));
    BasicFileAttributes basic = Files.readAttributes(p, BasicFileAttributes.class);
    check("size.BasicFileAttributes", basic.size() == 77_777, basic.size());
    PosixFileAttributes posix = Files.readAttributes(p, PosixFileAttributes.class);
    check("size.PosixFileAttributes", posix.size() == 77_777, posix.size());
    Object viaMap = Files.getAttribute(p, "size");
    check("size.getAttribute", Long.valueOf(77_777).equals(viaMap), viaMap);
    Path empty = dir.resolve("empty.bin");
    new FileOutputStream(empty.toFile()).close();
    check("size.empty", Files.size(empty) == 0 && empty.toFile().length() == 0, Files.size(empty));
    try (FileInputStream in = new FileInputStream(empty.toFile())) {
      check("read.empty", in.read() == -1, "not empty");
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
