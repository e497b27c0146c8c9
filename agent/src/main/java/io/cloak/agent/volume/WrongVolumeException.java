package io.cloak.agent.volume;

/**
 * An encrypted file belongs to a different volume than the {@link VolumeKey} it was opened with
 * (its header names another volume id). Typically the file was copied or moved between volumes.
 */
public class WrongVolumeException extends VolumeIntegrityException {
  private static final long serialVersionUID = 1L;

  private final String fileVolumeId;
  private final String expectedVolumeId;

  public WrongVolumeException(String file, String fileVolumeId, String expectedVolumeId) {
    super(
        file,
        HEADER,
        "belongs to volume "
            + fileVolumeId
            + ", not to volume "
            + expectedVolumeId
            + " it was opened in; open it with its own volume's key");
    this.fileVolumeId = fileVolumeId;
    this.expectedVolumeId = expectedVolumeId;
  }

  /** The volume id (hex) the file's header names. */
  public String fileVolumeId() {
    return fileVolumeId;
  }

  /** The volume id (hex) of the key the file was opened with. */
  public String expectedVolumeId() {
    return expectedVolumeId;
  }
}
