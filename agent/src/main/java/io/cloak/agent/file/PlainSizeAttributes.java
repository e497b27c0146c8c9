package io.cloak.agent.file;

import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/** File attributes whose {@link #size()} is the plaintext size; the rest is the delegate's. */
class PlainSizeAttributes implements BasicFileAttributes {
  final BasicFileAttributes delegate;
  private final long size;

  PlainSizeAttributes(BasicFileAttributes delegate, long size) {
    this.delegate = delegate;
    this.size = size;
  }

  static BasicFileAttributes of(BasicFileAttributes attrs, long size) {
    return attrs instanceof PosixFileAttributes p
        ? new Posix(p, size)
        : new PlainSizeAttributes(attrs, size);
  }

  @Override
  public FileTime lastModifiedTime() {
    return delegate.lastModifiedTime();
  }

  @Override
  public FileTime lastAccessTime() {
    return delegate.lastAccessTime();
  }

  @Override
  public FileTime creationTime() {
    return delegate.creationTime();
  }

  @Override
  public boolean isRegularFile() {
    return delegate.isRegularFile();
  }

  @Override
  public boolean isDirectory() {
    return delegate.isDirectory();
  }

  @Override
  public boolean isSymbolicLink() {
    return delegate.isSymbolicLink();
  }

  @Override
  public boolean isOther() {
    return delegate.isOther();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public Object fileKey() {
    return delegate.fileKey();
  }

  /** With the POSIX attributes of the delegate. */
  static final class Posix extends PlainSizeAttributes implements PosixFileAttributes {
    private final PosixFileAttributes posix;

    Posix(PosixFileAttributes delegate, long size) {
      super(delegate, size);
      this.posix = delegate;
    }

    @Override
    public UserPrincipal owner() {
      return posix.owner();
    }

    @Override
    public GroupPrincipal group() {
      return posix.group();
    }

    @Override
    public Set<PosixFilePermission> permissions() {
      return posix.permissions();
    }
  }
}
