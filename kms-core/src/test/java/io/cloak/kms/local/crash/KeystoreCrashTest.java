package io.cloak.kms.local.crash;

import static io.cloak.kms.local.crash.KeystoreCrashChild.CALLER;
import static io.cloak.kms.local.crash.KeystoreCrashChild.context;
import static io.cloak.kms.local.crash.KeystoreCrashChild.plaintext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.Decrypted;
import io.cloak.kms.KeyMetadata;
import io.cloak.kms.audit.AuditVerification;
import io.cloak.kms.audit.AuditVerifier;
import io.cloak.kms.local.LocalKms;
import io.cloak.kms.local.RootKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that creates and rotates keys with SIGKILL at random moments, again and again
 * on the same keystore, and checks after every kill that the keystore opens, that every key whose
 * creation had returned in the child is still there and decrypts what was encrypted under it, that
 * every acknowledged rotation is still there, and that the audit chain is intact. One round also
 * has the parent create keys in the same keystore while the child runs, so the two processes take
 * turns through the keystore lock.
 *
 * <p>The random kill delays come from a seed printed at the start; rerun a failure with {@code
 * -Dcrash.seed=N}.
 */
class KeystoreCrashTest {
  private static final int ROUNDS = 22;
  private static final int CONCURRENT_ROUND = ROUNDS / 2;
  private static final int MIN_DELAY_MS = 50;
  private static final int MAX_DELAY_MS = 400;
  private static final long FIRST_OUTPUT_TIMEOUT_MS = 30_000;

  @TempDir Path dir;

  /** A key whose creation returned, with a blob encrypted under its version 1. */
  private record Created(String keyId, byte[] blob, String by) {}

  /** A rotation that returned, with a blob encrypted under the version it made. */
  private record Rotated(String keyId, int version, byte[] blob) {}

  private Path keystore;
  private Path rootKeyFile;
  private Path auditLog;
  private final List<Created> created = new ArrayList<>();
  private final List<Rotated> rotated = new ArrayList<>();

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyAcknowledgedKeySurvivesKillDashNine() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println(
        "keystore crash test: seed " + seed + " (rerun with -Dcrash.seed=" + seed + ")");
    Random random = new Random(seed);
    long start = System.nanoTime();

    keystore = dir.resolve("keystore");
    auditLog = dir.resolve("keystore.audit.log");
    rootKeyFile = dir.resolve("root.key");
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(rootKeyFile, root);

    int kills = 0;
    int interruptedWrites = 0;
    int tornAuditLines = 0;
    int present = 0;
    for (int round = 1; round <= ROUNDS; round++) {
      Child child = Child.start(keystore, rootKeyFile, auditLog, random.nextLong(), "r" + round);
      child.awaitLines(1, FIRST_OUTPUT_TIMEOUT_MS);
      long delay = MIN_DELAY_MS + random.nextInt(MAX_DELAY_MS - MIN_DELAY_MS + 1);
      String extra = "";
      if (round == CONCURRENT_ROUND) {
        extra = createWhileChildRuns(child, random, delay);
      } else {
        Thread.sleep(delay);
        child.kill();
      }
      kills++;
      int before = created.size();
      int rotationsBefore = rotated.size();
      collect(child);
      // Evidence of where the kill landed, looked at before anything reopens the files.
      String landed = "";
      if (!temporaryFiles().isEmpty()) {
        interruptedWrites++;
        landed += ", interrupted a keystore write";
      }
      if (endsWithTornLine(auditLog)) {
        tornAuditLines++;
        landed += ", tore an audit line";
      }
      present = verifyAfterKill(round);
      System.out.printf(
          "round %2d: SIGKILL after %3d ms%s; child acknowledged %3d keys, %2d rotations%s;"
              + " keystore holds %d keys, %d of them acknowledged%n",
          round,
          delay,
          landed,
          created.size() - before,
          rotated.size() - rotationsBefore,
          extra,
          present,
          created.size());
    }

    assertTrue(kills >= 20, "only " + kills + " kills");
    // A last check after all processes are gone, with a fresh engine.
    verifyAfterKill(ROUNDS + 1);
    System.out.printf(
        "keystore crash test: %d kills, %d keys created, %d rotations, all present and decrypting%n",
        kills, created.size(), rotated.size());
    System.out.printf(
        "keystore crash test: %d kills interrupted a keystore write, %d tore an audit line;"
            + " %d keys were persisted but not yet acknowledged when the child died%n",
        interruptedWrites, tornAuditLines, present - created.size());
    System.out.printf("keystore crash test took %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  /**
   * The concurrent round: while the child runs, the parent opens the same keystore and creates keys
   * until both processes have made several, kills the child while its own engine is still open, and
   * then creates one more key (the dead child's lock must have been released).
   */
  private String createWhileChildRuns(Child child, Random random, long delayMs)
      throws InterruptedException {
    int parentKeys = 0;
    int turns = 0; // parent creations between which the child acknowledged something
    int childLinesAtStart = child.lineCount();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (LocalKms kms = open()) {
      int childLines = child.lineCount();
      while (parentKeys < 10 || turns < 3) {
        if (System.nanoTime() > deadline) {
          fail(
              "parent and child did not take turns: parent made "
                  + parentKeys
                  + " keys, the child acknowledged "
                  + (child.lineCount() - childLinesAtStart)
                  + " operations meanwhile; "
                  + child.describe());
        }
        createInParent(kms, "parent #" + parentKeys);
        parentKeys++;
        int now = child.lineCount();
        if (now != childLines) {
          turns++;
          childLines = now;
        }
        Thread.sleep(random.nextInt(10));
      }
      Thread.sleep(delayMs);
      child.kill();
      createInParent(kms, "parent after kill");
      parentKeys++;
    }
    return String.format(
        " (concurrently the parent created %d keys; the child progressed between %d of them)",
        parentKeys, turns);
  }

  private void createInParent(LocalKms kms, String description) {
    String keyId = kms.createKey(CALLER, CreateKeyRequest.generated(description)).keyId();
    byte[] blob = kms.encrypt(CALLER, keyId, plaintext(keyId, 1), context(keyId));
    created.add(new Created(keyId, blob, "parent"));
  }

  private LocalKms open() {
    return LocalKms.builder()
        .keystore(keystore)
        .rootKey(RootKey.fromFile(rootKeyFile))
        .auditLog(auditLog)
        .open();
  }

  /** Records what the killed child acknowledged. */
  private void collect(Child child) {
    Base64.Decoder b64 = Base64.getDecoder();
    for (String line : child.lines()) {
      String[] f = line.split(" ");
      if (f[0].equals("CREATED") && f.length == 3) {
        created.add(new Created(f[1], b64.decode(f[2]), "child"));
      } else if (f[0].equals("ROTATED") && f.length == 4) {
        rotated.add(new Rotated(f[1], Integer.parseInt(f[2]), b64.decode(f[3])));
      } else {
        fail("unexpected line from the child: " + line + "; " + child.describe());
      }
    }
  }

  /** Temporary keystore files a writer left behind (a kill between create and rename). */
  private List<String> temporaryFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(keystore.getFileName() + ".tmp-"))
          .collect(Collectors.toList());
    }
  }

  private static boolean endsWithTornLine(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return bytes.length > 0 && bytes[bytes.length - 1] != '\n';
  }

  /**
   * Opens the keystore with a fresh engine and checks every acknowledged key, blob and rotation and
   * the audit chain; returns how many keys the keystore holds.
   */
  private int verifyAfterKill(int round) throws IOException {
    String where = round <= ROUNDS ? "after kill " + round + ": " : "final check: ";
    int count;
    try (LocalKms kms = open()) {
      // Opening reopened the audit log, which drops a line torn by the kill; the rest must chain.
      AuditVerification audit = AuditVerifier.verify(auditLog);
      assertTrue(audit.intact(), () -> where + "audit log does not verify: " + audit.problem());
      assertEquals(List.of(), temporaryFiles(), where + "temporary files left after open");

      Set<String> present = new HashSet<>();
      Map<String, Integer> currentVersion = new HashMap<>();
      for (KeyMetadata m : kms.listKeys(CALLER)) {
        present.add(m.keyId());
        currentVersion.put(m.keyId(), m.currentVersion());
      }
      for (Created c : created) {
        assertTrue(
            present.contains(c.keyId()),
            () -> where + "key " + c.keyId() + " (created by the " + c.by() + ") is gone");
        Decrypted d = kms.decrypt(CALLER, c.blob(), context(c.keyId()));
        assertEquals(c.keyId(), d.keyId(), where + "blob names another key");
        assertEquals(1, d.keyVersion(), where + "blob of " + c.keyId() + " names another version");
        assertArrayEquals(
            plaintext(c.keyId(), 1), d.plaintext(), where + "wrong plaintext for " + c.keyId());
      }
      for (Rotated r : rotated) {
        String id = r.keyId();
        assertTrue(present.contains(id), () -> where + "rotated key " + id + " is gone");
        assertTrue(
            currentVersion.get(id) >= r.version(),
            () ->
                where
                    + "key "
                    + id
                    + " is at version "
                    + currentVersion.get(id)
                    + " but rotation to version "
                    + r.version()
                    + " had returned");
        Decrypted d = kms.decrypt(CALLER, r.blob(), context(id));
        assertEquals(r.version(), d.keyVersion(), where + "rotated blob names another version");
        assertArrayEquals(
            plaintext(id, r.version()), d.plaintext(), where + "wrong plaintext for " + id);
      }
      count = present.size();
    }
    AuditVerification after = AuditVerifier.verify(auditLog);
    assertTrue(after.intact(), () -> where + "audit log does not verify: " + after.problem());
    return count;
  }

  /** A child JVM running {@link KeystoreCrashChild}, with its stdout and stderr drained. */
  private static final class Child {
    private final Process process;
    private final Thread outReader;
    private final Thread errReader;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private int tornBytes; // bytes after the last newline when stdout closed

    private Child(Process process) {
      this.process = process;
      this.outReader = new Thread(this::readStdout, "crash-child-stdout");
      this.errReader = new Thread(this::readStderr, "crash-child-stderr");
      outReader.setDaemon(true);
      errReader.setDaemon(true);
      outReader.start();
      errReader.start();
    }

    static Child start(Path keystore, Path rootKey, Path auditLog, long seed, String label)
        throws IOException {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> command =
          List.of(
              java,
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-Xmx128m",
              "-cp",
              System.getProperty("java.class.path"),
              KeystoreCrashChild.class.getName(),
              keystore.toString(),
              rootKey.toString(),
              auditLog.toString(),
              Long.toString(seed),
              label);
      return new Child(new ProcessBuilder(command).start());
    }

    /** Splits stdout into lines; only newline-terminated lines count (a torn tail does not). */
    private void readStdout() {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try (InputStream in = process.getInputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              String s = line.toString(StandardCharsets.UTF_8);
              line.reset();
              synchronized (this) {
                lines.add(s);
                notifyAll();
              }
            } else {
              line.write(buf[i]);
            }
          }
        }
      } catch (IOException e) {
        // the pipe broke with the process; what was read is what counts
      }
      synchronized (this) {
        tornBytes = line.size();
      }
    }

    private void readStderr() {
      byte[] buf = new byte[8192];
      try (InputStream in = process.getErrorStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          synchronized (stderr) {
            stderr.write(buf, 0, n);
          }
        }
      } catch (IOException e) {
        // the pipe broke with the process
      }
    }

    synchronized int lineCount() {
      return lines.size();
    }

    synchronized List<String> lines() {
      return new ArrayList<>(lines);
    }

    /** Waits until the child has acknowledged {@code n} operations; fails if it dies first. */
    void awaitLines(int n, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (lineCount() < n) {
        if (!process.isAlive()) {
          outReader.join(5_000);
          errReader.join(5_000);
          if (lineCount() < n) {
            fail("the child exited by itself before acknowledging anything; " + describe());
          }
          return;
        }
        if (System.currentTimeMillis() > deadline) {
          fail("the child printed nothing within " + timeoutMs + " ms; " + describe());
        }
        synchronized (this) {
          if (lines.size() < n) {
            wait(50);
          }
        }
      }
    }

    /** SIGKILLs the child, which must still be running, and waits until its output is drained. */
    void kill() throws InterruptedException {
      if (!process.isAlive()) {
        outReader.join(5_000);
        errReader.join(5_000);
        fail("the child exited by itself before the kill; " + describe());
      }
      process.destroyForcibly();
      assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the killed child did not terminate");
      outReader.join(10_000);
      errReader.join(10_000);
      assertEquals(
          137,
          process.exitValue(),
          () -> "the child was not ended by SIGKILL (128 + 9); " + describe());
    }

    String describe() {
      String err;
      synchronized (stderr) {
        err = stderr.toString(StandardCharsets.UTF_8);
      }
      synchronized (this) {
        return "child pid "
            + process.pid()
            + (process.isAlive() ? " (running)" : " exit code " + process.exitValue())
            + ", "
            + lines.size()
            + " lines"
            + (tornBytes > 0 ? " + " + tornBytes + " torn bytes" : "")
            + ", stderr:\n"
            + err;
      }
    }
  }
}
