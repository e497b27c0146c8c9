package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.newVolumeKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFileConcurrencyTest {
  @TempDir Path dir;

  @Test
  void threadsWritingDisjointRegionsOfOneFileAllLand() throws Exception {
    int threads = 8;
    int region = 50_000; // not chunk aligned: neighbouring threads share chunks
    int rounds = 200;
    byte[] expected = new byte[threads * region];
    VolumeKey key = newVolumeKey();
    Path path = dir.resolve("shared");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (EncryptedFile f = EncryptedFile.openOrCreate(path, key)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  Random rnd = new Random(id);
                  for (int r = 0; r < rounds; r++) {
                    int off = rnd.nextInt(region);
                    int len = rnd.nextInt(region - off + 1);
                    byte[] data = new byte[len];
                    rnd.nextBytes(data);
                    long pos = (long) id * region + off;
                    f.write(ByteBuffer.wrap(data), pos);
                    synchronized (expected) {
                      System.arraycopy(data, 0, expected, (int) pos, len);
                    }
                    f.read(ByteBuffer.allocate(1000), rnd.nextInt(threads * region));
                  }
                  return null;
                }));
      }
      for (Future<?> fu : futures) {
        fu.get();
      }
      f.setLength(expected.length);
    } finally {
      pool.shutdown();
    }
    assertArrayEquals(expected, VolumeTestSupport.readAll(path, key));
  }
}
