package io.cloak.cli.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MigrateVolumeCommandTest {
  private static final String KEY = "alias/app/files";
  private static final byte[] MARKER =
      "CLOAK-PLAINTEXT-MARKER-0123456789".getBytes(StandardCharsets.US_ASCII);
  private static final int CHUNK = EncryptedFile.DEFAULT_CHUNK_SIZE;

  @TempDir Path tmp;
  Path config;
  Path source;
  Path target;

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "\n--- err\n" + err;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(tmp.resolve("root.key"), root);
    config = tmp.resolve("cloak.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "kms:",
            "  type: local",
            "  keystore: ./keystore",
            "  root-key-file: ./root.key",
            ""));
    try (KeyManagementService kms = kms()) {
      String keyId = kms.createKey(principal(), CreateKeyRequest.generated("files")).keyId();
      kms.createAlias(principal(), KEY, keyId);
      kms.createAlias(
          principal(),
          "alias/other",
          kms.createKey(principal(), CreateKeyRequest.generated("other")).keyId());
    }
    source = tmp.resolve("source");
    target = tmp.resolve("target");
  }

  @Test
  void copiesNestedTreeIntoVolumeWithoutPlaintextOnDisk() throws Exception {
    Map<String, byte[]> files = writeTree(source);
    Files.createDirectories(source.resolve("empty/deeper"));
    Files.createSymbolicLink(source.resolve("link"), source.resolve("a.bin"));

    Result r = copy();

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("note: skipped symbolic link link"), r.toString());
    long total = files.values().stream().mapToLong(b -> b.length).sum();
    assertTrue(
        r.out().contains("verified " + files.size() + " files, " + total + " bytes"), r.toString());
    assertTrue(Files.isDirectory(target.resolve("empty/deeper")));
    assertFalse(Files.exists(target.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(VolumeDescriptor.exists(target));
    VolumeKey key = volumeKey(target);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path t = target.resolve(e.getKey());
      assertTrue(EncryptedFile.isEncrypted(t), e.getKey());
      assertEquals(-1, indexOf(Files.readAllBytes(t), MARKER), "plaintext in " + e.getKey());
      assertArrayEquals(e.getValue(), decrypt(t, key), e.getKey());
    }
    try (Stream<Path> s = Files.walk(target)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".cloak-tmp-")));
    }
  }

  @Test
  void resumesAfterInterruptionWithoutEncryptingFilesTwice() throws Exception {
    Map<String, byte[]> files = writeTree(source);

    Result first = copy("--max-files", "3");
    assertEquals(0, first.exitCode(), first.toString());
    assertTrue(first.out().contains("stopped after 3 files"), first.toString());
    Map<String, byte[]> ids = fileIds(target, files.keySet());
    assertEquals(3, ids.size(), ids.keySet().toString());
    // A crash mid-file leaves a temporary file beside its destination.
    Path leftover =
        target.resolve("dir/sub/c.bin" + VolumeMigrator.TEMP_INFIX + "0123456789abcdef");
    Files.createDirectories(leftover.getParent());
    Files.write(leftover, new byte[] {'C', 'L', 'K', 'V', 1, 2, 3});

    Result second = copy();

    assertEquals(0, second.exitCode(), second.toString());
    assertTrue(second.out().contains("removed 1 temporary file"), second.toString());
    assertTrue(second.out().contains("3 already present"), second.toString());
    assertTrue(second.out().contains("verified " + files.size() + " files"), second.toString());
    assertFalse(Files.exists(leftover));
    Map<String, byte[]> after = fileIds(target, files.keySet());
    for (Map.Entry<String, byte[]> e : ids.entrySet()) {
      assertArrayEquals(e.getValue(), after.get(e.getKey()), "re-encrypted " + e.getKey());
    }
    VolumeKey key = volumeKey(target);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      assertArrayEquals(e.getValue(), decrypt(target.resolve(e.getKey()), key), e.getKey());
    }

    Result third = copy();
    assertEquals(0, third.exitCode(), third.toString());
    assertTrue(third.out().contains("0 encrypted now"), third.toString());
  }

  @Test
  void corruptedTargetFileFailsVerificationNamingIt() throws Exception {
    writeTree(source);
    assertEquals(0, copy().exitCode());
    Path big = target.resolve("dir/big.bin");
    flipByte(big, EncryptedFile.HEADER_LENGTH + CHUNK + 28 + 1000);

    Result r = copy();

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("cloak: verification failed for 1 file"), r.toString());
    assertTrue(r.err().contains("dir/big.bin"), r.toString());
  }

  @Test
  void existingVolumeWithAnotherKeyIsRefused() throws Exception {
    writeTree(source);
    assertEquals(0, copy().exitCode());

    Result r =
        run(
            "--source",
            source.toString(),
            "--target",
            target.toString(),
            "--key",
            "alias/other",
            "--config",
            config.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("was created with key " + KEY), r.toString());
  }

  @Test
  void sourceThatIsAlreadyAVolumeIsRefusedBeforeCreatingTheTarget() throws Exception {
    writeTree(source);
    assertEquals(0, inPlace().exitCode());

    Result r = copy();

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("is an encrypted volume"), r.toString());
    assertFalse(VolumeDescriptor.exists(target));
  }

  @Test
  void inPlaceRefusesFolderHoldingTheKeystoreAndConfig() throws Exception {
    Result r = run("--in-place", tmp.toString(), "--key", KEY, "--config", config.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("needs it in plaintext"), r.toString());
    assertFalse(VolumeDescriptor.exists(tmp));
    assertFalse(EncryptedFile.isEncrypted(tmp.resolve("root.key")));
  }

  @Test
  void encryptsInPlaceAndRerunIsNoOp() throws Exception {
    Map<String, byte[]> files = writeTree(source);
    Files.createDirectories(source.resolve("empty"));

    Result r = inPlace();

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("encrypted " + files.size() + " files"), r.toString());
    assertTrue(r.out().contains("verified " + files.size() + " files"), r.toString());
    assertTrue(Files.isRegularFile(source.resolve(Manifest.FILE_NAME)));
    VolumeKey key = volumeKey(source);
    Map<String, byte[]> raw = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path f = source.resolve(e.getKey());
      assertTrue(EncryptedFile.isEncrypted(f), e.getKey());
      byte[] onDisk = Files.readAllBytes(f);
      assertEquals(-1, indexOf(onDisk, MARKER), "plaintext in " + e.getKey());
      assertArrayEquals(e.getValue(), decrypt(f, key), e.getKey());
      raw.put(e.getKey(), onDisk);
    }

    Result again = inPlace();

    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.out().contains("encrypted 0 files"), again.toString());
    assertTrue(again.out().contains("verified " + files.size() + " files"), again.toString());
    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(source.resolve(e.getKey())), e.getKey());
    }
  }

  @Test
  void inPlaceResumesAfterInterruptionAndVerifiesFromManifest() throws Exception {
    Map<String, byte[]> files = writeTree(source);

    Result first = inPlace("--max-files", "2");
    assertEquals(0, first.exitCode(), first.toString());
    Map<String, byte[]> ids = fileIds(source, files.keySet());
    assertEquals(2, ids.size());
    // A torn manifest line from a crash is ignored.
    Files.write(
        source.resolve(Manifest.FILE_NAME),
        "{\"path\":\"dir/x".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);

    Result second = inPlace();

    assertEquals(0, second.exitCode(), second.toString());
    assertTrue(second.out().contains("2 already encrypted"), second.toString());
    assertTrue(second.out().contains("verified " + files.size() + " files"), second.toString());
    assertFalse(second.out().contains("without a source digest"), second.toString());
    Map<String, byte[]> after = fileIds(source, files.keySet());
    for (Map.Entry<String, byte[]> e : ids.entrySet()) {
      assertArrayEquals(e.getValue(), after.get(e.getKey()), "re-encrypted " + e.getKey());
    }
    VolumeKey key = volumeKey(source);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      assertArrayEquals(e.getValue(), decrypt(source.resolve(e.getKey()), key), e.getKey());
    }
  }

  @Test
  void corruptedInPlaceFileFailsVerificationNamingIt() throws Exception {
    writeTree(source);
    assertEquals(0, inPlace().exitCode());
    flipByte(source.resolve("dir/sub/c.bin"), EncryptedFile.HEADER_LENGTH + 100);

    Result r = inPlace();

    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("dir/sub/c.bin"), r.toString());
  }

  // ---------------------------------------------------------------------------------------------

  private Result copy(String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--source", source.toString(),
                "--target", target.toString(),
                "--key", KEY,
                "--config", config.toString()));
    a.addAll(Arrays.asList(more));
    return run(a.toArray(String[]::new));
  }

  private Result inPlace(String... more) {
    List<String> a =
        new ArrayList<>(
            List.of("--in-place", source.toString(), "--key", KEY, "--config", config.toString()));
    a.addAll(Arrays.asList(more));
    return run(a.toArray(String[]::new));
  }

  private static Result run(String... args) {
    CommandLine cl = new CommandLine(new MigrateVolumeCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Files around the chunk boundary, empty ones and a few MiB, in nested folders. */
  private static Map<String, byte[]> writeTree(Path root) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Random random = new Random(42);
    files.put("a.bin", content(random, 1000));
    files.put("empty.txt", new byte[0]);
    files.put("dir/exact.bin", content(random, CHUNK));
    files.put("dir/minus.bin", content(random, CHUNK - 1));
    files.put("dir/plus.bin", content(random, CHUNK + 1));
    files.put("dir/big.bin", content(random, 3 * 1024 * 1024 + 12345));
    files.put("dir/sub/c.bin", content(random, 2 * CHUNK));
    files.put("dir/sub/empty", new byte[0]);
    files.put("dir/sub/deep/d.txt", content(random, 70));
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path p = root.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    return files;
  }

  /** Random bytes with the marker written every 4 KiB (and at the start). */
  private static byte[] content(Random random, int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    for (int off = 0; off + MARKER.length <= size; off += 4096) {
      System.arraycopy(MARKER, 0, b, off, MARKER.length);
    }
    return b;
  }

  private KeyManagementService kms() {
    return ConfiguredKms.open(CloakConfig.load(config));
  }

  private Principal principal() {
    return ConfiguredKms.principal(CloakConfig.load(config));
  }

  private VolumeKey volumeKey(Path root) throws IOException {
    try (KeyManagementService kms = kms()) {
      return VolumeDescriptor.load(root).unlock(kms, principal());
    }
  }

  private static byte[] decrypt(Path file, VolumeKey key) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      EncryptedFile f = EncryptedFile.open(ch, key, file.toString());
      ByteBuffer buf = ByteBuffer.allocate(50_000);
      long pos = 0;
      int n;
      while ((n = f.read(buf.clear(), pos)) >= 0) {
        bytes.write(buf.array(), 0, n);
        pos += n;
      }
      f.close();
    }
    return bytes.toByteArray();
  }

  /** The header file ids (bytes 12..27) of the files that exist encrypted under {@code root}. */
  private static Map<String, byte[]> fileIds(Path root, Iterable<String> names) throws IOException {
    Map<String, byte[]> ids = new LinkedHashMap<>();
    for (String name : names) {
      Path p = root.resolve(name);
      if (Files.exists(p) && EncryptedFile.isEncrypted(p)) {
        ids.put(name, Arrays.copyOfRange(Files.readAllBytes(p), 12, 28));
      }
    }
    return ids;
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x01));
      b.rewind();
      ch.write(b, offset);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
