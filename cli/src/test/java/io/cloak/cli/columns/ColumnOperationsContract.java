package io.cloak.cli.columns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.jdbc.CloakConnection;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import io.cloak.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * The column commands against one database engine; each subclass names the engine. One database per
 * class, one table (and config file) per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ColumnOperationsContract {
  private Path dir;
  private TestDatabase db;
  private Path keystore;
  private Path rootKey;

  abstract TestDatabase.Engine engine();

  @BeforeAll
  void createDatabase() throws Exception {
    dir = Files.createTempDirectory("cloak-columns");
    db = TestDatabase.create(engine(), dir);
    keystore = dir.resolve("keystore");
    rootKey = dir.resolve("root.key");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.write(rootKey, key);
  }

  @AfterAll
  void dropDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  record Run(int code, String out, String err) {}

  /** Runs a column command in-process with the connection options of the test database. */
  Run cli(Object command, Path config, String... args) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString(), "--url", db.realUrl));
    if (db.credentials.getProperty("user") != null) {
      all.add("--user");
      all.add(db.credentials.getProperty("user"));
    }
    if (db.credentials.getProperty("password") != null) {
      all.add("--password");
      all.add(db.credentials.getProperty("password"));
    }
    all.addAll(List.of(args));
    CommandLine cl = new CommandLine(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** Writes a config for one encrypted column; a new file (so a new driver runtime) per call. */
  Path config(String name, String table, String column, boolean allowPlaintext) throws Exception {
    return config(name, table, column, allowPlaintext, null);
  }

  Path config(String name, String table, String column, boolean allowPlaintext, String key)
      throws Exception {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(
        file,
        "kms:\n"
            + "  type: local\n"
            + "  keystore: "
            + keystore.toAbsolutePath()
            + "\n"
            + "  root-key-file: "
            + rootKey.toAbsolutePath()
            + "\n"
            + "columns:\n"
            + "  - { table: "
            + table
            + ", column: "
            + column
            + (key == null ? "" : ", key: " + key)
            + " }\n"
            + "allow-plaintext-reads: "
            + allowPlaintext
            + "\n");
    return file;
  }

  void createTable(String table) throws Exception {
    try (Connection c = db.plain();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, secret " + db.textType() + ")");
    }
  }

  void insertPlain(String table, int rows) throws Exception {
    try (Connection c = db.plain();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO " + table + " (id, secret) VALUES (?, ?)")) {
      for (int i = 1; i <= rows; i++) {
        ps.setInt(1, i);
        ps.setString(2, "plain-" + i);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  Map<Integer, String> raw(String table) throws Exception {
    Map<Integer, String> out = new HashMap<>();
    try (Connection c = db.plain();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, secret FROM " + table)) {
      while (rs.next()) {
        out.put(rs.getInt(1), rs.getString(2));
      }
    }
    return out;
  }

  Map<Integer, String> decrypted(String table, Path config) throws Exception {
    Map<Integer, String> out = new HashMap<>();
    try (Connection c = db.cloak(config);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, secret FROM " + table)) {
      while (rs.next()) {
        out.put(rs.getInt(1), rs.getString(2));
      }
    }
    return out;
  }

  @Test
  void verifyReportsPlaintextWithExitOneThenZeroAfterEncrypt() throws Exception {
    createTable("t_verify");
    insertPlain("t_verify", 20);
    try (Connection c = db.plain();
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO t_verify (id, secret) VALUES (21, NULL)");
    }
    Path config = config("verify", "t_verify", "secret", true);

    Run before = cli(new VerifyCommand(), config);
    assertEquals(1, before.code(), before.out() + before.err());
    assertTrue(before.out().contains("21 rows, 0 encrypted, 1 NULL, 20 plaintext"), before.out());

    Run encrypt = cli(new EncryptCommand(), config, "--table", "t_verify", "--column", "secret");
    assertEquals(0, encrypt.code(), encrypt.out() + encrypt.err());
    assertTrue(encrypt.out().contains("no plaintext left"), encrypt.out());

    Run after = cli(new VerifyCommand(), config);
    assertEquals(0, after.code(), after.out() + after.err());
    assertTrue(after.out().contains("21 rows, 20 encrypted, 1 NULL, 0 plaintext"), after.out());

    Map<Integer, String> values =
        decrypted("t_verify", config("verify-strict", "t_verify", "secret", false));
    for (int i = 1; i <= 20; i++) {
      assertEquals("plain-" + i, values.get(i));
    }
    assertEquals(null, values.get(21));
  }

  @Test
  void encryptIsResumableAfterAnInterruptedRunAndIdempotent() throws Exception {
    createTable("t_resume");
    insertPlain("t_resume", 100);
    Path config = config("resume", "t_resume", "secret", true);

    Run first =
        cli(
            new EncryptCommand(),
            config,
            "--table",
            "t_resume",
            "--column",
            "secret",
            "--batch",
            "10",
            "--max-batches",
            "2");
    assertEquals(0, first.code(), first.out() + first.err());
    assertTrue(first.out().contains("stopped after --max-batches"), first.out());
    Map<Integer, String> half = raw("t_resume");
    for (int i = 1; i <= 100; i++) {
      assertEquals(i <= 20, StoredValues.isCiphertext(half.get(i)), "row " + i);
    }
    assertEquals(1, cli(new VerifyCommand(), config).code());

    Run second =
        cli(
            new EncryptCommand(),
            config,
            "--table",
            "t_resume",
            "--column",
            "secret",
            "--batch",
            "10");
    assertEquals(0, second.code(), second.out() + second.err());
    assertTrue(
        second.out().toLowerCase(java.util.Locale.ROOT).contains("resuming after id = 20"),
        second.out());
    assertTrue(second.out().contains("80 rewritten"), second.out());
    // the first 20 rows were not rewritten again
    Map<Integer, String> done = raw("t_resume");
    for (int i = 1; i <= 20; i++) {
      assertEquals(half.get(i), done.get(i));
    }

    Run third = cli(new EncryptCommand(), config, "--table", "t_resume", "--column", "secret");
    assertEquals(0, third.code(), third.out() + third.err());
    assertTrue(third.out().contains("nothing to do"), third.out());
    assertEquals(done, raw("t_resume"));

    Map<Integer, String> values =
        decrypted("t_resume", config("resume-strict", "t_resume", "secret", false));
    for (int i = 1; i <= 100; i++) {
      assertEquals("plain-" + i, values.get(i));
    }
  }

  @Test
  void encryptWhileTheApplicationReadsAndUpdatesLosesNoUpdate() throws Exception {
    createTable("t_online");
    int rows = 400;
    insertPlain("t_online", rows);
    Path appConfig = config("online-app", "t_online", "secret", true);
    Path cliConfig = config("online-cli", "t_online", "secret", true);
    Map<Integer, String> expected = new ConcurrentHashMap<>();
    for (int i = 1; i <= rows; i++) {
      expected.put(i, "plain-" + i);
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger updates = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> apps = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int parity = t;
      Thread app =
          new Thread(
              () -> {
                try (Connection c = db.cloak(appConfig);
                    PreparedStatement read =
                        c.prepareStatement("SELECT secret FROM t_online WHERE id = ?");
                    PreparedStatement write =
                        c.prepareStatement("UPDATE t_online SET secret = ? WHERE id = ?")) {
                  int n = 0;
                  while (!stop.get()) {
                    int id = 1 + 2 * ThreadLocalRandom.current().nextInt(rows / 2) + parity;
                    read.setInt(1, id);
                    try (ResultSet rs = read.executeQuery()) {
                      assertTrue(rs.next());
                      assertEquals(expected.get(id), rs.getString(1), "read of row " + id);
                    }
                    String value = "app-" + id + "-" + (++n);
                    write.setString(1, value);
                    write.setInt(2, id);
                    assertEquals(1, write.executeUpdate());
                    expected.put(id, value);
                    updates.incrementAndGet();
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      app.start();
      apps.add(app);
    }
    try {
      while (updates.get() < 20 && failure.get() == null) {
        Thread.sleep(5);
      }
      int before = updates.get();
      Run run =
          cli(
              new EncryptCommand(),
              cliConfig,
              "--table",
              "t_online",
              "--column",
              "secret",
              "--batch",
              "5");
      assertEquals(0, run.code(), run.out() + run.err());
      assertTrue(updates.get() > before, "the application kept writing during the run");
    } finally {
      stop.set(true);
      for (Thread app : apps) {
        app.join(10_000);
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("application thread failed", failure.get());
    }
    Map<Integer, String> stored = raw("t_online");
    stored.forEach((id, v) -> assertTrue(StoredValues.isCiphertext(v), "row " + id + " encrypted"));
    assertEquals(
        expected, decrypted("t_online", config("online-strict", "t_online", "secret", false)));
  }

  @Test
  void reencryptLeavesNoValueUnderTheOldDataKeyVersion() throws Exception {
    createTable("t_reenc");
    Path strict = config("reenc", "t_reenc", "secret", false);
    try (Connection c = db.cloak(strict);
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO t_reenc (id, secret) VALUES (?, ?)")) {
      for (int i = 1; i <= 30; i++) {
        ps.setInt(1, i);
        ps.setString(2, "secret-" + i);
        ps.executeUpdate();
      }
    }
    raw("t_reenc").values().forEach(v -> assertEquals(1, StoredValues.version(v)));

    Run run =
        cli(
            new ReencryptCommand(),
            strict,
            "--table",
            "t_reenc",
            "--column",
            "secret",
            "--rotate-key",
            "--batch",
            "7");
    assertEquals(0, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("data-key versions: v1: 30"), run.out());
    assertTrue(run.out().contains("data-key versions: v2: 30"), run.out());
    raw("t_reenc").values().forEach(v -> assertEquals(2, StoredValues.version(v)));

    Map<Integer, String> values =
        decrypted("t_reenc", config("reenc-check", "t_reenc", "secret", false));
    for (int i = 1; i <= 30; i++) {
      assertEquals("secret-" + i, values.get(i));
    }
    Run again = cli(new ReencryptCommand(), strict, "--table", "t_reenc", "--column", "secret");
    assertEquals(0, again.code(), again.out() + again.err());
    assertTrue(again.out().contains("nothing to do"), again.out());
  }

  @Test
  void rotateRewrapsEveryDataKeyUnderTheNewestMasterKeyVersion() throws Exception {
    createTable("t_rotate");
    String masterKey = createMasterKey();
    Path config = config("rotate", "t_rotate", "secret", false, masterKey);
    try (Connection c = db.cloak(config);
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO t_rotate (id, secret) VALUES (?, ?)")) {
      for (int i = 1; i <= 10; i++) {
        if (i == 6) {
          c.unwrap(CloakConnection.class).rotateDataKey("t_rotate", "secret");
        }
        ps.setInt(1, i);
        ps.setString(2, "secret-" + i);
        ps.executeUpdate();
      }
    }
    CloakConfig parsed = CloakConfig.load(config);
    Principal principal = ConfiguredKms.principal(parsed);
    String binding = "t_rotate.secret";
    try (KeyManagementService kms = ConfiguredKms.open(parsed)) {
      int before = kms.describeKey(principal, masterKey).currentVersion();
      kms.rotateKeyOnDemand(principal, masterKey);
      int newest = kms.describeKey(principal, masterKey).currentVersion();
      assertNotEquals(before, newest);
      Map<Integer, String> keysBefore = wrappedKeys(binding);
      assertEquals(2, keysBefore.size());
      keysBefore.forEach(
          (v, w) -> assertEquals(before, unwrapVersion(kms, principal, binding, v, w)));

      Run run = cli(new RotateCommand(), config, "--binding", binding);
      assertEquals(0, run.code(), run.out() + run.err());
      assertTrue(run.out().contains("rewrapped 2 data key(s)"), run.out());

      Map<Integer, String> keysAfter = wrappedKeys(binding);
      assertEquals(keysBefore.keySet(), keysAfter.keySet());
      keysAfter.forEach(
          (v, w) -> {
            assertNotEquals(keysBefore.get(v), w);
            assertEquals(newest, unwrapVersion(kms, principal, binding, v, w));
          });
    }
    Map<Integer, String> values =
        decrypted("t_rotate", config("rotate-check", "t_rotate", "secret", false, masterKey));
    for (int i = 1; i <= 10; i++) {
      assertEquals("secret-" + i, values.get(i));
    }
  }

  @Test
  void rotateToAnotherMasterKeyMovesTheDataKeysAndTheirMasterKeyName() throws Exception {
    createTable("t_tokey");
    String oldKey = createMasterKey();
    String newKey = createMasterKey();
    Path config = config("tokey", "t_tokey", "secret", false, oldKey);
    try (Connection c = db.cloak(config);
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO t_tokey (id, secret) VALUES (?, ?)")) {
      ps.setInt(1, 1);
      ps.setString(2, "secret-1");
      ps.executeUpdate();
    }
    Run run = cli(new RotateCommand(), config, "--to-key", newKey, "--binding", "t_tokey.secret");
    assertEquals(0, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("rewrapped 1 data key(s)"), run.out());
    assertTrue(run.out().contains("now set 'key: " + newKey + "'"), run.out());
    try (Connection c = db.plain();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT master_key, wrapped_key FROM cloak_data_keys"
                    + " WHERE binding = 't_tokey.secret'")) {
      assertTrue(rs.next());
      assertEquals(newKey, rs.getString(1));
      CloakConfig parsed = CloakConfig.load(config);
      try (KeyManagementService kms = ConfiguredKms.open(parsed)) {
        EncryptionContext context =
            EncryptionContext.of("cloak:binding", "t_tokey.secret", "cloak:dk-version", "1");
        assertEquals(
            newKey,
            kms.decrypt(
                    ConfiguredKms.principal(parsed),
                    Base64.getDecoder().decode(rs.getString(2)),
                    context)
                .keyId());
      }
    }
    // the application, once its config names the new key, still reads its values
    Map<Integer, String> values =
        decrypted("t_tokey", config("tokey-check", "t_tokey", "secret", false, newKey));
    assertEquals("secret-1", values.get(1));
  }

  /** A new master key that the config's principal administers (unlike the managed default). */
  private String createMasterKey() throws Exception {
    CloakConfig parsed = CloakConfig.load(config("keys", "unused", "unused", false));
    try (KeyManagementService kms = ConfiguredKms.open(parsed)) {
      return kms.createKey(
              ConfiguredKms.principal(parsed),
              io.cloak.kms.CreateKeyRequest.generated("column operations test"))
          .keyId();
    }
  }

  private Map<Integer, String> wrappedKeys(String binding) throws Exception {
    Map<Integer, String> out = new HashMap<>();
    try (Connection c = db.plain();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT version, wrapped_key FROM cloak_data_keys WHERE binding = ?")) {
      ps.setString(1, binding);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getInt(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  private static int unwrapVersion(
      KeyManagementService kms, Principal principal, String binding, int version, String wrapped) {
    EncryptionContext context =
        EncryptionContext.of(
            "cloak:binding", binding, "cloak:dk-version", Integer.toString(version));
    return kms.decrypt(principal, Base64.getDecoder().decode(wrapped), context).keyVersion();
  }

  @Test
  void encryptRefusesAColumnThatIsNotConfigured() throws Exception {
    createTable("t_unknown");
    Path config = config("unknown", "t_unknown", "secret", true);
    Run run = cli(new EncryptCommand(), config, "--table", "t_unknown", "--column", "id");
    assertEquals(1, run.code());
    assertTrue(run.err().startsWith("cloak: "), run.err());
    assertTrue(run.err().contains("not an encrypted column"), run.err());
    assertFalse(run.err().contains("\n\n"));
  }

  @Test
  void encryptAndReencryptABinaryDeterministicColumnKeepEqualitySearch() throws Exception {
    try (Connection c = db.plain();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t_bin (id INT PRIMARY KEY, data " + db.binaryType() + ")");
    }
    try (Connection c = db.plain();
        PreparedStatement ps = c.prepareStatement("INSERT INTO t_bin (id, data) VALUES (?, ?)")) {
      for (int i = 1; i <= 12; i++) {
        ps.setInt(1, i);
        ps.setBytes(2, new byte[] {1, 2, (byte) i});
        ps.executeUpdate();
      }
    }
    Path config = dir.resolve("bin.yaml");
    Files.writeString(
        config,
        Files.readString(config("bin-base", "t_bin", "data", true))
            .replace("column: data }", "column: data, mode: deterministic }"));
    Run encrypt =
        cli(new EncryptCommand(), config, "--table", "t_bin", "--column", "data", "--batch", "5");
    assertEquals(0, encrypt.code(), encrypt.out() + encrypt.err());
    Run refused =
        cli(new ReencryptCommand(), config, "--table", "t_bin", "--column", "data", "--rotate-key");
    assertNotEquals(0, refused.code(), refused.out() + refused.err());
    assertTrue(refused.err().contains("t_bin.data"), refused.err());
    assertTrue(refused.err().contains("--accept-equality-gap"), refused.err());
    try (Connection c = db.plain();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT data FROM t_bin")) {
      while (rs.next()) {
        assertEquals(1, StoredValues.version(rs.getBytes(1)));
      }
    }
    Run reencrypt =
        cli(
            new ReencryptCommand(),
            config,
            "--table",
            "t_bin",
            "--column",
            "data",
            "--rotate-key",
            "--accept-equality-gap");
    assertEquals(0, reencrypt.code(), reencrypt.out() + reencrypt.err());
    try (Connection c = db.plain();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT data FROM t_bin")) {
      while (rs.next()) {
        assertEquals(2, StoredValues.version(rs.getBytes(1)));
      }
    }
    Path strict = dir.resolve("bin-strict.yaml");
    Files.writeString(
        strict,
        Files.readString(config)
            .replace("allow-plaintext-reads: true", "allow-plaintext-reads: false"));
    try (Connection c = db.cloak(strict);
        PreparedStatement ps = c.prepareStatement("SELECT id, data FROM t_bin WHERE data = ?")) {
      ps.setBytes(1, new byte[] {1, 2, 7});
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(7, rs.getInt(1));
        assertTrue(java.util.Arrays.equals(new byte[] {1, 2, 7}, rs.getBytes(2)));
        assertFalse(rs.next());
      }
    }
  }
}
