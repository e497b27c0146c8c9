package org.example.volumeapps;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/**
 * Applies the same random positional writes, reads, truncates, appends and size changes to two
 * files through the JDK's own APIs ({@code RandomAccessFile}, its channel, {@code
 * FileChannel.open}, {@code Files}), and compares every result. Run with the agent, the first file
 * inside a volume and the second outside. Prints {@code TORTURE=seed|ops|ok} or {@code
 * TORTURE=seed|op|FAIL detail}. Knows nothing of Cloak.
 */
public final class RandomAccessTortureApp {
  private RandomAccessTortureApp() {}

  public static void main(String[] args) throws IOException {
    Path encrypted = Path.of(args[0]);
    Path reference = Path.of(args[1]);
    long seed = Long.parseLong(args[2]);
    int ops = Integer.parseInt(args[3]);
    Random random = new Random(seed);
    Side a = new Side(encrypted);
    Side b = new Side(reference);
    for (int op = 0; op < ops; op++) {
      int kind = random.nextInt(100);
      long size = b.raf.length();
      String what;
      if (kind < 30) { // positional write through the channel
        long pos = (long) (random.nextDouble() * (size + 70_000));
        byte[] data = bytes(random, 1 + random.nextInt(random.nextBoolean() ? 200 : 90_000));
        a.channel.write(ByteBuffer.wrap(data), pos);
        b.channel.write(ByteBuffer.wrap(data), pos);
        what = "write " + pos + "+" + data.length;
      } else if (kind < 45) { // seek and write through RandomAccessFile
        long pos = (long) (random.nextDouble() * (size + 1000));
        byte[] data = bytes(random, 1 + random.nextInt(5000));
        a.raf.seek(pos);
        b.raf.seek(pos);
        if (data.length == 1) {
          a.raf.write(data[0]);
          b.raf.write(data[0]);
        } else {
          a.raf.write(data);
          b.raf.write(data);
        }
        what = "raf write " + pos + "+" + data.length;
      } else if (kind < 70) { // positional read
        long pos = (long) (random.nextDouble() * (size + 100));
        int len = 1 + random.nextInt(70_000);
        ByteBuffer x = ByteBuffer.allocate(len);
        ByteBuffer y = ByteBuffer.allocate(len);
        int rx = a.channel.read(x, pos);
        int ry = b.channel.read(y, pos);
        if (rx != ry || !Arrays.equals(x.array(), y.array())) {
          fail(seed, op, "read " + pos + "+" + len + " returned " + rx + " vs " + ry);
          return;
        }
        what = "read " + pos + "+" + len;
      } else if (kind < 80) { // seek and read through RandomAccessFile
        long pos = (long) (random.nextDouble() * size);
        byte[] x = new byte[1 + random.nextInt(3000)];
        byte[] y = new byte[x.length];
        a.raf.seek(pos);
        b.raf.seek(pos);
        int rx = a.raf.read(x);
        int ry = b.raf.read(y);
        if (rx != ry || !Arrays.equals(x, y) || a.raf.getFilePointer() != b.raf.getFilePointer()) {
          fail(seed, op, "raf read at " + pos + " returned " + rx + " vs " + ry);
          return;
        }
        what = "raf read " + pos;
      } else if (kind < 87) { // append at the end
        byte[] data = bytes(random, 1 + random.nextInt(40_000));
        a.channel.position(a.channel.size());
        b.channel.position(b.channel.size());
        a.channel.write(ByteBuffer.wrap(data));
        b.channel.write(ByteBuffer.wrap(data));
        what = "append " + data.length;
      } else if (kind < 94) { // truncate
        long to = (long) (random.nextDouble() * size);
        a.channel.truncate(to);
        b.channel.truncate(to);
        what = "truncate " + to;
      } else { // setLength, either way
        long to = (long) (random.nextDouble() * (size + 50_000));
        a.raf.setLength(to);
        b.raf.setLength(to);
        what = "setLength " + to;
      }
      if (a.raf.length() != b.raf.length() || a.channel.size() != b.channel.size()) {
        fail(
            seed,
            op,
            what + ": sizes " + a.raf.length() + "/" + a.channel.size() + " vs " + b.raf.length());
        return;
      }
      if (op % 1000 == 999) { // close, compare whole files through another API, reopen
        a.close();
        b.close();
        byte[] x = Files.readAllBytes(encrypted);
        byte[] y = Files.readAllBytes(reference);
        if (!Arrays.equals(x, y) || Files.size(encrypted) != Files.size(reference)) {
          fail(seed, op, "content differs after " + what);
          return;
        }
        a = new Side(encrypted);
        b = new Side(reference);
      }
    }
    a.close();
    b.close();
    boolean same = Arrays.equals(Files.readAllBytes(encrypted), Files.readAllBytes(reference));
    if (!same) {
      fail(seed, ops, "content differs at the end");
      return;
    }
    System.out.println("TORTURE=" + seed + "|" + ops + "|ok|" + Files.size(reference));
  }

  private static void fail(long seed, int op, String detail) {
    System.out.println("TORTURE=" + seed + "|" + op + "|FAIL " + detail);
    System.exit(1);
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** One file opened twice: a RandomAccessFile and a separate FileChannel. */
  private static final class Side {
    final RandomAccessFile raf;
    final FileChannel channel;

    Side(Path p) throws IOException {
      raf = new RandomAccessFile(p.toFile(), "rw");
      channel = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    void close() throws IOException {
      channel.close();
      raf.close();
    }
  }
}
