package io.cloak.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloak.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KmsCommandTest {
  private static final Pattern KEY_ID = Pattern.compile("(?m)^Key ID:\\s+(\\S+)$");

  @TempDir Path dir;

  private final CliRunner cli = new CliRunner();
  private Path keystore;

  @BeforeEach
  void rootKeyFileAndKeystorePath() throws IOException {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Path rootFile = Files.write(dir.resolve("root.key"), root);
    keystore = dir.resolve("ks");
    cli.env.put("CLOAK_ROOT_KEY_FILE", rootFile.toString());
    cli.env.put("CLOAK_KEYSTORE", keystore.toString());
    cli.env.put("CLOAK_PRINCIPAL", "user:alice");
  }

  @Test
  void initThenEncryptDecryptRoundTrip() {
    Result init = ok(cli.run("kms", "init"));
    assertTrue(init.out().contains(keystore.toAbsolutePath().toString()), init.out());
    ok(cli.run("kms", "create-key", "--alias", "alias/demo", "--description", "demo key"));
    byte[] plaintext = {'h', 'i', 0, (byte) 0xff, '\n'};

    Result enc =
        ok(cli.run(plaintext, "kms", "encrypt", "--key", "alias/demo", "--context", "app=t"));
    assertTrue(enc.binary().length > plaintext.length);
    Result dec = ok(cli.run(enc.binary(), "kms", "decrypt", "--context", "app=t"));
    assertArrayEquals(plaintext, dec.binary());
    assertEquals("", dec.out());

    Result enc64 = ok(cli.run(plaintext, "kms", "encrypt", "--key", "alias/demo", "--base64"));
    Result dec64 = ok(cli.runWithInput(enc64.out(), "kms", "decrypt", "--base64"));
    assertArrayEquals(plaintext, dec64.binary());
  }

  @Test
  void decryptWithWrongContextFailsWithOneLineError() {
    initWithKey("alias/demo");
    Result enc =
        ok(
            cli.runWithInput(
                "secret", "kms", "encrypt", "--key", "alias/demo", "--context", "tenant=a"));

    Result dec = cli.run(enc.binary(), "kms", "decrypt", "--context", "tenant=b");

    assertOneLineError(dec, 1);
    assertEquals(0, dec.binary().length);
    assertFalse(dec.err().contains("secret"));
  }

  @Test
  void aliasLifecycle() {
    ok(cli.run("kms", "init"));
    String first = keyId(ok(cli.run("kms", "create-key")));
    String second = keyId(ok(cli.run("kms", "create-key")));

    ok(cli.run("kms", "create-alias", "alias/app", first));
    assertEquals(first, keyId(ok(cli.run("kms", "describe-key", "alias/app"))));
    byte[] blob = ok(cli.runWithInput("data", "kms", "encrypt", "--key", "alias/app")).binary();
    assertOneLineError(cli.run("kms", "create-alias", "alias/app", second), 1);

    ok(cli.run("kms", "update-alias", "alias/app", second));
    Result described = ok(cli.run("kms", "describe-key", "alias/app"));
    assertEquals(second, keyId(described));
    assertTrue(described.out().contains("alias/app"), described.out());
    assertTrue(ok(cli.run("kms", "list-keys")).out().contains("alias/app"));
    assertEquals("data", ok(cli.run(blob, "kms", "decrypt")).binaryText());

    ok(cli.run("kms", "delete-alias", "alias/app"));
    assertOneLineError(cli.run("kms", "describe-key", "alias/app"), 1);
    assertFalse(ok(cli.run("kms", "list-keys")).out().contains("alias/app"));
  }

  @Test
  void disableThenEncryptFailsAndEnableRestores() {
    initWithKey("alias/k");
    byte[] blob = ok(cli.runWithInput("x", "kms", "encrypt", "--key", "alias/k")).binary();

    ok(cli.run("kms", "disable", "alias/k"));
    assertTrue(ok(cli.run("kms", "describe-key", "alias/k")).out().contains("DISABLED"));
    assertOneLineError(cli.runWithInput("x", "kms", "encrypt", "--key", "alias/k"), 1);
    assertOneLineError(cli.run(blob, "kms", "decrypt"), 1);

    ok(cli.run("kms", "enable", "alias/k"));
    ok(cli.runWithInput("x", "kms", "encrypt", "--key", "alias/k"));
    assertEquals("x", ok(cli.run(blob, "kms", "decrypt")).binaryText());
  }

  @Test
  void rotateThenListRotationsShowsNewVersion() {
    initWithKey("alias/r");
    byte[] before = ok(cli.runWithInput("old", "kms", "encrypt", "--key", "alias/r")).binary();
    assertTrue(ok(cli.run("kms", "list-rotations", "alias/r")).out().contains("not been rotated"));

    Result rotated = ok(cli.run("kms", "rotate", "alias/r"));
    assertTrue(rotated.out().contains("current version 2"), rotated.out());

    Result rotations = ok(cli.run("kms", "list-rotations", "alias/r"));
    assertTrue(
        rotations.out().matches("(?s).*\\n\\S+\\s+2\\s+\\S+\\s+ON_DEMAND\\n"), rotations.out());
    assertTrue(ok(cli.run("kms", "describe-key", "alias/r")).out().contains("Current version: 2"));
    assertEquals("old", ok(cli.run(before, "kms", "decrypt")).binaryText());

    ok(cli.run("kms", "enable-rotation", "alias/r", "--days", "90"));
    assertTrue(ok(cli.run("kms", "describe-key", "alias/r")).out().contains("every 90 days"));
    assertOneLineError(cli.run("kms", "enable-rotation", "alias/r", "--days", "5"), 1);
    ok(cli.run("kms", "disable-rotation", "alias/r"));
  }

  @Test
  void putPolicyDeniesOtherPrincipal() throws IOException {
    initWithKey("alias/p");
    Path policy =
        Files.writeString(
            dir.resolve("policy.json"),
            """
        {"statements": [
          {"principals": ["user:alice"], "operations": ["kms:*"]},
          {"principals": ["app:orders"], "operations": ["kms:Encrypt"]}
        ]}
        """);
    ok(cli.run("kms", "put-policy", "alias/p", "--file", policy.toString()));

    byte[] blob =
        ok(cli.runWithInput(
                "order", "kms", "encrypt", "--key", "alias/p", "--principal", "app:orders"))
            .binary();
    Result denied = cli.run(blob, "kms", "decrypt", "--principal", "app:orders");
    assertOneLineError(denied, 1);
    assertTrue(denied.err().contains("app:orders"), denied.err());
    assertOneLineError(cli.run("kms", "describe-key", "alias/p", "--principal", "user:mallory"), 1);
    assertEquals("order", ok(cli.run(blob, "kms", "decrypt")).binaryText());

    JsonNode shown = parseJson(ok(cli.run("kms", "get-policy", "alias/p")).out());
    assertEquals("kms:*", shown.at("/statements/0/operations/0").asText());
    assertEquals("kms:Encrypt", shown.at("/statements/1/operations/0").asText());
    assertEquals("app:orders", shown.at("/statements/1/principals/0").asText());
  }

  @Test
  void putPolicyRefusesToLockOutTheCallerAndRejectsBadJson() throws IOException {
    initWithKey("alias/p");
    Path lockout =
        Files.writeString(
            dir.resolve("lockout.json"),
            "{\"statements\": [{\"principals\": [\"app:x\"], \"operations\": [\"kms:*\"]}]}");
    Result refused = cli.run("kms", "put-policy", "alias/p", "--file", lockout.toString());
    assertOneLineError(refused, 1);
    assertTrue(refused.err().contains("--bypass-lockout-safety-check"), refused.err());

    Path badOp =
        Files.writeString(
            dir.resolve("bad.json"),
            "{\"statements\": [{\"principals\": [\"*\"], \"operations\": [\"kms:Fly\"]}]}");
    Result unknown = cli.run("kms", "put-policy", "alias/p", "--file", badOp.toString());
    assertOneLineError(unknown, 1);
    assertTrue(unknown.err().contains("statement 1"), unknown.err());

    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"statements\": [");
    assertOneLineError(cli.run("kms", "put-policy", "alias/p", "--file", broken.toString()), 1);
  }

  @Test
  void auditVerifyReportsIntactAndThenEditedLine() throws IOException {
    initWithKey("alias/a");
    ok(cli.runWithInput("x", "kms", "encrypt", "--key", "alias/a"));
    ok(cli.run("kms", "list-keys"));
    Result intact = ok(cli.run("kms", "audit", "verify"));
    assertTrue(intact.out().contains("intact"), intact.out());

    Path log = Path.of(keystore + ".audit.log");
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertTrue(lines.size() >= 3, lines.toString());
    lines.set(1, lines.get(1).replace("user:alice", "user:bobby"));
    Files.write(log, lines, StandardCharsets.UTF_8);

    Result edited = cli.run("kms", "audit", "verify", "--log", log.toString());
    assertOneLineError(edited, 1);
    assertTrue(edited.err().contains("line 2 was edited"), edited.err());
  }

  @Test
  void missingKeystoreSaysHowToCreateIt() throws IOException {
    Result r = cli.runWithInput("x", "kms", "encrypt", "--key", "alias/any");

    assertOneLineError(r, 1);
    assertTrue(r.err().contains("no keystore at " + keystore), r.err());
    assertTrue(r.err().contains("cloak kms init --keystore " + keystore), r.err());
    try (var files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("root.key")), files.toList());
    }
  }

  @Test
  void wrongPassphraseIsOneLineError() {
    cli.env.remove("CLOAK_ROOT_KEY_FILE");
    cli.env.put("CLOAK_KEYSTORE_PASSPHRASE", "correct horse");
    cli.scryptCost = 10;
    ok(cli.run("kms", "init"));
    ok(cli.run("kms", "list-keys"));

    cli.env.put("CLOAK_KEYSTORE_PASSPHRASE", "battery staple");
    Result r = cli.run("kms", "list-keys");

    assertOneLineError(r, 1);
    assertTrue(r.err().contains("wrong passphrase"), r.err());
    assertFalse(r.err().contains("battery"), r.err());
  }

  @Test
  void unknownAliasIsOneLineError() {
    initWithKey("alias/known");
    Result r = cli.runWithInput("x", "kms", "encrypt", "--key", "alias/unknown");

    assertOneLineError(r, 1);
    assertTrue(r.err().contains("alias/unknown"), r.err());
  }

  @Test
  void importRejectsWrongSizeMaterial() throws IOException {
    ok(cli.run("kms", "init"));
    Path shortFile = Files.write(dir.resolve("short.key"), new byte[31]);
    Result r = cli.run("kms", "create-key", "--import", shortFile.toString());
    assertOneLineError(r, 1);
    assertTrue(r.err().contains("31 bytes") && r.err().contains("exactly 32"), r.err());

    byte[] material = new byte[32];
    new SecureRandom().nextBytes(material);
    Path good = Files.write(dir.resolve("good.key"), material);
    Result imported = ok(cli.run("kms", "create-key", "--import", good.toString()));
    assertTrue(imported.out().contains("IMPORTED"), imported.out());
  }

  @Test
  void generateDataKeyPrintsJsonWhoseBlobDecryptsToThePlaintext() {
    initWithKey("alias/d");
    JsonNode json =
        parseJson(
            ok(cli.run("kms", "generate-data-key", "--key", "alias/d", "--context", "file=a"))
                .out());
    byte[] plaintext = Base64.getDecoder().decode(json.get("plaintext").asText());
    byte[] blob = Base64.getDecoder().decode(json.get("ciphertextBlob").asText());
    assertEquals(32, plaintext.length);
    assertEquals(1, json.get("keyVersion").asInt());
    assertArrayEquals(
        plaintext, ok(cli.run(blob, "kms", "decrypt", "--context", "file=a")).binary());

    JsonNode wrapped =
        parseJson(
            ok(cli.run("kms", "generate-data-key", "--key", "alias/d", "--without-plaintext"))
                .out());
    assertFalse(wrapped.has("plaintext"));
    assertTrue(wrapped.has("ciphertextBlob"));
  }

  @Test
  void scheduleThenCancelDeletion() {
    initWithKey("alias/del");
    Result scheduled = ok(cli.run("kms", "schedule-deletion", "alias/del", "--days", "7"));
    assertTrue(scheduled.out().contains("pending deletion"), scheduled.out());
    assertOneLineError(cli.runWithInput("x", "kms", "encrypt", "--key", "alias/del"), 1);
    assertOneLineError(cli.run("kms", "schedule-deletion", "alias/del", "--days", "3"), 1);

    Result cancelled = ok(cli.run("kms", "cancel-deletion", "alias/del"));
    assertTrue(cancelled.out().contains("ENABLED"), cancelled.out());
    ok(cli.runWithInput("x", "kms", "encrypt", "--key", "alias/del"));
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    assertOneLineError(cli.run("kms", "encrypt"), 2);
    assertOneLineError(cli.run("kms", "frobnicate"), 2);
    assertOneLineError(cli.run("kms", "encrypt", "--key", "k", "--context", "novalue"), 2);
    assertOneLineError(cli.run("kms"), 2);
  }

  @Test
  void decryptSaysToPassBase64WhenGivenText() {
    initWithKey("alias/b");
    String text = ok(cli.runWithInput("x", "kms", "encrypt", "--key", "alias/b", "--base64")).out();
    Result r = cli.runWithInput(text, "kms", "decrypt");
    assertOneLineError(r, 1);
    assertTrue(r.err().contains("--base64"), r.err());
  }

  @Test
  void noRootKeyIsOneLineErrorAndDebugAddsStackTrace() {
    cli.env.remove("CLOAK_ROOT_KEY_FILE");
    Result r = cli.run("kms", "init");
    assertOneLineError(r, 1);
    assertTrue(r.err().contains("CLOAK_KEYSTORE_PASSPHRASE"), r.err());

    cli.env.put("CLOAK_DEBUG", "1");
    Result debug = cli.run("kms", "init");
    assertEquals(1, debug.exitCode());
    assertTrue(debug.err().contains("\tat "), debug.err());
  }

  // ---------------------------------------------------------------- helpers

  private void initWithKey(String alias) {
    ok(cli.run("kms", "init"));
    ok(cli.run("kms", "create-key", "--alias", alias));
  }

  private static Result ok(Result r) {
    assertEquals(0, r.exitCode(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
    assertEquals("", r.err());
    return r;
  }

  private static void assertOneLineError(Result r, int exitCode) {
    assertEquals(exitCode, r.exitCode(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
    assertTrue(r.err().startsWith("cloak: "), r.err());
    assertTrue(r.err().endsWith(System.lineSeparator()), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  private static String keyId(Result r) {
    Matcher m = KEY_ID.matcher(r.out());
    assertTrue(m.find(), r.out());
    return m.group(1);
  }

  private static JsonNode parseJson(String s) {
    try {
      return new ObjectMapper().readTree(s);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }
}
