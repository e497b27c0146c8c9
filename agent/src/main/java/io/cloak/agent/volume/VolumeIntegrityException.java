package io.cloak.agent.volume;

/**
 * An encrypted volume file failed authentication: its header or one of its chunks was modified,
 * reordered, truncated, copied from another file, or was not written by Cloak at all. No plaintext
 * from a failed chunk is ever returned.
 */
public class VolumeIntegrityException extends VolumeException {
  private static final long serialVersionUID = 1L;

  /** The {@link #chunkIndex()} of a failure in the file header rather than in a chunk. */
  public static final long HEADER = -1;

  private final String file;
  private final long chunkIndex;

  /**
   * @param file the file, as named when it was opened
   * @param chunkIndex the failing chunk, or {@link #HEADER}
   * @param detail what was wrong
   */
  public VolumeIntegrityException(String file, long chunkIndex, String detail) {
    this(file, chunkIndex, detail, null);
  }

  public VolumeIntegrityException(String file, long chunkIndex, String detail, Throwable cause) {
    super(
        file + ": " + (chunkIndex == HEADER ? "header" : "chunk " + chunkIndex) + ": " + detail,
        cause);
    this.file = file;
    this.chunkIndex = chunkIndex;
  }

  /** The file, as named when it was opened. */
  public String file() {
    return file;
  }

  /** The index of the chunk that failed, or {@link #HEADER} (-1) for the header. */
  public long chunkIndex() {
    return chunkIndex;
  }
}
