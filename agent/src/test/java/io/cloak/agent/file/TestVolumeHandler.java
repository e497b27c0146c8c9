package io.cloak.agent.file;

import io.cloak.agent.CallGuard;
import io.cloak.agent.boot.FileHooks;
import io.cloak.config.CloakConfig;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test {@link FileHooks.Handler} for the child-JVM tests: files in the (first) volume are stored
 * as a 16-byte header followed by the plaintext XOR 0x5A, and served from memory while open. Counts
 * every call it gets for files of the volume, so the test can prove each hook reaches it. Its own
 * file access runs under {@link CallGuard#internal}, during which it passes everything through (the
 * pattern the real handler follows). Special names: {@code refuse-open*} makes the open fail,
 * {@code bad-read*} makes every read (and getChannel) fail, {@code bad-channel*} makes
 * afterChannelOpen fail.
 */
public final class TestVolumeHandler implements FileHooks.Handler {
  static final byte[] HEADER = "CLOAK-TEST-HDR01".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  static final int KEY = 0x5A;

  private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

  private final Path volume;
  private final Map<Object, State> open = new ConcurrentHashMap<>();

  public TestVolumeHandler(CloakConfig config) {
    this.volume = config.volumes().get(0).path().toAbsolutePath().normalize();
  }

  /** Calls so far, by name. */
  public static Map<String, Integer> calls() {
    Map<String, Integer> out = new TreeMap<>();
    CALLS.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private static void count(String name) {
    CALLS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
  }

  boolean under(Path p) {
    return p != null && p.toAbsolutePath().normalize().startsWith(volume);
  }

  /** Plaintext of an encoded file's bytes. */
  public static byte[] decode(byte[] raw, String name) throws IOException {
    if (raw.length == 0) {
      return raw;
    }
    if (raw.length < HEADER.length || !Arrays.equals(raw, 0, HEADER.length, HEADER, 0, 16)) {
      throw new IOException("not an encrypted file: " + name);
    }
    byte[] out = Arrays.copyOfRange(raw, HEADER.length, raw.length);
    for (int i = 0; i < out.length; i++) {
      out[i] ^= KEY;
    }
    return out;
  }

  /** Encoded form of {@code plain}. */
  public static byte[] encode(byte[] plain, int size) {
    byte[] out = Arrays.copyOf(HEADER, HEADER.length + size);
    for (int i = 0; i < size; i++) {
      out[HEADER.length + i] = (byte) (plain[i] ^ KEY);
    }
    return out;
  }

  /** The raw bytes on disk, read past every hook. */
  public static byte[] raw(Path p) throws IOException {
    return CallGuard.internal(
        () -> {
          try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {}
            return b.array();
          }
        });
  }

  static void writeRaw(Path p, byte[] bytes) throws IOException {
    CallGuard.internal(
        () -> {
          try (FileChannel ch =
              FileChannel.open(
                  p,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
              ch.write(b);
            }
          }
          return null;
        });
  }

  /** One open file of the volume. */
  static final class State {
    final Path path;
    final boolean writable;
    final SeekableByteChannel nativeChannel;
    byte[] data;
    int size;
    int pos;
    boolean dirty;
    boolean closed;
    MemChannel channel;

    State(Path path, byte[] plain, boolean writable, SeekableByteChannel nativeChannel) {
      this.path = path;
      this.data = plain;
      this.size = plain.length;
      this.writable = writable;
      this.nativeChannel = nativeChannel;
    }

    void ensure(int capacity) {
      if (capacity > data.length) {
        data = Arrays.copyOf(data, Math.max(capacity, data.length * 2 + 16));
      }
    }

    int read(byte[] b, int off, int len) throws IOException {
      check();
      if (len == 0) {
        return 0;
      }
      if (pos >= size) {
        return -1;
      }
      int n = Math.min(len, size - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }

    void write(byte[] b, int off, int len) {
      ensure(pos + len);
      System.arraycopy(b, off, data, pos, len);
      pos += len;
      size = Math.max(size, pos);
      dirty = true;
    }

    void check() throws IOException {
      if (path.getFileName().toString().startsWith("bad-read")) {
        throw new IOException("integrity check failed (test): " + path);
      }
    }

    synchronized void flush() throws IOException {
      if (!dirty || !writable) {
        return;
      }
      dirty = false;
      if (nativeChannel != null) {
        nativeChannel.position(0);
        ByteBuffer b = ByteBuffer.wrap(encode(data, size));
        while (b.hasRemaining()) {
          nativeChannel.write(b);
        }
        nativeChannel.truncate(HEADER.length + size);
      } else {
        writeRaw(path, encode(data, size));
      }
    }
  }

  // ----- streams ---------------------------------------------------------------------------------

  @Override
  public boolean nativeAppend(String path, boolean append) {
    if (!under(Path.of(path))) {
      return append;
    }
    count("nativeAppend");
    return true;
  }

  @Override
  public void afterOpen(Object stream, String path, int kind, boolean append) throws IOException {
    Path p = Path.of(path);
    if (CallGuard.internal() || !under(p)) {
      return;
    }
    count("afterOpen");
    count("afterOpen.kind" + kind);
    if (p.getFileName().toString().startsWith("refuse-open")) {
      throw new IOException("refused by the test handler: " + path);
    }
    byte[] plain = decode(raw(p), path);
    boolean writable = kind == FILE_OUTPUT_STREAM || kind == RANDOM_ACCESS_WRITE;
    State s = new State(p, plain, writable, null);
    if (kind == FILE_OUTPUT_STREAM) {
      if (append) {
        s.pos = s.size;
      } else {
        s.size = 0;
        s.dirty = true;
      }
    }
    open.put(stream, s);
  }

  @Override
  public Object handle(Object stream) {
    return open.isEmpty() ? null : open.get(stream);
  }

  @Override
  public int read(Object handle) throws IOException {
    count("read()");
    byte[] one = new byte[1];
    int n = ((State) handle).read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(Object handle, byte[] b, int off, int len) throws IOException {
    count("read(b,off,len)");
    return ((State) handle).read(b, off, len);
  }

  @Override
  public byte[] readAllBytes(Object handle) throws IOException {
    count("readAllBytes");
    State s = (State) handle;
    s.check();
    byte[] out = Arrays.copyOfRange(s.data, s.pos, s.size);
    s.pos = s.size;
    return out;
  }

  @Override
  public byte[] readNBytes(Object handle, int len) throws IOException {
    count("readNBytes");
    State s = (State) handle;
    s.check();
    int n = Math.max(0, Math.min(len, s.size - s.pos));
    byte[] out = Arrays.copyOfRange(s.data, s.pos, s.pos + n);
    s.pos += n;
    return out;
  }

  @Override
  public long skip(Object handle, long n) {
    count("skip");
    State s = (State) handle;
    int k = (int) Math.max(0, Math.min(n, s.size - s.pos));
    s.pos += k;
    return k;
  }

  @Override
  public int skipBytes(Object handle, int n) {
    count("skipBytes");
    return (int) skip(handle, n);
  }

  @Override
  public int available(Object handle) {
    count("available");
    State s = (State) handle;
    return Math.max(0, s.size - s.pos);
  }

  @Override
  public void write(Object handle, int b) {
    count("write(int)");
    ((State) handle).write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(Object handle, byte[] b, int off, int len) {
    count("write(b,off,len)");
    ((State) handle).write(b, off, len);
  }

  @Override
  public long size(Object handle) {
    count("size");
    return ((State) handle).size;
  }

  @Override
  public void setLength(Object handle, long newLength) {
    count("setLength");
    State s = (State) handle;
    s.ensure((int) newLength);
    if (newLength > s.size) {
      Arrays.fill(s.data, s.size, (int) newLength, (byte) 0);
    }
    s.size = (int) newLength;
    s.pos = Math.min(s.pos, s.size);
    s.dirty = true;
  }

  @Override
  public FileChannel channel(Object handle) throws IOException {
    count("channel");
    State s = (State) handle;
    s.check();
    synchronized (s) {
      if (s.channel == null) {
        s.channel = new MemChannel(s);
      }
      return s.channel;
    }
  }

  @Override
  public void closed(Object stream) throws IOException {
    State s = open.remove(stream);
    if (s != null) {
      count("closed");
      s.flush();
    }
  }

  // ----- java.io.File ----------------------------------------------------------------------------

  @Override
  public long length(File file, long lengthOnDisk) {
    if (CallGuard.internal() || !under(file.toPath())) {
      return lengthOnDisk;
    }
    count("length");
    return lengthOnDisk >= HEADER.length ? lengthOnDisk - HEADER.length : lengthOnDisk;
  }

  @Override
  public boolean renameAllowed(File from, File to) {
    boolean a = under(from.toPath());
    boolean b = under(to.toPath());
    if (a || b) {
      count("renameAllowed");
    }
    return a == b;
  }

  // ----- java.nio.file ---------------------------------------------------------------------------

  @Override
  public Object beforeChannelOpen(Path path, Set<? extends OpenOption> options) throws IOException {
    if (CallGuard.internal()) {
      if (under(path)) {
        count("beforeChannelOpen.internal");
      }
      return null;
    }
    if (!under(path)) {
      return null;
    }
    count("beforeChannelOpen");
    if (path.getFileName().toString().startsWith("refuse-open")) {
      throw new IOException("refused by the test handler: " + path);
    }
    return new Object[] {path, Set.copyOf(options)};
  }

  @Override
  public Set<? extends OpenOption> nativeOptions(Object token) {
    count("nativeOptions");
    @SuppressWarnings("unchecked")
    Set<OpenOption> options = new HashSet<>((Set<OpenOption>) ((Object[]) token)[1]);
    options.remove(StandardOpenOption.TRUNCATE_EXISTING);
    options.remove(StandardOpenOption.APPEND);
    options.add(StandardOpenOption.READ);
    return options;
  }

  @Override
  public void checkDescriptor(java.io.FileDescriptor fd, int kind) {
    count("checkDescriptor");
  }

  @Override
  public AsynchronousFileChannel asynchronous(FileChannel channel, ExecutorService executor) {
    count("asynchronous");
    throw new UnsupportedOperationException("the test handler has no asynchronous channels");
  }

  @Override
  public FileChannel afterChannelOpen(Object token, SeekableByteChannel opened) throws IOException {
    count("afterChannelOpen");
    Path path = (Path) ((Object[]) token)[0];
    if (path.getFileName().toString().startsWith("bad-channel")) {
      throw new IOException("channel refused by the test handler: " + path);
    }
    @SuppressWarnings("unchecked")
    Set<OpenOption> options = (Set<OpenOption>) ((Object[]) token)[1];
    ByteBuffer b = ByteBuffer.allocate((int) opened.size());
    opened.position(0);
    while (b.hasRemaining() && opened.read(b) >= 0) {}
    byte[] plain = decode(b.array(), path.toString());
    boolean writable =
        options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
    State s = new State(path, plain, writable, opened);
    if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && writable) {
      s.size = 0;
      s.dirty = true;
    }
    if (plain.length == 0 && writable) {
      s.dirty = true; // a new file gets its header
    }
    if (options.contains(StandardOpenOption.APPEND)) {
      s.pos = s.size;
    }
    return new MemChannel(s);
  }

  @Override
  public BasicFileAttributes attributes(Path file, BasicFileAttributes attrs) {
    if (CallGuard.internal() || !under(file) || !attrs.isRegularFile()) {
      return attrs;
    }
    count("attributes");
    Class<?>[] types =
        attrs instanceof PosixFileAttributes
            ? new Class<?>[] {PosixFileAttributes.class}
            : new Class<?>[] {BasicFileAttributes.class};
    return (BasicFileAttributes)
        Proxy.newProxyInstance(
            TestVolumeHandler.class.getClassLoader(),
            types,
            (proxy, method, args) -> {
              if (method.getName().equals("size") && method.getParameterCount() == 0) {
                return Math.max(0, attrs.size() - HEADER.length);
              }
              try {
                return method.invoke(attrs, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public boolean copy(Path source, Path target, CopyOption[] options) throws IOException {
    if (!under(source) && !under(target)) {
      return false;
    }
    count("copy");
    byte[] plain = under(source) ? decode(raw(source), source.toString()) : raw(source);
    writeRaw(target, under(target) ? encode(plain, plain.length) : plain);
    return true;
  }

  @Override
  public boolean move(Path source, Path target, CopyOption[] options) throws IOException {
    if (under(source) == under(target)) {
      return false;
    }
    count("move");
    copy(source, target, options);
    CallGuard.internal(
        () -> {
          Files.delete(source);
          return null;
        });
    return true;
  }

  /** A channel over a {@link State}'s plaintext (only what the tests use). */
  static final class MemChannel extends FileChannel {
    private final State s;

    MemChannel(State s) {
      this.s = s;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      byte[] b = new byte[dst.remaining()];
      int n = s.read(b, 0, b.length);
      if (n > 0) {
        dst.put(b, 0, n);
      }
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      byte[] b = new byte[src.remaining()];
      src.get(b);
      s.write(b, 0, b.length);
      return b.length;
    }

    @Override
    public long position() {
      return s.pos;
    }

    @Override
    public FileChannel position(long newPosition) {
      s.pos = (int) newPosition;
      return this;
    }

    @Override
    public long size() {
      return s.size;
    }

    @Override
    public FileChannel truncate(long size) {
      if (size < s.size) {
        s.size = (int) size;
        s.dirty = true;
      }
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      s.flush();
    }

    @Override
    protected void implCloseChannel() throws IOException {
      s.flush();
      if (s.nativeChannel != null) {
        s.nativeChannel.close();
      }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      s.check();
      if (position >= s.size) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), s.size - position);
      dst.put(s.data, (int) position, n);
      return n;
    }

    @Override
    public int write(ByteBuffer src, long position) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }
  }
}
