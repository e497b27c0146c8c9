package io.cloak.kms.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeystoreLockTest {
  @TempDir Path dir;

  @Test
  void anotherProcessWaitsWhileTheLockIsHeld() throws Exception {
    KeystoreLock lock = new KeystoreLock(dir.resolve("ks"));
    lock.lock();
    try {
      assertEquals("BUSY", probe());
    } finally {
      lock.unlock();
      lock.close();
    }
    assertEquals("FREE", probe());
  }

  @Test
  void closingAnotherEngineInTheSameJvmKeepsTheHeldLock() throws Exception {
    KeystoreLock held = new KeystoreLock(dir.resolve("ks"));
    held.lock();
    try {
      // on Linux closing any descriptor of the lock file would drop this process's lock
      new KeystoreLock(dir.resolve("ks")).close();
      assertEquals("BUSY", probe());
    } finally {
      held.unlock();
      held.close();
    }
  }

  private String probe() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockProbe.class.getName(),
                dir.resolve("ks.lock").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return out;
  }
}
