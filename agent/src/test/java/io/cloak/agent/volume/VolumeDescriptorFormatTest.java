package io.cloak.agent.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cloak.kms.DataKey;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the descriptor file format: the bytes written (captured from the Jackson-databind
 * implementation) and what reading accepts or refuses, with which message.
 */
class VolumeDescriptorFormatTest {
  private static final String GOOD =
      "{\n"
          + "  \"version\" : 1,\n"
          + "  \"volumeId\" : \"000102030405060708090a0b0c0d0e0f\",\n"
          + "  \"keyRef\" : \"alias/app/files\",\n"
          + "  \"keyId\" : \"k-1\",\n"
          + "  \"wrappedKey\" : \"AQID\",\n"
          + "  \"created\" : \"2026-01-01T00:00:00Z\"\n"
          + "}\n";

  @TempDir Path dir;

  /** A KMS that only generates data keys, under a key id that needs escaping. */
  private static KeyManagementService fakeKms(String keyId, byte[] blob) {
    return (KeyManagementService)
        Proxy.newProxyInstance(
            VolumeDescriptorFormatTest.class.getClassLoader(),
            new Class<?>[] {KeyManagementService.class},
            (proxy, method, args) -> {
              if (method.getName().equals("generateDataKey")) {
                return new DataKey(new byte[32], blob, keyId, 1);
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  @Test
  void writesThePrettyPrintedFormat() throws IOException {
    KeyManagementService kms =
        fakeKms(
            "id \u00e9 \"q\" \\ / \n\u0001 \ud83d\udd11 \ud800",
            new byte[] {1, 2, 3, (byte) 0xfb, (byte) 0xff});
    Path root = dir.resolve("v");
    VolumeDescriptor d =
        VolumeDescriptor.create(root, kms, Principal.of("app:x"), "ref \u00e9 \u2028 \t");
    String expected =
        "{\n"
            + "  \"version\" : 1,\n"
            + "  \"volumeId\" : \""
            + d.volumeIdHex()
            + "\",\n"
            + "  \"keyRef\" : \"ref \u00e9 \u2028 \\t\",\n"
            + "  \"keyId\" : \"id \u00e9 \\\"q\\\" \\\\ / \\n\\u0001 \ud83d\udd11 ?\",\n"
            + "  \"wrappedKey\" : \"AQID+/8=\",\n"
            + "  \"created\" : \""
            + d.created()
            + "\"\n"
            + "}\n";
    assertArrayEquals(
        expected.getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(root.resolve(VolumeDescriptor.FILE_NAME)));
    VolumeDescriptor loaded = VolumeDescriptor.load(root);
    assertEquals("ref \u00e9 \u2028 \t", loaded.keyRef());
    assertEquals("id \u00e9 \"q\" \\ / \n\u0001 \ud83d\udd11 ?", loaded.keyId());
  }

  private VolumeDescriptor load(String content) throws IOException {
    Path root = Files.createTempDirectory(dir, "v");
    Files.writeString(root.resolve(VolumeDescriptor.FILE_NAME), content);
    return VolumeDescriptor.load(root);
  }

  private void assertLoads(String content) throws IOException {
    VolumeDescriptor d = load(content);
    assertEquals("000102030405060708090a0b0c0d0e0f", d.volumeIdHex());
    assertEquals("k-1", d.keyId());
    assertEquals(Instant.parse("2026-01-01T00:00:00Z"), d.created());
  }

  private void assertRefused(String content, String message) throws IOException {
    Path root = Files.createTempDirectory(dir, "v");
    Path file = root.resolve(VolumeDescriptor.FILE_NAME);
    Files.writeString(file, content);
    VolumeException e = assertThrows(VolumeException.class, () -> VolumeDescriptor.load(root));
    assertEquals(message.replace("FILE", file.toString()), e.getMessage());
  }

  private static String replace(String target, String replacement) {
    String s = GOOD.replace(target, replacement);
    if (s.equals(GOOD)) {
      throw new AssertionError("no " + target + " in the descriptor");
    }
    return s;
  }

  @Test
  void readsWhatWasWrittenAndToleratesTheRest() throws IOException {
    VolumeDescriptor d = load(GOOD);
    assertEquals("alias/app/files", d.keyRef());
    assertArrayEquals(new byte[] {1, 2, 3}, d.wrappedKey());
    assertArrayEquals(HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f"), d.volumeId());
    assertLoads(
        "{\"created\":\"2026-01-01T00:00:00Z\",\"wrappedKey\":\"AQID\",\"keyId\":\"k-1\","
            + "\"keyRef\":\"r\",\"volumeId\":\"000102030405060708090A0B0C0D0E0F\",\"version\":1,"
            + "\"future\":[1,{\"x\":null}]}");
    assertLoads(GOOD + "garbage");
    assertLoads("\ufeff" + GOOD);
    assertLoads(replace("\"version\" : 1,", "\"version\" : 2, \"version\" : 1,"));
    assertEquals(
        "k-1", load(replace("\"keyId\" : \"k-1\"", "\"keyId\" : 7, \"keyId\" : \"k-1\"")).keyId());
    assertArrayEquals(new byte[] {1}, load(replace("\"AQID\"", "\"AQ\"")).wrappedKey());
    assertEquals("\u00e9\ud800", load(replace("\"k-1\"", "\"\\u00e9\\ud800\"")).keyId());
  }

  @Test
  void refusesWhatIsNotAnObject() throws IOException {
    for (String content : new String[] {"", "   ", "null", "[1, 2]", "\"s\""}) {
      assertRefused(content, "invalid volume descriptor FILE: not a JSON object");
    }
    assertRefused(
        "not json",
        "volume descriptor FILE is not valid JSON: Unrecognized token 'not': was expecting"
            + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
    for (String content : new String[] {"{", "{\"version\":1"}) {
      assertRefused(
          content,
          "volume descriptor FILE is not valid JSON: Unexpected end-of-input: expected close"
              + " marker for Object (start marker at [Source: REDACTED"
              + " (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])");
    }
    // a syntax error is reported even when a field before it is wrong
    String trailingComma =
        "volume descriptor FILE is not valid JSON: Unexpected character ('}' (code 125)): was"
            + " expecting double-quote to start field name";
    assertRefused(
        replace("\"version\" : 1", "\"version\" : 2").replace("\n}", ",\n}"), trailingComma);
    assertRefused(replace("\"AQID\"", "\"!\"").replace("\n}", ",\n}"), trailingComma);
  }

  @Test
  void refusesBadFieldsNamingTheFirst() throws IOException {
    String version = "invalid volume descriptor FILE: missing integer field \"version\"";
    for (String content :
        new String[] {
          "{\"version\":\"1\"}", "{\"version\":1.0}", "{}", "{\"version\":99999999999}"
        }) {
      assertRefused(content, version);
    }
    assertRefused(
        "{\"version\":2}",
        "invalid volume descriptor FILE: format version 2 is not supported (this Cloak reads"
            + " version 1)");
    assertRefused(
        "{\"version\":-1}",
        "invalid volume descriptor FILE: format version -1 is not supported (this Cloak reads"
            + " version 1)");
    String volumeId = "invalid volume descriptor FILE: missing or empty string field \"volumeId\"";
    assertRefused(replace("\"volumeId\" : \"000102030405060708090a0b0c0d0e0f\",", ""), volumeId);
    assertRefused(replace("000102030405060708090a0b0c0d0e0f", ""), volumeId);
    assertRefused(replace("\"000102030405060708090a0b0c0d0e0f\"", "5"), volumeId);
    assertRefused(
        replace("000102030405060708090a0b0c0d0e0f", "xyz"),
        "invalid volume descriptor FILE: \"volumeId\" is not hex");
    assertRefused(
        replace("000102030405060708090a0b0c0d0e0f", "0001"),
        "invalid volume descriptor FILE: \"volumeId\" must be 16 bytes");
    assertRefused(
        replace("\"AQID\"", "\"!AQID\""),
        "invalid volume descriptor FILE: \"wrappedKey\" is not base64");
    String wrapped = "invalid volume descriptor FILE: missing or empty string field \"wrappedKey\"";
    assertRefused(replace("\"AQID\"", "\"\""), wrapped);
    assertRefused(replace("\"AQID\"", "null"), wrapped);
    assertRefused(
        replace("2026-01-01T00:00:00Z", "yesterday"),
        "invalid volume descriptor FILE: \"created\" is not an ISO-8601 instant");
    assertRefused(
        replace("\"alias/app/files\"", "null"),
        "invalid volume descriptor FILE: missing or empty string field \"keyRef\"");
    assertRefused(
        replace("\"k-1\"", "\"\""),
        "invalid volume descriptor FILE: missing or empty string field \"keyId\"");
    assertRefused(
        replace("\"keyId\" : \"k-1\"", "\"keyId\" : \"k-1\", \"keyId\" : 7"),
        "invalid volume descriptor FILE: missing or empty string field \"keyId\"");
  }
}
