package io.cloak.agent.file;

import io.cloak.agent.volume.EncryptedFile;
import java.nio.channels.FileChannel;

/**
 * One open encrypted file, shared by every stream and channel of the JVM that has it open, with a
 * reference count guarded by its {@link OpenFiles} table.
 */
final class SharedFile {
  final Object tableKey; // null when not in the table (a private file)
  final EncryptedFile file;
  final FileChannel raw; // the channel under file, for locks
  int refs; // guarded by the table

  SharedFile(Object tableKey, EncryptedFile file, FileChannel raw) {
    this.tableKey = tableKey;
    this.file = file;
    this.raw = raw;
  }

  @Override
  public String toString() {
    return "SharedFile[" + file.name() + "]";
  }
}
