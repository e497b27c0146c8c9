package io.cloak.agent.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Rough sequential throughput of {@link EncryptedFile} against a plain {@link FileChannel}; not a
 * test. Run: {@code java -cp <test-classes>:<classes>:<kms-core jar> io.cloak.agent.volume
 * .VolumeThroughput [dir] [MiB]}. Files stay in the page cache, so this measures CPU cost.
 */
public final class VolumeThroughput {
  private VolumeThroughput() {}

  public static void main(String[] args) throws IOException {
    Path dir =
        Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of("/tmp"), "vt");
    int mib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    long total = (long) mib << 20;
    VolumeKey key = VolumeTestSupport.newVolumeKey();
    for (int bufSize : new int[] {1 << 20, 8192}) {
      byte[] data = new byte[bufSize];
      new Random(1).nextBytes(data);
      for (int round = 0; round < 3; round++) {
        Path plain = dir.resolve("plain");
        Path enc = dir.resolve("enc");
        Files.deleteIfExists(plain);
        Files.deleteIfExists(enc);
        long t0 = System.nanoTime();
        try (FileChannel ch =
            FileChannel.open(
                plain,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
          for (long pos = 0; pos < total; pos += bufSize) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
              ch.write(b, pos + b.position());
            }
          }
        }
        long t1 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(plain, StandardOpenOption.READ)) {
          ByteBuffer b = ByteBuffer.allocate(bufSize);
          for (long pos = 0; pos < total; ) {
            b.clear();
            pos += ch.read(b, pos);
          }
        }
        long t2 = System.nanoTime();
        try (EncryptedFile f = EncryptedFile.openOrCreate(enc, key)) {
          for (long pos = 0; pos < total; pos += bufSize) {
            f.write(ByteBuffer.wrap(data), pos);
          }
        }
        long t3 = System.nanoTime();
        try (EncryptedFile f = EncryptedFile.open(enc, key)) {
          ByteBuffer b = ByteBuffer.allocate(bufSize);
          for (long pos = 0; pos < total; ) {
            b.clear();
            pos += f.read(b, pos);
          }
        }
        long t4 = System.nanoTime();
        System.out.printf(
            "buffer %7d B, round %d: plain write %6.0f MB/s read %6.0f MB/s | encrypted write %6.0f"
                + " MB/s read %6.0f MB/s%n",
            bufSize,
            round,
            mbs(total, t1 - t0),
            mbs(total, t2 - t1),
            mbs(total, t3 - t2),
            mbs(total, t4 - t3));
      }
    }
    Files.deleteIfExists(dir.resolve("plain"));
    Files.deleteIfExists(dir.resolve("enc"));
    Files.delete(dir);
  }

  private static double mbs(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }
}
