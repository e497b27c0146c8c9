package io.cloak.cli.volume;

import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.internal.DurableFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Copies a folder tree into an encrypted volume, or encrypts a folder where it is, then verifies
 * every file by decrypting it and comparing SHA-256 digests. Files are streamed through a 1 MiB
 * buffer. Each file is encrypted into a temporary file beside its destination, fsynced, and
 * published with an atomic rename, so a destination file that exists is complete. Not thread-safe;
 * one instance per run.
 */
final class VolumeMigrator {
  /** Bytes read or written per call. */
  static final int BUFFER_SIZE = 1024 * 1024;

  /** Infix of the temporary files written beside destinations. */
  static final String TEMP_INFIX = ".cloak-tmp-";

  private static final Pattern TEMP = Pattern.compile(".+\\.cloak-tmp-[0-9a-f]{16}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Counters of one run. */
  static final class Stats {
    long files;
    long bytes;
    long encrypted;
    long alreadyDone;
    long symlinks;
    long directories;
    long tempsRemoved;
    long verified;
    long verifiedBytes;
    long withoutDigest;
    boolean stopped;
  }

  private final VolumeKey key;
  private final PrintWriter out;
  private final long maxFiles;
  private final byte[] buffer = new byte[BUFFER_SIZE];
  private final Set<Path> touchedDirs = new LinkedHashSet<>();
  final Stats stats = new Stats();

  /**
   * @param maxFiles stop after encrypting this many files (a simulated interruption); 0 for no
   *     limit
   */
  VolumeMigrator(VolumeKey key, PrintWriter out, long maxFiles) {
    this.key = key;
    this.out = out;
    this.maxFiles = maxFiles;
  }

  // ---------------------------------------------------------------------------------------------
  // Copy into a volume

  /** Copies {@code source} into the volume rooted at {@code target}, then verifies it. */
  void copy(Path source, Path target) throws IOException {
    removeTemps(target);
    List<Path> dirs = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    list(source, source, dirs, files, false);
    for (Path rel : dirs) {
      Files.createDirectories(target.resolve(rel.toString()));
      stats.directories++;
    }
    Map<Path, byte[]> sourceDigests = new HashMap<>();
    for (Path rel : files) {
      Path src = source.resolve(rel);
      Path dest = target.resolve(rel.toString());
      long srcSize = Files.size(src);
      boolean exists = Files.exists(dest, LinkOption.NOFOLLOW_LINKS);
      if (exists && alreadyCopied(rel, dest, srcSize)) {
        stats.alreadyDone++;
        count(srcSize);
        continue;
      }
      if (limitReached()) {
        break;
      }
      Files.createDirectories(dest.getParent());
      sourceDigests.put(rel, encrypt(src, dest, exists));
      stats.encrypted++;
      count(srcSize);
    }
    syncDirs();
    if (stats.stopped) {
      return;
    }
    VerifyFailure first = null;
    long failures = 0;
    for (Path rel : files) {
      byte[] expected = sourceDigests.get(rel);
      if (expected == null) {
        expected = plainDigest(source.resolve(rel));
      }
      String problem = check(target.resolve(rel.toString()), rel, expected, -1);
      if (problem != null && failures++ == 0) {
        first = new VerifyFailure(rel, problem);
      }
    }
    if (first != null) {
      throw first.toException(failures);
    }
  }

  /**
   * Whether the existing {@code dest} is a complete file of this volume for a source of {@code
   * srcSize} bytes (checked from its header and last chunk; the full check is the verification).
   *
   * @return false when it must be encrypted again (the source changed size since)
   * @throws VolumeMigrationException when {@code dest} is not a file of this volume
   */
  private boolean alreadyCopied(Path rel, Path dest, long srcSize) throws IOException {
    if (!Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)) {
      throw new VolumeMigrationException(
          "target " + dest + " exists and is not a regular file; move it away and rerun");
    }
    if (!EncryptedFile.isEncrypted(dest)) {
      throw new VolumeMigrationException(
          "target file " + dest + " exists and is not encrypted; move it away and rerun");
    }
    long size;
    try (FileChannel ch = FileChannel.open(dest, StandardOpenOption.READ)) {
      EncryptedFile f = EncryptedFile.open(ch, key, dest.toString());
      size = f.size();
      f.close();
    } catch (IOException e) {
      throw new VolumeMigrationException(
          "target file "
              + dest
              + " exists but is not a valid file of this volume ("
              + e.getMessage()
              + "); move it away and rerun",
          e);
    }
    if (size != srcSize) {
      out.println("note: " + rel + " changed size since it was copied; encrypting it again");
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // In place

  /** Encrypts every plaintext file under {@code root} where it is, then verifies the volume. */
  void inPlace(Path root) throws IOException {
    Manifest manifest = Manifest.open(root);
    removeTemps(root);
    List<Path> dirs = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    list(root, root, dirs, files, true);
    stats.directories = dirs.size();
    for (Path rel : files) {
      Path file = root.resolve(rel);
      if (EncryptedFile.isEncrypted(file)) {
        stats.alreadyDone++;
        continue;
      }
      if (limitReached()) {
        break;
      }
      long size = Files.size(file);
      encryptInPlace(file, rel, manifest);
      stats.encrypted++;
      count(size);
    }
    syncDirs();
    if (stats.stopped) {
      return;
    }
    VerifyFailure first = null;
    long failures = 0;
    for (Path rel : files) {
      Manifest.Entry entry = manifest.get(key(rel));
      String problem;
      if (entry == null) {
        stats.withoutDigest++;
        out.println(
            "note: "
                + rel
                + " was encrypted before this migration; checked that it decrypts (no source"
                + " digest)");
        problem = check(root.resolve(rel), rel, null, -1);
      } else {
        problem =
            check(root.resolve(rel), rel, HexFormat.of().parseHex(entry.sha256()), entry.size());
      }
      if (problem != null && failures++ == 0) {
        first = new VerifyFailure(rel, problem);
      }
    }
    if (first != null) {
      throw first.toException(failures);
    }
  }

  private void encryptInPlace(Path file, Path rel, Manifest manifest) throws IOException {
    Path tmp = tempBeside(file);
    try {
      long[] size = new long[1];
      byte[] digest = encryptToTemp(file, tmp, size);
      // The digest is durable before the plaintext goes, so verification survives a crash.
      manifest.record(key(rel), size[0], digest);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      touchedDirs.add(file.toAbsolutePath().getParent());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Encryption and verification of one file

  /**
   * Encrypts {@code src} into a temporary file beside {@code dest} and renames it to {@code dest}.
   *
   * @return the SHA-256 of the plaintext
   */
  private byte[] encrypt(Path src, Path dest, boolean replace) throws IOException {
    Path tmp = tempBeside(dest);
    try {
      byte[] digest = encryptToTemp(src, tmp, new long[1]);
      if (replace) {
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
      }
      touchedDirs.add(dest.toAbsolutePath().getParent());
      return digest;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Streams {@code src} into the new encrypted file {@code tmp}, fsyncs it and copies the source's
   * permissions and modification time to it.
   *
   * @throws VolumeMigrationException if {@code src} changed (size or modification time) meanwhile
   * @param size receives the number of plaintext bytes
   * @return the SHA-256 of the plaintext
   */
  private byte[] encryptToTemp(Path src, Path tmp, long[] size) throws IOException {
    BasicFileAttributes before =
        Files.readAttributes(src, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    MessageDigest md = sha256();
    long pos = 0;
    try (FileChannel in =
            FileChannel.open(src, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        FileChannel ch =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
      EncryptedFile f = EncryptedFile.create(ch, key, tmp.toString());
      try {
        ByteBuffer buf = ByteBuffer.wrap(buffer);
        while (true) {
          buf.clear();
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          if (n == 0) {
            continue;
          }
          buf.flip();
          md.update(buffer, 0, n);
          f.write(buf, pos);
          pos += n;
        }
        f.force(true);
      } finally {
        f.close();
      }
    }
    BasicFileAttributes after =
        Files.readAttributes(src, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (after.size() != pos
        || before.size() != pos
        || !after.lastModifiedTime().equals(before.lastModifiedTime())) {
      throw new VolumeMigrationException(
          src + " changed while it was being encrypted; stop the writers and rerun");
    }
    copyAttributes(src, tmp);
    size[0] = pos;
    return md.digest();
  }

  /**
   * Decrypts {@code file} fully and compares it with the expected digest and size.
   *
   * @param expected the plaintext SHA-256, or null to check only that the file decrypts
   * @param expectedSize the plaintext size, or -1 if unknown
   * @return null if it matches, else what is wrong
   */
  private String check(Path file, Path rel, byte[] expected, long expectedSize) {
    MessageDigest md = sha256();
    long pos = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      EncryptedFile f = EncryptedFile.open(ch, key, rel.toString());
      try {
        ByteBuffer buf = ByteBuffer.wrap(buffer);
        while (true) {
          buf.clear();
          int n = f.read(buf, pos);
          if (n < 0) {
            break;
          }
          md.update(buffer, 0, n);
          pos += n;
        }
      } finally {
        f.close();
      }
    } catch (IOException e) {
      return "does not decrypt: " + e.getMessage();
    }
    if (expectedSize >= 0 && pos != expectedSize) {
      return "decrypts to " + pos + " bytes, the source had " + expectedSize;
    }
    if (expected != null && !MessageDigest.isEqual(expected, md.digest())) {
      return "decrypted SHA-256 differs from the source's";
    }
    stats.verified++;
    stats.verifiedBytes += pos;
    return null;
  }

  private byte[] plainDigest(Path file) throws IOException {
    MessageDigest md = sha256();
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.wrap(buffer);
      while (true) {
        buf.clear();
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        md.update(buffer, 0, n);
      }
    }
    return md.digest();
  }

  private record VerifyFailure(Path rel, String problem) {
    VolumeMigrationException toException(long failures) {
      return new VolumeMigrationException(
          "verification failed for "
              + failures
              + (failures == 1 ? " file" : " files")
              + ", first "
              + rel
              + ": "
              + problem);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Walking

  /**
   * Lists {@code dir} recursively in name order: folders and regular files, relative to {@code
   * base}. Symbolic links and special files are skipped with a note, and so are Cloak's own files
   * in the root (descriptor, manifest and their temporary files).
   *
   * @param rootIsVolume whether {@code base} is the volume itself (in place); otherwise a
   *     descriptor in {@code base} is refused too
   * @throws VolumeMigrationException if a folder below {@code base} is another volume
   */
  private void list(Path base, Path dir, List<Path> dirs, List<Path> files, boolean rootIsVolume)
      throws IOException {
    if ((!dir.equals(base) || !rootIsVolume) && VolumeDescriptor.exists(dir)) {
      throw new VolumeMigrationException(
          dir
              + " is an encrypted volume already (it has "
              + VolumeDescriptor.FILE_NAME
              + "); its files are ciphertext and cannot be migrated again"
              + (dir.equals(base) ? "" : "; move it out of " + base + " and rerun"));
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(children::add);
    }
    children.sort(Comparator.comparing(p -> p.getFileName().toString()));
    for (Path child : children) {
      Path rel = base.relativize(child);
      BasicFileAttributes a =
          Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) {
        stats.symlinks++;
        out.println("note: skipped symbolic link " + rel);
      } else if (a.isDirectory()) {
        dirs.add(rel);
        list(base, child, dirs, files, rootIsVolume);
      } else if (!a.isRegularFile()) {
        out.println("note: skipped special file " + rel);
      } else if (dir.equals(base) && isCloakFile(child.getFileName().toString())) {
        continue;
      } else {
        files.add(rel);
      }
    }
  }

  private static boolean isCloakFile(String name) {
    return name.equals(VolumeDescriptor.FILE_NAME)
        || name.startsWith(VolumeDescriptor.FILE_NAME + ".tmp-")
        || name.equals(Manifest.FILE_NAME)
        || name.startsWith(Manifest.FILE_NAME + ".tmp-");
  }

  /** Deletes temporary files a crashed run left anywhere under {@code root}. */
  private void removeTemps(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    List<Path> temps = new ArrayList<>();
    try (var walk = Files.walk(root)) {
      walk.filter(p -> TEMP.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .forEach(temps::add);
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Manifest.FILE_NAME + ".tmp-*")) {
      ds.forEach(temps::add);
    }
    for (Path p : temps) {
      Files.deleteIfExists(p);
      stats.tempsRemoved++;
    }
    if (!temps.isEmpty()) {
      out.println("removed " + temps.size() + " temporary file(s) left by an interrupted run");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private boolean limitReached() {
    if (maxFiles > 0 && stats.encrypted >= maxFiles) {
      stats.stopped = true;
      return true;
    }
    return false;
  }

  private void count(long size) {
    stats.files++;
    stats.bytes += size;
  }

  private void syncDirs() {
    for (Path d : touchedDirs) {
      DurableFiles.fsyncDirectory(d);
    }
    touchedDirs.clear();
  }

  private static Path tempBeside(Path dest) {
    byte[] suffix = new byte[8];
    RANDOM.nextBytes(suffix);
    return dest.resolveSibling(dest.getFileName() + TEMP_INFIX + HexFormat.of().formatHex(suffix));
  }

  private static void copyAttributes(Path src, Path dest) throws IOException {
    PosixFileAttributeView from =
        Files.getFileAttributeView(src, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    PosixFileAttributeView to = Files.getFileAttributeView(dest, PosixFileAttributeView.class);
    if (from != null && to != null) {
      to.setPermissions(from.readAttributes().permissions());
    }
    FileTime mtime = Files.getLastModifiedTime(src, LinkOption.NOFOLLOW_LINKS);
    Files.setLastModifiedTime(dest, mtime);
  }

  /** The manifest key of a relative path: its names joined with {@code /}. */
  static String key(Path rel) {
    StringBuilder sb = new StringBuilder();
    for (Path name : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(name);
    }
    return sb.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
