package io.cloak.kms.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cloak.kms.audit.AuditJson.MalformedLineException;
import io.cloak.kms.audit.AuditJson.Parsed;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the audit line format byte for byte (the hash chain hashes the exact line bytes) and every
 * verdict of the strict parser. The expected strings were captured from the Jackson-databind
 * implementation.
 */
class AuditJsonTest {
  private static final String ZEROS = "0".repeat(64);
  private static final String FIELDS =
      "expected [seq, time, principal, op, key, keyVersion, context, outcome, detail, prev]";

  private static AuditRecord plain() {
    return new AuditRecord(
        Instant.parse("2025-01-02T03:04:05.123Z"),
        "user-1",
        "Encrypt",
        "key-1",
        2,
        Map.of("tenant", "acme", "app", "billing"),
        AuditRecord.ALLOWED,
        null);
  }

  private static final String GOOD =
      "{\"seq\":1,\"time\":\"2025-01-02T03:04:05.123Z\",\"principal\":\"user-1\",\"op\":\"Encrypt\","
          + "\"key\":\"key-1\",\"keyVersion\":2,\"context\":{\"app\":\"billing\",\"tenant\":\"acme\"},"
          + "\"outcome\":\"ALLOWED\",\"detail\":null,\"prev\":\""
          + ZEROS
          + "\"}";

  private static void assertEncodes(String expected, long seq, AuditRecord r, String prev) {
    byte[] line = AuditJson.encode(seq, r, prev);
    assertEquals(expected, new String(line, StandardCharsets.UTF_8));
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), line);
  }

  @Test
  void encodesAPlainRecord() {
    assertEncodes(GOOD, 1, plain(), ZEROS);
  }

  @Test
  void encodesEscapesNonAsciiAndNulls() {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("z", "\u00e9");
    context.put("a\"quote", "line\nbreak");
    AuditRecord r =
        new AuditRecord(
            Instant.EPOCH,
            "us\u00e9r\n{\"x\":1}\t\\/ \u0000\u001f\u007f\u2028\u00a0 \ud83d\udd11 \u4e2d",
            "Decrypt",
            null,
            null,
            context,
            AuditRecord.FAILED,
            "java.io.IOException: \u00fc\r\b\f");
    assertEncodes(
        "{\"seq\":9223372036854775807,\"time\":\"1970-01-01T00:00:00Z\","
            + "\"principal\":\"us\u00e9r\\n{\\\"x\\\":1}\\t\\\\/ \\u0000\\u001F\u007f\u2028\u00a0"
            + " \\uD83D\\uDD11 \u4e2d\",\"op\":\"Decrypt\",\"key\":null,\"keyVersion\":null,"
            + "\"context\":{\"a\\\"quote\":\"line\\nbreak\",\"z\":\"\u00e9\"},\"outcome\":\"FAILED\","
            + "\"detail\":\"java.io.IOException: \u00fc\\r\\b\\f\",\"prev\":\""
            + "ab".repeat(32)
            + "\"}",
        Long.MAX_VALUE,
        r,
        "ab".repeat(32));
  }

  @Test
  void encodesEmptyValuesAndNanoseconds() {
    AuditRecord r =
        new AuditRecord(
            Instant.parse("2025-06-30T23:59:59.123456789Z"),
            "",
            "ListKeys",
            "",
            0,
            Map.of(),
            AuditRecord.DENIED,
            "");
    String prev = "0123456789abcdef".repeat(4);
    assertEncodes(
        "{\"seq\":7,\"time\":\"2025-06-30T23:59:59.123456789Z\",\"principal\":\"\","
            + "\"op\":\"ListKeys\",\"key\":\"\",\"keyVersion\":0,\"context\":{},"
            + "\"outcome\":\"DENIED\",\"detail\":\"\",\"prev\":\""
            + prev
            + "\"}",
        7,
        r,
        prev);
  }

  @Test
  void encodesLoneSurrogatesAsEscapes() {
    AuditRecord r =
        new AuditRecord(
            Instant.parse("2025-06-30T23:59:59Z"),
            "a\ud800b",
            "X",
            "\udc00",
            Integer.MAX_VALUE,
            Map.of("\ud800", "\udfff"),
            AuditRecord.DENIED,
            "<>&'");
    assertEncodes(
        "{\"seq\":8,\"time\":\"2025-06-30T23:59:59Z\",\"principal\":\"a\\uD800b\",\"op\":\"X\","
            + "\"key\":\"\\uDC00\",\"keyVersion\":2147483647,\"context\":{\"\\uD800\":\"\\uDFFF\"},"
            + "\"outcome\":\"DENIED\",\"detail\":\"<>&'\",\"prev\":\""
            + ZEROS
            + "\"}",
        8,
        r,
        ZEROS);
  }

  private static void assertParsed(String line, long seq) throws MalformedLineException {
    assertParsed(line.getBytes(StandardCharsets.UTF_8), seq);
  }

  private static void assertParsed(byte[] line, long seq) throws MalformedLineException {
    assertEquals(new Parsed(seq, ZEROS), AuditJson.parse(line));
  }

  private static void assertMalformed(String line, String message) {
    assertMalformed(line.getBytes(StandardCharsets.UTF_8), message);
  }

  private static void assertMalformed(byte[] line, String message) {
    MalformedLineException e =
        assertThrows(MalformedLineException.class, () -> AuditJson.parse(line));
    assertEquals(message, e.getMessage());
  }

  private static String replace(String target, String replacement) {
    String line = GOOD.replace(target, replacement);
    if (line.equals(GOOD)) {
      throw new AssertionError("no " + target + " in the line");
    }
    return line;
  }

  @Test
  void parsesWellFormedLines() throws Exception {
    assertParsed(GOOD, 1);
    assertParsed(GOOD + " ", 1);
    assertParsed(GOOD + "\n", 1);
    assertParsed("\ufeff" + GOOD, 1);
    assertParsed(GOOD.getBytes(StandardCharsets.UTF_16BE), 1);
    assertParsed(replace("\"seq\":1", "\"seq\" : 1 ").replace(",", " , "), 1);
    assertParsed(replace("\"seq\":1", "\"seq\":9223372036854775807"), Long.MAX_VALUE);
    assertParsed(replace("2025-01-02T03:04:05.123Z", "2025-01-02T03:04:05.123+01:00"), 1);
    assertParsed(replace("\"key-1\"", "null"), 1);
    assertParsed(replace("\"keyVersion\":2", "\"keyVersion\":null"), 1);
    assertParsed(replace("\"keyVersion\":2", "\"keyVersion\":2147483647"), 1);
    assertParsed(replace("{\"app\":\"billing\",\"tenant\":\"acme\"}", "{}"), 1);
    assertParsed(replace("\"detail\":null", "\"detail\":\"x\""), 1);
    assertParsed(replace("\"user-1\"", "\"us\\u00e9r\\ud800\""), 1);
  }

  @Test
  void refusesWhatIsNotOneJsonObject() {
    for (String line : new String[] {"", " ", "null", "5", "\"x\"", "[]"}) {
      assertMalformed(line, "not a JSON object");
    }
    for (String line :
        new String[] {
          "[1,2", "{", "{\"seq\":1", "this is not json", GOOD + " x", GOOD + "{}", GOOD + "}"
        }) {
      assertMalformed(line, "not valid JSON");
    }
    assertMalformed(replace("\"user-1\"", "\"bad\\q\""), "not valid JSON");
    assertMalformed(replace("\"user-1\"", "\"tab\there\""), "not valid JSON");
    assertMalformed(
        GOOD.replace("user-1", "user\u00ff").getBytes(StandardCharsets.ISO_8859_1),
        "not valid JSON");
  }

  @Test
  void refusesDuplicateKeysAnywhere() {
    assertMalformed(replace("{\"seq\":1,", "{\"seq\":1,\"seq\":1,"), "not valid JSON");
    assertMalformed(
        replace("{\"app\":\"billing\",\"tenant\":\"acme\"}", "{\"app\":\"billing\",\"app\":\"x\"}"),
        "not valid JSON");
    assertMalformed(replace("\"seq\":1", "\"seq\":{\"a\":1,\"a\":2}"), "not valid JSON");
  }

  @Test
  void syntaxErrorsWinOverFieldErrorsAnywhereInTheLine() {
    assertMalformed(
        replace("\"seq\":1", "\"seq\":0").replace("\"prev\"", "\"prev\":1,\"prev\""),
        "not valid JSON");
    String badSeq = replace("\"seq\":1", "\"seq\":0");
    assertMalformed(badSeq.substring(0, GOOD.length() - 3), "not valid JSON");
  }

  @Test
  void requiresExactlyTheFieldsInOrder() {
    assertMalformed("{}", "fields are [], " + FIELDS);
    assertMalformed(
        replace("{\"seq\":1,", "{\"extra\":1,\"seq\":1,"),
        "fields are [extra, seq, time, principal, op, key, keyVersion, context, outcome, detail,"
            + " prev], "
            + FIELDS);
    assertMalformed(
        replace("\"seq\":1,", ""),
        "fields are [time, principal, op, key, keyVersion, context, outcome, detail, prev], "
            + FIELDS);
  }

  @Test
  void checksEveryFieldsType() {
    String seq = "seq is not a positive integer";
    for (String value :
        new String[] {"0", "-1", "1.0", "1e3", "\"1\"", "null", "9223372036854775808", "[1]"}) {
      assertMalformed(replace("\"seq\":1", "\"seq\":" + value), seq);
    }
    assertMalformed(replace("\"seq\":1", "\"seq\":01"), "not valid JSON");
    assertMalformed(
        replace("2025-01-02T03:04:05.123Z", "yesterday"), "time is not an ISO-8601 instant");
    assertMalformed(replace("\"2025-01-02T03:04:05.123Z\"", "20250102"), "time is not a string");
    assertMalformed(replace("\"user-1\"", "null"), "principal is not a string");
    assertMalformed(replace("\"user-1\"", "1"), "principal is not a string");
    assertMalformed(replace("\"Encrypt\"", "true"), "op is not a string");
    assertMalformed(replace("\"key-1\"", "{}"), "key is not a string or null");
    String keyVersion = "keyVersion is not a non-negative integer or null";
    for (String value : new String[] {"-1", "2147483648", "2.0", "\"2\""}) {
      assertMalformed(replace("\"keyVersion\":2", "\"keyVersion\":" + value), keyVersion);
    }
    String context = "{\"app\":\"billing\",\"tenant\":\"acme\"}";
    assertMalformed(replace(context, "[]"), "context is not an object");
    assertMalformed(replace(context, "null"), "context is not an object");
    assertMalformed(
        replace(context, "{\"tenant\":\"acme\",\"app\":\"billing\"}"),
        "context keys are not sorted");
    assertMalformed(
        replace(context, "{\"app\":1,\"tenant\":\"acme\"}"), "context value is not a string");
    assertMalformed(
        replace(context, "{\"tenant\":\"acme\",\"app\":1}"), "context value is not a string");
    assertMalformed(replace(context, "{\"app\":null}"), "context value is not a string");
    assertMalformed(
        replace(context, "{\"app\":{\"x\":[1,{\"y\":2}]}}"), "context value is not a string");
    String outcome = "outcome is not ALLOWED, DENIED or FAILED";
    assertMalformed(replace("\"ALLOWED\"", "\"MAYBE\""), outcome);
    assertMalformed(replace("\"ALLOWED\"", "\"allowed\""), outcome);
    assertMalformed(replace("\"ALLOWED\"", "null"), "outcome is not a string");
    assertMalformed(replace("\"detail\":null", "\"detail\":5"), "detail is not a string or null");
    assertMalformed(replace("\"0000", "\"000A"), "prev is not 64 lowercase hex digits");
    assertMalformed(replace("\"0000", "\"000"), "prev is not 64 lowercase hex digits");
    assertMalformed(replace("\"0000", "null"), "not valid JSON");
    assertMalformed(replace("\"" + ZEROS + "\"", "null"), "prev is not a string");
  }
}
