package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.close;
import static io.cloak.agent.file.FileTestSupport.openOut;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentStreamsTest {
  @TempDir Path dir;

  @Test
  void appendingStreamsOnManyThreadsLoseAndTearNoRecord() throws Exception {
    Path volume = Files.createDirectories(dir.resolve("vol"));
    VolumeFileHandler handler = FileTestSupport.handler(volume);
    Path file = volume.resolve("log");
    int threads = 4;
    int records = 300;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(
            pool.submit(
                () -> {
                  FileOutputStream out = openOut(handler, file, true);
                  Object h = handler.handle(out);
                  for (int i = 0; i < records; i++) {
                    byte[] line =
                        String.format("t%d-%05d-%s%n", id, i, "x".repeat(i % 50))
                            .getBytes(StandardCharsets.US_ASCII);
                    handler.write(h, line, 0, line.length);
                  }
                  close(handler, out);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    String all = new String(readThrough(handler, file), StandardCharsets.US_ASCII);
    Map<String, Integer> next = new HashMap<>();
    int lines = 0;
    for (String line : all.split("\n")) {
      assertTrue(line.matches("t\\d-\\d{5}-x*"), "intact record: " + line);
      String thread = line.substring(0, 2);
      int n = Integer.parseInt(line.substring(3, 8));
      assertEquals(next.getOrDefault(thread, 0), n, "in order per thread");
      next.put(thread, n + 1);
      lines++;
    }
    assertEquals(threads * records, lines);
    assertEquals(0, handler.openFiles().openCount());
  }
}
