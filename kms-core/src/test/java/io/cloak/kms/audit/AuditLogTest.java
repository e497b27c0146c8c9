package io.cloak.kms.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ZEROS = "0".repeat(64);

  @TempDir Path dir;

  private static AuditRecord record(String principal) {
    return new AuditRecord(
        Instant.parse("2025-01-02T03:04:05.123Z"),
        principal,
        "Encrypt",
        "key-1",
        2,
        Map.of("tenant", "acme", "app", "billing"),
        AuditRecord.ALLOWED,
        null);
  }

  private Path logWith(int n) throws IOException {
    Path file = dir.resolve("logs").resolve("kms.audit.jsonl");
    try (AuditLog log = AuditLog.open(file)) {
      for (int i = 1; i <= n; i++) {
        log.append(record("user-" + i));
      }
    }
    return file;
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  private static void writeLines(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  private static String sha256(String line) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8));
    StringBuilder sb = new StringBuilder();
    for (byte b : d) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  private static void assertChain(List<String> lines) throws Exception {
    String prev = ZEROS;
    for (int i = 0; i < lines.size(); i++) {
      JsonNode n = JSON.readTree(lines.get(i));
      assertEquals(i + 1, n.get("seq").asLong(), "seq of line " + (i + 1));
      assertEquals(prev, n.get("prev").asText(), "prev of line " + (i + 1));
      prev = sha256(lines.get(i));
    }
  }

  @Test
  void appendedLogVerifiesIntact() throws Exception {
    Path file = dir.resolve("logs").resolve("kms.audit.jsonl");
    String head;
    try (AuditLog log = AuditLog.open(file)) {
      assertEquals(file, log.file());
      assertEquals(ZEROS, log.headHash());
      for (int i = 1; i <= 5; i++) {
        log.append(record("user-" + i));
      }
      head = log.headHash();
    }

    List<String> lines = lines(file);
    assertEquals(5, lines.size());
    assertChain(lines);
    assertEquals(sha256(lines.get(4)), head);
    assertEquals(
        "{\"seq\":1,\"time\":\"2025-01-02T03:04:05.123Z\",\"principal\":\"user-1\","
            + "\"op\":\"Encrypt\",\"key\":\"key-1\",\"keyVersion\":2,"
            + "\"context\":{\"app\":\"billing\",\"tenant\":\"acme\"},\"outcome\":\"ALLOWED\","
            + "\"detail\":null,\"prev\":\""
            + ZEROS
            + "\"}",
        lines.get(0));
    assertEquals(new AuditVerification(true, 5, 0, null), AuditVerifier.verify(file));
    assertEquals(new AuditVerification(true, 5, 0, null), AuditVerifier.verify(file, head));
  }

  @Test
  void emptyLogVerifiesIntact() throws Exception {
    Path file = dir.resolve("empty.jsonl");
    try (AuditLog log = AuditLog.open(file)) {
      assertEquals(ZEROS, log.headHash());
    }
    assertEquals(0, Files.size(file));
    assertEquals(new AuditVerification(true, 0, 0, null), AuditVerifier.verify(file, ZEROS));
  }

  @Test
  void editedLineIsNamed() throws Exception {
    Path file = logWith(5);
    List<String> lines = new ArrayList<>(lines(file));
    String edited = lines.get(2).replace("\"principal\":\"user-3\"", "\"principal\":\"user-8\"");
    assertNotEquals(lines.get(2), edited);
    lines.set(2, edited);
    writeLines(file, lines);

    assertEquals(
        new AuditVerification(
            false, 4, 3, "line 3 was edited (its hash does not match the prev field of line 4)"),
        AuditVerifier.verify(file));
  }

  @Test
  void editedFinalLineIsDetectedOnlyWithHeadAnchor() throws Exception {
    Path file = dir.resolve("kms.audit.jsonl");
    String head;
    try (AuditLog log = AuditLog.open(file)) {
      for (int i = 1; i <= 4; i++) {
        log.append(record("user-" + i));
      }
      head = log.headHash();
    }
    List<String> lines = new ArrayList<>(lines(file));
    lines.set(3, lines.get(3).replace("\"ALLOWED\"", "\"DENIED\""));
    writeLines(file, lines);

    assertEquals(new AuditVerification(true, 4, 0, null), AuditVerifier.verify(file));
    AuditVerification anchored = AuditVerifier.verify(file, head.toUpperCase());
    assertEquals(
        new AuditVerification(
            false,
            4,
            4,
            "line 4 was edited, or lines after line 4 were deleted"
                + " (no line's hash matches the expected head hash)"),
        anchored);
  }

  @Test
  void headAnchorAcceptsLaterAppendsButNotTruncation() throws Exception {
    Path file = dir.resolve("kms.audit.jsonl");
    String head;
    try (AuditLog log = AuditLog.open(file)) {
      log.append(record("a"));
      log.append(record("b"));
      head = log.headHash();
      log.append(record("c"));
    }
    assertEquals(new AuditVerification(true, 3, 0, null), AuditVerifier.verify(file, head));

    writeLines(file, lines(file).subList(0, 1));
    AuditVerification v = AuditVerifier.verify(file, head);
    assertFalse(v.intact());
    assertEquals(1, v.firstBadLine());
    assertTrue(v.problem().contains("deleted"), v.problem());
    assertThrows(IllegalArgumentException.class, () -> AuditVerifier.verify(file, "abc"));
  }

  @Test
  void deletedLineIsNamed() throws Exception {
    Path file = logWith(5);
    List<String> lines = new ArrayList<>(lines(file));
    lines.remove(2);
    writeLines(file, lines);

    assertEquals(
        new AuditVerification(
            false,
            3,
            3,
            "1 line was deleted before line 3 (seq jumps from 2 to 4"
                + " and its prev does not match the line before)"),
        AuditVerifier.verify(file));
  }

  @Test
  void deletedFirstLineIsNamed() throws Exception {
    Path file = logWith(3);
    writeLines(file, lines(file).subList(1, 3));

    AuditVerification v = AuditVerifier.verify(file);
    assertEquals(new AuditVerification(false, 1, 1, v.problem()), v);
    assertTrue(v.problem().startsWith("1 line was deleted before line 1"), v.problem());
  }

  @Test
  void swappedLinesAreNamed() throws Exception {
    Path file = logWith(5);
    List<String> lines = new ArrayList<>(lines(file));
    String third = lines.get(2);
    lines.set(2, lines.get(3));
    lines.set(3, third);
    writeLines(file, lines);

    assertEquals(
        new AuditVerification(
            false,
            3,
            3,
            "line 3 is out of order (it has seq 4 but seq 3 appears later, at line 4):"
                + " lines were reordered"),
        AuditVerifier.verify(file));
  }

  @Test
  void malformedLineIsNamed() throws Exception {
    Path file = logWith(5);
    List<String> lines = new ArrayList<>(lines(file));
    lines.set(1, "this is not json");
    writeLines(file, lines);

    assertEquals(
        new AuditVerification(false, 2, 2, "line 2 is malformed (not valid JSON)"),
        AuditVerifier.verify(file));
  }

  @Test
  void tornFinalLineIsDiscardedOnOpen() throws Exception {
    Path file = logWith(3);
    byte[] acknowledged = Files.readAllBytes(file);
    Files.write(
        file,
        "{\"seq\":4,\"time\":\"2025".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);

    AuditVerification torn = AuditVerifier.verify(file);
    assertEquals(new AuditVerification(false, 4, 4, torn.problem()), torn);
    assertTrue(torn.problem().startsWith("line 4 is malformed (incomplete"), torn.problem());

    try (AuditLog log = AuditLog.open(file)) {
      assertArrayEquals(acknowledged, Files.readAllBytes(file));
      log.append(record("user-4"));
    }
    List<String> lines = lines(file);
    assertEquals(4, lines.size());
    assertChain(lines);
    assertEquals("user-4", JSON.readTree(lines.get(3)).get("principal").asText());
    assertEquals(new AuditVerification(true, 4, 0, null), AuditVerifier.verify(file));
  }

  @Test
  void reopenedLogContinuesChain() throws Exception {
    Path file = dir.resolve("kms.audit.jsonl");
    String headBefore;
    try (AuditLog log = AuditLog.open(file)) {
      log.append(record("user-1"));
      log.append(record("user-2"));
      headBefore = log.headHash();
    }
    try (AuditLog log = AuditLog.open(file)) {
      assertEquals(headBefore, log.headHash());
      log.append(record("user-3"));
      log.append(record("user-4"));
    }
    List<String> lines = lines(file);
    assertEquals(4, lines.size());
    assertChain(lines);
    assertEquals(headBefore, JSON.readTree(lines.get(2)).get("prev").asText());
    assertEquals(new AuditVerification(true, 4, 0, null), AuditVerifier.verify(file));
  }

  @Test
  void openRefusesToContinueAfterMalformedLastLine() throws Exception {
    Path file = logWith(2);
    Files.writeString(file, "garbage\n", StandardOpenOption.APPEND);
    IOException e = assertThrows(IOException.class, () -> AuditLog.open(file));
    assertTrue(e.getMessage().contains("malformed"), e.getMessage());
  }

  @Test
  void appendAfterCloseThrows() throws Exception {
    AuditLog log = AuditLog.open(dir.resolve("kms.audit.jsonl"));
    log.close();
    log.close();
    assertThrows(IOException.class, () -> log.append(record("late")));
  }

  @Test
  void interruptedAppendFailsWithoutBreakingTheLog() throws Exception {
    Path file = dir.resolve("kms.audit.jsonl");
    try (AuditLog log = AuditLog.open(file)) {
      log.append(record("user-1"));
      Thread.currentThread().interrupt();
      try {
        assertThrows(IOException.class, () -> log.append(record("interrupted")));
      } finally {
        Thread.interrupted();
      }
      log.append(record("user-2"));
    }
    List<String> lines = lines(file);
    assertEquals(2, lines.size());
    assertEquals("user-2", JSON.readTree(lines.get(1)).get("principal").asText());
    assertEquals(new AuditVerification(true, 2, 0, null), AuditVerifier.verify(file));
  }

  @Test
  void concurrentAppendsFromManyThreadsKeepChainIntact() throws Exception {
    Path file = dir.resolve("kms.audit.jsonl");
    int threads = 8;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    // Two instances on one file stand in for two processes sharing the log.
    try (AuditLog a = AuditLog.open(file);
        AuditLog b = AuditLog.open(file)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        AuditLog log = t % 2 == 0 ? a : b;
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    log.append(record("t" + id + "-" + i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(a.headHash(), b.headHash());
    } finally {
      pool.shutdownNow();
    }

    List<String> lines = lines(file);
    assertEquals(threads * perThread, lines.size());
    assertChain(lines);
    Set<String> principals = new HashSet<>();
    for (String line : lines) {
      principals.add(JSON.readTree(line).get("principal").asText());
    }
    Set<String> expected = new HashSet<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        expected.add("t" + t + "-" + i);
      }
    }
    assertEquals(expected, principals);
    assertEquals(
        new AuditVerification(true, threads * perThread, 0, null), AuditVerifier.verify(file));
  }

  @Test
  void recordsNeverContainPlaintextFields() throws Exception {
    List<String> components =
        Arrays.stream(AuditRecord.class.getRecordComponents())
            .map(RecordComponent::getName)
            .toList();
    assertEquals(
        List.of(
            "time",
            "principal",
            "operation",
            "keyId",
            "keyVersion",
            "encryptionContext",
            "outcome",
            "detail"),
        components);
    for (RecordComponent c : AuditRecord.class.getRecordComponents()) {
      assertFalse(c.getType().isArray(), c.getName() + " must not be a byte/char array");
    }

    Path file = dir.resolve("kms.audit.jsonl");
    try (AuditLog log = AuditLog.open(file)) {
      log.append(
          new AuditRecord(
              Instant.EPOCH, "svc", "ListKeys", null, null, null, AuditRecord.DENIED, "Denied"));
    }
    JsonNode line = JSON.readTree(lines(file).get(0));
    List<String> keys = new ArrayList<>();
    line.fieldNames().forEachRemaining(keys::add);
    assertEquals(
        List.of(
            "seq",
            "time",
            "principal",
            "op",
            "key",
            "keyVersion",
            "context",
            "outcome",
            "detail",
            "prev"),
        keys);
    assertTrue(line.get("key").isNull());
    assertTrue(line.get("keyVersion").isNull());
    assertEquals(0, line.get("context").size());
  }

  @Test
  void specialCharactersAreEscapedOntoOneLine() throws Exception {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("z", "last");
    context.put("a\"quote", "line\nbreak");
    AuditRecord r =
        new AuditRecord(
            Instant.EPOCH,
            "us\u00e9r\n{\"x\":1}",
            "Decrypt",
            "k",
            0,
            context,
            AuditRecord.FAILED,
            "java.io.IOException");
    Path file = dir.resolve("kms.audit.jsonl");
    try (AuditLog log = AuditLog.open(file)) {
      log.append(r);
    }
    List<String> lines = lines(file);
    assertEquals(1, lines.size());
    JsonNode n = JSON.readTree(lines.get(0));
    assertEquals(r.principal(), n.get("principal").asText());
    List<String> ctxKeys = new ArrayList<>();
    n.get("context").fieldNames().forEachRemaining(ctxKeys::add);
    assertEquals(List.of("a\"quote", "z"), ctxKeys);
    assertEquals("line\nbreak", n.get("context").get("a\"quote").asText());
    assertEquals(new AuditVerification(true, 1, 0, null), AuditVerifier.verify(file));
  }

  @Test
  void recordCopiesSortsAndValidates() {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("b", "2");
    context.put("a", "1");
    AuditRecord r =
        new AuditRecord(
            Instant.EPOCH, "p", "Encrypt", "k", 1, context, AuditRecord.ALLOWED, "x".repeat(300));
    context.put("c", "3");
    assertEquals(List.of("a", "b"), new ArrayList<>(r.encryptionContext().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> r.encryptionContext().put("d", "4"));
    assertEquals(AuditRecord.MAX_DETAIL_CHARS, r.detail().length());
    assertThrows(
        IllegalArgumentException.class,
        () -> new AuditRecord(Instant.EPOCH, "p", "Encrypt", null, null, null, "MAYBE", null));
    assertThrows(
        NullPointerException.class,
        () ->
            new AuditRecord(
                Instant.EPOCH, null, "Encrypt", null, null, null, AuditRecord.ALLOWED, null));
  }
}
