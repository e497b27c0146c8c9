package io.cloak.kms.local;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Child-process probe: prints FREE if it can lock the given file, BUSY if another holds it. */
public final class LockProbe {
  private LockProbe() {}

  public static void main(String[] args) throws Exception {
    try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      System.out.println(lock == null ? "BUSY" : "FREE");
      if (lock != null) {
        lock.release();
      }
    }
  }
}
