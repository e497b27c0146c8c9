package io.cloak.agent.file;

import io.cloak.agent.CallGuard;
import io.cloak.agent.boot.FileHooks;
import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.config.VolumeRule;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The agent's {@link FileHooks.Handler}: encrypts files written under the configured volume folders
 * and decrypts them on read, through one shared {@link EncryptedFile} per open file.
 *
 * <p>Files in a volume are in encrypted mode when they are missing, empty or encrypted when opened;
 * a non-empty plaintext file from before the volume existed is passed through untouched (unless a
 * write open truncates it, which leaves it empty and so encrypted). Every write ends by writing the
 * sealed chunks to the operating system (no fsync), so killing the JVM loses nothing a plain file
 * would keep.
 *
 * <p>Every file the handler opens itself is opened inside {@link
 * CallGuard#internal(CallGuard.Work)}, and every entry point that could open or inspect files
 * passes through when {@link CallGuard#internal()} is set, so the handler never recurses into
 * itself. Thread-safe.
 *
 * <p>Interrupts: stream I/O methods clear the thread's interrupt status while they run and restore
 * it afterwards, since an interrupt would close the shared raw channel (see {@link
 * EncryptedFileChannel}).
 */
public final class VolumeFileHandler implements FileHooks.Handler {
  private static final int COPY_BUFFER = 64 * 1024;
  private static final Cleaner CLEANER = Cleaner.create();

  private final List<Volume> volumes;
  private final OpenFiles files = new OpenFiles();
  private final WeakIdentityMap<StreamHandle> streams = new WeakIdentityMap<>();
  // the FileDescriptor of each encrypted stream and random-access file, with the file's name
  private final WeakIdentityMap<String> descriptors = new WeakIdentityMap<>();

  /**
   * Classes the hooks may need, loaded now: loading a class reads a jar through the very stream
   * methods the advice hooks, so a class first loaded from inside a hook could recurse.
   */
  private static final String[] PRELOAD = {
    "io.cloak.agent.file.WeakIdentityMap$Probe",
    "io.cloak.agent.file.WeakIdentityMap$WeakKey",
    "io.cloak.agent.file.StreamHandle",
    "io.cloak.agent.file.Lease",
    "io.cloak.agent.file.SharedFile",
    "io.cloak.agent.file.OpenFiles",
    "io.cloak.agent.file.OpenFiles$State",
    "io.cloak.agent.file.Volume",
    "io.cloak.agent.file.EncryptedFileChannel",
    "io.cloak.agent.file.EncryptedFileChannel$Lock",
    "io.cloak.agent.file.EncryptedAsynchronousFileChannel",
    "io.cloak.agent.file.EncryptedAsynchronousFileChannel$Lock",
    "io.cloak.agent.file.PlainSizeAttributes",
    "io.cloak.agent.file.PlainSizeAttributes$Posix",
    "io.cloak.agent.file.VolumeFileHandler$ChannelToken",
    "io.cloak.agent.CallGuard",
    "io.cloak.agent.volume.EncryptedFile",
    "io.cloak.agent.volume.EncryptedFile$Chunk",
    "io.cloak.agent.volume.EncryptedFile$ChunkJob",
    "io.cloak.agent.volume.EncryptedFile$OpenJob",
    "io.cloak.agent.volume.EncryptedFile$SealJob",
    "io.cloak.agent.volume.ChunkHelpers",
    "io.cloak.agent.volume.VolumeIntegrityException",
    "io.cloak.agent.volume.WrongVolumeException",
  };

  static {
    ClassLoader loader = VolumeFileHandler.class.getClassLoader();
    for (String name : PRELOAD) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }

  VolumeFileHandler(Map<Path, VolumeKey> volumes) {
    List<Volume> list = new ArrayList<>();
    for (Map.Entry<Path, VolumeKey> e : volumes.entrySet()) {
      Path root = e.getKey().toAbsolutePath().normalize();
      Path real = null;
      try {
        real = CallGuard.internal(() -> Files.exists(root) ? root.toRealPath() : null);
      } catch (IOException ignored) {
        // matched by its absolute path only
      }
      list.add(new Volume(root, real, Objects.requireNonNull(e.getValue(), "key")));
    }
    this.volumes = List.copyOf(list);
  }

  /**
   * The handler for the volumes of {@code config}: for each volume rule, loads the volume's
   * descriptor, or creates the folder and a new volume under the rule's key, and unlocks the volume
   * key with one KMS call.
   *
   * @throws IOException naming the config file and line of the volume that cannot be opened or
   *     created, and what to do
   * @throws io.cloak.config.ConfigException if the KMS of the config cannot be opened
   */
  public static VolumeFileHandler create(CloakConfig config) throws IOException {
    Map<Path, VolumeKey> keys = new java.util.LinkedHashMap<>();
    if (config.volumes().isEmpty()) {
      return new VolumeFileHandler(keys);
    }
    return CallGuard.internal(
        () -> {
          Principal principal = ConfiguredKms.principal(config);
          try (KeyManagementService kms = ConfiguredKms.open(config)) {
            for (VolumeRule rule : config.volumes()) {
              Path root = rule.path().toAbsolutePath().normalize();
              keys.put(root, unlock(config, rule, root, kms, principal));
            }
          } catch (IOException | RuntimeException | Error e) {
            keys.values().forEach(VolumeKey::destroy);
            throw e;
          }
          return new VolumeFileHandler(keys);
        });
  }

  private static VolumeKey unlock(
      CloakConfig config, VolumeRule rule, Path root, KeyManagementService kms, Principal principal)
      throws IOException {
    VolumeDescriptor d;
    try {
      if (VolumeDescriptor.exists(root)) {
        d = VolumeDescriptor.load(root);
      } else {
        Files.createDirectories(root);
        d = VolumeDescriptor.create(root, kms, principal, rule.key());
      }
    } catch (IOException e) {
      throw new IOException(
          where(config, rule, root)
              + "cannot open or create the volume ("
              + e.getMessage()
              + "); check that the folder is writable and that "
              + VolumeDescriptor.FILE_NAME
              + " in it is a valid Cloak volume descriptor, or fix the path in the config",
          e);
    }
    try {
      return d.unlock(kms, principal);
    } catch (IOException e) {
      throw new IOException(
          where(config, rule, root)
              + "cannot unlock the volume key ("
              + e.getMessage()
              + "); check the kms settings and the key of this volume (it was created with key "
              + d.keyRef()
              + ")",
          e);
    }
  }

  /**
   * The start of an error message about a volume. Built only on failure: a first string
   * concatenation of a new shape costs start-up several milliseconds of method-handle spinning.
   */
  private static String where(CloakConfig config, VolumeRule rule, Path root) {
    return config.source() + ":" + rule.line() + ": volume " + root + ": ";
  }

  // ---------------------------------------------------------------------------------------------
  // Volumes

  /** The volume {@code path} is in (innermost root), or null. */
  Volume volumeOf(Path path) {
    if (volumes.isEmpty()) {
      return null;
    }
    Path abs = path.toAbsolutePath().normalize();
    Volume best = null;
    int bestLen = -1;
    for (Volume v : volumes) {
      int len = v.match(abs);
      if (len > bestLen) {
        best = v;
        bestLen = len;
      }
    }
    return best;
  }

  private Volume volumeForOpen(String path) {
    if (volumes.isEmpty() || path == null) {
      return null;
    }
    try {
      return volumeForOpen(Path.of(path));
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /**
   * The volume {@code path} is in, also when it reaches the volume through a symbolic link (the
   * file itself, or a folder on the way): used wherever a file is opened, copied or moved, so that
   * no plaintext is written into a volume under another name. Costs one {@code realpath} for paths
   * outside volumes. (Sizes and attributes match by name only, which is cheaper.)
   */
  Volume volumeForOpen(Path path) {
    Volume v = volumeOf(path);
    if (v != null || volumes.isEmpty()) {
      return v;
    }
    Path real = realPath(path);
    return real == null ? null : volumeOf(real);
  }

  /** The real path of {@code path}, or of its folder when the file does not exist; else null. */
  private static Path realPath(Path path) {
    try {
      return CallGuard.internal(
          () -> {
            Path abs = path.toAbsolutePath();
            try {
              return abs.toRealPath();
            } catch (NoSuchFileException e) {
              Path parent = abs.getParent();
              Path name = abs.getFileName();
              return parent == null || name == null ? null : parent.toRealPath().resolve(name);
            }
          });
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Path normalized(Path path) {
    return path.toAbsolutePath().normalize();
  }

  // ---------------------------------------------------------------------------------------------
  // Streams

  @Override
  public boolean nativeAppend(String path, boolean append) {
    if (append || CallGuard.internal()) {
      return append;
    }
    // In a volume the handler truncates (through the encryption) itself in afterOpen, so the
    // operating system must never truncate: that would destroy the header of an encrypted file.
    return volumeForOpen(path) != null;
  }

  @Override
  public void afterOpen(Object stream, String path, int kind, boolean append) throws IOException {
    open(stream, path, kind, append, false, false);
  }

  @Override
  public void afterRandomAccessOpen(Object file, String path, int mode) throws IOException {
    boolean rws = (mode & RAF_SYNC) != 0;
    boolean rwd = (mode & RAF_DSYNC) != 0;
    open(
        file,
        path,
        (mode & RAF_READ_WRITE) != 0 ? RANDOM_ACCESS_WRITE : RANDOM_ACCESS_READ,
        false,
        rws || rwd,
        rws);
  }

  private void open(
      Object stream,
      String path,
      int kind,
      boolean append,
      boolean syncWrites,
      boolean syncMetadata)
      throws IOException {
    if (CallGuard.internal()) {
      return;
    }
    Volume v = volumeForOpen(path);
    if (v == null || streams.get(stream) != null) {
      return; // outside volumes, or registered already (idempotent)
    }
    boolean fos = kind == FILE_OUTPUT_STREAM;
    boolean write = fos || kind == RANDOM_ACCESS_WRITE;
    SharedFile shared = files.acquire(normalized(Path.of(path)), v.key, write, fos && !append);
    if (shared == null) {
      return; // plaintext from before the volume, an empty file read, or not a regular file
    }
    Lease lease = new Lease(files, shared);
    StreamHandle h = new StreamHandle(stream, kind, fos && append, lease, syncWrites, syncMetadata);
    try {
      if (h.randomAccess()) {
        ((java.io.RandomAccessFile) stream).seek(0);
      }
    } catch (IOException | RuntimeException e) {
      lease.release();
      throw e;
    }
    h.cleanable = CLEANER.register(stream, lease);
    streams.put(stream, h);
    FileDescriptor fd = descriptor(stream);
    if (fd != null) {
      descriptors.put(fd, h.file.name());
    }
  }

  private static FileDescriptor descriptor(Object stream) throws IOException {
    if (stream instanceof FileInputStream in) {
      return in.getFD();
    }
    if (stream instanceof FileOutputStream out) {
      return out.getFD();
    }
    if (stream instanceof RandomAccessFile raf) {
      return raf.getFD();
    }
    return null;
  }

  @Override
  public void checkDescriptor(FileDescriptor fd, int kind) {
    if (CallGuard.internal()) {
      return;
    }
    String name = descriptors.get(fd);
    if (name != null) {
      boolean input = kind == FILE_INPUT_STREAM;
      throw new UncheckedIOException(
          new IOException(
              name
                  + " is encrypted by Cloak (an encrypted volume): a "
                  + (input ? "FileInputStream" : "FileOutputStream")
                  + " made from its FileDescriptor would "
                  + (input ? "read the ciphertext" : "write past the encryption")
                  + ", so it is not supported; read and write through the stream, RandomAccessFile"
                  + " or channel that opened the file"));
    }
  }

  @Override
  public Object handle(Object stream) {
    return streams.get(stream);
  }

  private static StreamHandle h(Object handle) {
    return (StreamHandle) handle;
  }

  private static void checkReadable(StreamHandle h) throws IOException {
    if (!h.readable()) {
      throw new IOException("Bad file descriptor (the stream was not opened for reading)");
    }
  }

  private static void checkWritable(StreamHandle h) throws IOException {
    if (!h.writable()) {
      throw new IOException("Bad file descriptor (the file was opened read-only)");
    }
  }

  @Override
  public int read(Object handle) throws IOException {
    byte[] b = new byte[1];
    int n = read(handle, b, 0, 1);
    return n <= 0 ? -1 : b[0] & 0xff;
  }

  @Override
  public int read(Object handle, byte[] b, int off, int len) throws IOException {
    boolean interrupted = Thread.interrupted(); // see Interrupts in the class comment
    try {
      StreamHandle h = h(handle);
      Objects.checkFromIndexSize(off, len, b.length);
      checkReadable(h);
      if (len == 0) {
        return 0;
      }
      synchronized (h) {
        long p = h.position();
        int n = h.file.read(ByteBuffer.wrap(b, off, len), p);
        if (n > 0) {
          h.position(p + n);
        }
        return n;
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public byte[] readAllBytes(Object handle) throws IOException {
    return readUpTo(h(handle), Integer.MAX_VALUE, true);
  }

  @Override
  public byte[] readNBytes(Object handle, int len) throws IOException {
    if (len < 0) {
      throw new IllegalArgumentException("len < 0");
    }
    return readUpTo(h(handle), len, false);
  }

  private static byte[] readUpTo(StreamHandle h, int max, boolean all) throws IOException {
    boolean interrupted = Thread.interrupted(); // see Interrupts in the class comment
    try {
      checkReadable(h);
      synchronized (h) {
        long p = h.position();
        long left = Math.max(0, h.file.size() - p);
        if (all && left > Integer.MAX_VALUE - 8) {
          throw new OutOfMemoryError("Required array size too large");
        }
        byte[] out = new byte[(int) Math.min(left, max)];
        ByteBuffer buf = ByteBuffer.wrap(out);
        int n = OpenFiles.readFully(h.file, buf, p);
        h.position(p + n);
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public long skip(Object handle, long n) throws IOException {
    StreamHandle h = h(handle);
    synchronized (h) {
      long p = h.position();
      long target = n > 0 && p + n < 0 ? Long.MAX_VALUE : Math.max(0, p + n);
      h.position(target);
      return target - p;
    }
  }

  @Override
  public int skipBytes(Object handle, int n) throws IOException {
    boolean interrupted = Thread.interrupted(); // see Interrupts in the class comment
    try {
      if (n <= 0) {
        return 0;
      }
      StreamHandle h = h(handle);
      synchronized (h) {
        long p = h.position();
        long len = h.file.size();
        long target = p + n;
        if (target > len) {
          target = len;
        }
        h.position(target);
        return (int) (target - p);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public int available(Object handle) throws IOException {
    StreamHandle h = h(handle);
    synchronized (h) {
      long left = h.file.size() - h.position();
      return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }
  }

  @Override
  public void write(Object handle, int b) throws IOException {
    write(handle, new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(Object handle, byte[] b, int off, int len) throws IOException {
    boolean interrupted = Thread.interrupted(); // see Interrupts in the class comment
    try {
      StreamHandle h = h(handle);
      Objects.checkFromIndexSize(off, len, b.length);
      checkWritable(h);
      if (len == 0) {
        return;
      }
      synchronized (h) {
        EncryptedFile f = h.file;
        long p;
        synchronized (f) {
          p = h.append ? f.size() : h.position();
          try {
            f.write(ByteBuffer.wrap(b, off, len), p);
          } catch (NonWritableChannelException e) {
            throw readOnlyShared(f, e);
          }
          h.writeBack();
        }
        h.position(p + len);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The shared raw channel could only be opened read-only (the file is not writable). */
  private static IOException readOnlyShared(EncryptedFile f, NonWritableChannelException e) {
    return new IOException(
        f.name() + ": the encrypted file is open read-only (it was not writable when opened)", e);
  }

  @Override
  public long size(Object handle) throws IOException {
    return h(handle).file.size();
  }

  @Override
  public void setLength(Object handle, long newLength) throws IOException {
    boolean interrupted = Thread.interrupted(); // see Interrupts in the class comment
    try {
      StreamHandle h = h(handle);
      checkWritable(h);
      if (newLength < 0) {
        throw new IOException("Negative length");
      }
      synchronized (h) {
        EncryptedFile f = h.file;
        synchronized (f) {
          try {
            f.setLength(newLength);
          } catch (NonWritableChannelException e) {
            throw readOnlyShared(f, e);
          }
          h.writeBack();
        }
        if (h.position() > newLength) {
          h.position(newLength);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public FileChannel channel(Object handle) throws IOException {
    StreamHandle h = h(handle);
    synchronized (h) {
      EncryptedFileChannel c = h.channel();
      if (c == null) {
        Object stream = h.stream();
        if (stream == null) {
          throw new IOException("Stream Closed");
        }
        c = new EncryptedFileChannel(h, stream, this);
        h.channel(c);
        if (h.isClosed()) {
          c.close();
        }
      }
      return c;
    }
  }

  @Override
  public void closed(Object stream) throws IOException {
    boolean interrupted = Thread.interrupted(); // see Interrupts in the class comment
    try {
      StreamHandle h = streams.remove(stream);
      if (h == null || !h.markClosed()) {
        return;
      }
      try {
        h.lease.release();
      } finally {
        h.cleanable.clean(); // no-op now, unregisters the cleaner
        EncryptedFileChannel c = h.channel();
        if (c != null) {
          c.close(); // closes the stream again (a no-op) and calls closed (a no-op)
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** How many streams are registered (for tests). */
  int registeredStreams() {
    return streams.size();
  }

  OpenFiles openFiles() {
    return files;
  }

  // ---------------------------------------------------------------------------------------------
  // java.io.File

  @Override
  public long length(File file, long lengthOnDisk) {
    if (lengthOnDisk <= 0 || CallGuard.internal()) {
      return lengthOnDisk;
    }
    try {
      Path p = file.toPath();
      if (volumeOf(p) == null) {
        return lengthOnDisk;
      }
      BasicFileAttributes a =
          CallGuard.internal(() -> Files.readAttributes(p, BasicFileAttributes.class));
      if (!a.isRegularFile()) {
        return lengthOnDisk;
      }
      long plain = files.plaintextSize(normalized(p), a);
      return plain < 0 ? lengthOnDisk : plain;
    } catch (IOException | RuntimeException e) {
      return lengthOnDisk;
    }
  }

  @Override
  public boolean renameAllowed(File from, File to) {
    if (CallGuard.internal()) {
      return true;
    }
    try {
      return volumeForOpen(from.toPath()) == volumeForOpen(to.toPath());
    } catch (InvalidPathException e) {
      return true; // the native rename fails on such a name anyway
    }
  }

  // ---------------------------------------------------------------------------------------------
  // java.nio.file

  /** What {@link #beforeChannelOpen} decided, for {@link #afterChannelOpen}. */
  static final class ChannelToken {
    final Path path;
    final Volume volume;
    final boolean readable;
    final boolean writable;
    final boolean append;
    final boolean truncate;
    final boolean deleteOnClose;
    final boolean sync;
    final Set<OpenOption> nativeOptions;

    ChannelToken(Path path, Volume volume, Set<? extends OpenOption> options) {
      this.path = path;
      this.volume = volume;
      this.append = options.contains(StandardOpenOption.APPEND);
      this.writable = append || options.contains(StandardOpenOption.WRITE);
      this.readable = options.contains(StandardOpenOption.READ) || !writable;
      this.truncate = writable && options.contains(StandardOpenOption.TRUNCATE_EXISTING);
      this.deleteOnClose = options.contains(StandardOpenOption.DELETE_ON_CLOSE);
      this.sync =
          options.contains(StandardOpenOption.SYNC) || options.contains(StandardOpenOption.DSYNC);
      Set<OpenOption> n = new HashSet<>(options);
      n.remove(StandardOpenOption.TRUNCATE_EXISTING);
      n.remove(StandardOpenOption.APPEND);
      n.add(StandardOpenOption.READ);
      if (writable) {
        n.add(StandardOpenOption.WRITE);
      }
      this.nativeOptions = Set.copyOf(n);
    }

    @Override
    public String toString() {
      return "ChannelToken[" + path + "]";
    }
  }

  @Override
  public Object beforeChannelOpen(Path path, Set<? extends OpenOption> options) throws IOException {
    if (CallGuard.internal()) {
      return null;
    }
    Volume v = volumeForOpen(path);
    if (v == null) {
      return null;
    }
    if (options.contains(StandardOpenOption.APPEND)) {
      if (options.contains(StandardOpenOption.READ)) {
        throw new IllegalArgumentException("READ + APPEND not allowed");
      }
      if (options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
        throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
      }
    }
    Path p = normalized(path);
    ChannelToken token = new ChannelToken(p, v, options);
    if (token.truncate) {
      return token; // whatever is there is cut to zero bytes, then encrypted
    }
    // (No switch on the enum: that would add a synthetic class loaded lazily, see PRELOAD.)
    OpenFiles.State state = files.state(p);
    if (state == OpenFiles.State.MISSING) {
      boolean creates =
          options.contains(StandardOpenOption.CREATE)
              || options.contains(StandardOpenOption.CREATE_NEW);
      return token.writable && creates ? token : null;
    }
    if (state == OpenFiles.State.EMPTY) {
      return token.writable ? token : null;
    }
    if (state == OpenFiles.State.ENCRYPTED) {
      return token;
    }
    return null; // plaintext from before the volume, or not a regular file
  }

  @Override
  public Set<? extends OpenOption> nativeOptions(Object token) {
    return ((ChannelToken) token).nativeOptions;
  }

  @Override
  public FileChannel afterChannelOpen(Object token, SeekableByteChannel opened) throws IOException {
    ChannelToken t = (ChannelToken) token;
    try {
      SharedFile shared;
      if (t.deleteOnClose && opened instanceof FileChannel fc) {
        // The provider unlinks the file right after opening it: the path is gone.
        shared = files.acquirePrivate(fc, t.volume.key, t.path.toString(), t.truncate);
      } else {
        shared = files.acquire(t.path, t.volume.key, t.writable, t.truncate);
      }
      if (shared == null) {
        throw new IOException(
            t.path + ": the file changed while it was being opened (it is no longer encrypted)");
      }
      Lease lease = new Lease(files, shared);
      FileChannel lockChannel = opened instanceof FileChannel fc ? fc : shared.raw;
      EncryptedFileChannel c =
          new EncryptedFileChannel(
              lease, t.readable, t.writable, t.append, t.sync, lockChannel, opened);
      CLEANER.register(c, lease);
      return c;
    } catch (IOException | RuntimeException | Error e) {
      try {
        opened.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public AsynchronousFileChannel asynchronous(FileChannel channel, ExecutorService executor) {
    return new EncryptedAsynchronousFileChannel((EncryptedFileChannel) channel, executor);
  }

  @Override
  public BasicFileAttributes attributes(Path file, BasicFileAttributes attrs) {
    if (attrs instanceof PlainSizeAttributes
        || !attrs.isRegularFile()
        || attrs.size() == 0
        || CallGuard.internal()) {
      return attrs;
    }
    Volume v = volumeOf(file);
    if (v == null) {
      return attrs;
    }
    long plain = files.plaintextSize(normalized(file), attrs);
    return plain < 0 ? attrs : PlainSizeAttributes.of(attrs, plain);
  }

  @Override
  public boolean copy(Path source, Path target, CopyOption[] options) throws IOException {
    if (CallGuard.internal()) {
      return false;
    }
    Volume from = volumeForOpen(source);
    Volume to = volumeForOpen(target);
    if (from == null && to == null) {
      return false;
    }
    return CallGuard.internal(() -> copyFile(source, from, target, to, options));
  }

  /** Copies a regular file decrypting and encrypting as needed; false for anything else. */
  private boolean copyFile(Path source, Volume from, Path target, Volume to, CopyOption[] options)
      throws IOException {
    boolean replace = false;
    boolean copyAttributes = false;
    boolean follow = true;
    for (CopyOption o : options) {
      if (o == StandardCopyOption.REPLACE_EXISTING) {
        replace = true;
      } else if (o == StandardCopyOption.COPY_ATTRIBUTES) {
        copyAttributes = true;
      } else if (o == LinkOption.NOFOLLOW_LINKS) {
        follow = false;
      }
    }
    LinkOption[] linkOptions =
        follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    BasicFileAttributes attrs =
        Files.readAttributes(source, BasicFileAttributes.class, linkOptions);
    if (!attrs.isRegularFile()) {
      return false; // directories (created empty) and links: nothing to encrypt, native copy
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.isSameFile(source, target)) {
        return true;
      }
      if (!replace) {
        throw new FileAlreadyExistsException(target.toString());
      }
      Files.delete(target); // a non-empty directory fails here, as in the native copy
    }
    Path src = normalized(source);
    SharedFile shared = from == null ? null : files.acquire(src, from.key, false, false);
    try (FileChannel in =
        shared == null ? FileChannel.open(source, StandardOpenOption.READ) : null) {
      EncryptedFile encIn = shared == null ? null : shared.file;
      FileChannel out =
          FileChannel.open(
              target,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      EncryptedFile encOut = null;
      try {
        if (to != null) {
          encOut = EncryptedFile.create(out, to.key, normalized(target).toString());
        }
        ByteBuffer buf = ByteBuffer.allocate(COPY_BUFFER);
        long pos = 0;
        while (true) {
          buf.clear();
          int n = encIn != null ? encIn.read(buf, pos) : in.read(buf, pos);
          if (n < 0) {
            break;
          }
          buf.flip();
          while (buf.hasRemaining()) {
            if (encOut != null) {
              encOut.write(buf, pos + buf.position());
            } else {
              out.write(buf, pos + buf.position());
            }
          }
          pos += n;
        }
      } catch (IOException | RuntimeException | Error e) {
        try {
          out.close();
          Files.deleteIfExists(target);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      if (encOut != null) {
        encOut.close();
      } else {
        out.close();
      }
    } finally {
      if (shared != null) {
        files.release(shared);
      }
    }
    if (copyAttributes) {
      copyAttributes(source, target, attrs, linkOptions);
    }
    return true;
  }

  private static void copyAttributes(
      Path source, Path target, BasicFileAttributes attrs, LinkOption[] linkOptions) {
    try {
      PosixFileAttributeView view =
          Files.getFileAttributeView(target, PosixFileAttributeView.class);
      if (view != null) {
        PosixFileAttributes p =
            Files.readAttributes(source, PosixFileAttributes.class, linkOptions);
        view.setPermissions(p.permissions());
      }
      Files.setLastModifiedTime(target, attrs.lastModifiedTime());
    } catch (IOException | UnsupportedOperationException e) {
      // loosely: the content was copied; attributes are best effort
    }
  }

  @Override
  public boolean move(Path source, Path target, CopyOption[] options) throws IOException {
    if (CallGuard.internal()) {
      return false;
    }
    Volume from = volumeForOpen(source);
    Volume to = volumeForOpen(target);
    if (from == to) {
      return false; // a rename inside one volume (file keys do not depend on the path) or outside
    }
    for (CopyOption o : options) {
      if (o == StandardCopyOption.ATOMIC_MOVE) {
        throw new AtomicMoveNotSupportedException(
            source.toString(),
            target.toString(),
            "the move crosses the boundary of an encrypted volume, so the file is re-encrypted or"
                + " decrypted, which cannot be atomic");
      }
    }
    return CallGuard.internal(
        () -> {
          BasicFileAttributes attrs =
              Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (attrs.isSymbolicLink()) {
            return false; // the link itself moves, no content
          }
          if (attrs.isDirectory()) {
            try (var entries = Files.list(source)) {
              if (entries.findAny().isPresent()) {
                throw new DirectoryNotEmptyException(source.toString());
              }
            }
            boolean replace = false;
            for (CopyOption o : options) {
              replace |= o == StandardCopyOption.REPLACE_EXISTING;
            }
            if (replace) {
              Files.deleteIfExists(target);
            }
            Files.createDirectory(target);
            Files.delete(source);
            return true;
          }
          List<CopyOption> copyOptions = new ArrayList<>(List.of(options));
          copyOptions.add(StandardCopyOption.COPY_ATTRIBUTES);
          copyOptions.add(LinkOption.NOFOLLOW_LINKS);
          if (!copyFile(source, from, target, to, copyOptions.toArray(new CopyOption[0]))) {
            return false; // not a regular file (a device, a pipe...): no content to convert
          }
          try {
            Files.delete(source);
          } catch (NoSuchFileException e) {
            // deleted meanwhile: the copy stands
          }
          return true;
        });
  }

  @Override
  public String toString() {
    return "VolumeFileHandler" + volumes;
  }
}
