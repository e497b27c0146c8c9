package io.cloak.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloakConfigTest {
  static final String FULL =
      """
      kms:
        type: local                  # local | remote
        keystore: ./cloak-keystore   # relative paths resolve against the config file's folder
        root-key-file: ./root.key
        principal: app:orders
      cache:
        max-age: 5m
        max-uses: 1000000
        max-bytes: 1000000000
      columns:
        - table: customers
          column: ssn
          mode: deterministic
          key: alias/pii
          join-group: person-id
        - table: public.orders
          column: customer_ssn
          mode: deterministic
          key: alias/pii
          join-group: person-id
        - table: customers
          column: notes
          key: 1234abcd-12ab-34cd-56ef-1234567890ab
        - table: customers
          column: card
          mode: randomized
          key: provided:acme
      databases:
        - "jdbc:postgresql://*"
      volumes:
        - path: /var/lib/app/uploads
          key: alias/files
        - path: exports
      allow-plaintext-reads: false
      """;

  @TempDir Path dir;

  @Test
  void fullExampleParsesEverySetting() {
    CloakConfig config = CloakConfig.parse(FULL, "cloak.yaml", dir);

    assertEquals("cloak.yaml", config.source());
    assertEquals(
        new KmsSettings(
            "local",
            dir.resolve("cloak-keystore"),
            dir.resolve("root.key"),
            "app:orders",
            null,
            null,
            2),
        config.kms());
    assertEquals(
        new CacheSettings(Duration.ofMinutes(5), 1_000_000L, 1_000_000_000L), config.cache());
    assertEquals(
        List.of(
            new ColumnRule(
                null,
                "customers",
                "ssn",
                EncryptionMode.DETERMINISTIC,
                "alias/pii",
                "person-id",
                11),
            new ColumnRule(
                "public",
                "orders",
                "customer_ssn",
                EncryptionMode.DETERMINISTIC,
                "alias/pii",
                "person-id",
                16),
            new ColumnRule(
                null,
                "customers",
                "notes",
                EncryptionMode.RANDOMIZED,
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                null,
                21),
            new ColumnRule(
                null, "customers", "card", EncryptionMode.RANDOMIZED, "provided:acme", null, 24)),
        config.columns());
    assertEquals(List.of("jdbc:postgresql://*"), config.databases());
    assertEquals(
        List.of(
            new VolumeRule(Path.of("/var/lib/app/uploads"), "alias/files", 31),
            new VolumeRule(dir.resolve("exports"), null, 33)),
        config.volumes());
    assertFalse(config.allowPlaintextReads());
  }

  @Test
  void emptyFileGivesDefaults() {
    CloakConfig config = CloakConfig.parse("", "cloak.yaml", dir);

    assertEquals(
        new KmsSettings("local", dir.resolve("cloak-keystore"), null, "app:cloak", null, null, 0),
        config.kms());
    assertEquals(CacheSettings.DEFAULTS, config.cache());
    assertEquals(
        new CacheSettings(Duration.ofMinutes(5), 1_000_000L, Long.MAX_VALUE), config.cache());
    assertEquals(List.of(), config.columns());
    assertEquals(List.of(), config.databases());
    assertEquals(List.of(), config.volumes());
    assertFalse(config.allowPlaintextReads());
  }

  @Test
  void commentsOnlyAndEmptySectionsGiveDefaults() {
    CloakConfig comments = CloakConfig.parse("# nothing yet\n\n", "cloak.yaml", dir);
    CloakConfig emptySections =
        CloakConfig.parse("kms:\ncache:\ncolumns:\nvolumes: []\n", "cloak.yaml", dir);

    assertEquals(CloakConfig.parse("", "cloak.yaml", dir), comments);
    assertEquals(dir.resolve("cloak-keystore"), emptySections.kms().keystore());
    assertEquals(CacheSettings.DEFAULTS, emptySections.cache());
    assertEquals(List.of(), emptySections.columns());
  }

  @Test
  void relativeKeystoreResolvesAgainstTheConfigFilesFolder() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("etc/cloak"));
    Path file = folder.resolve("cloak.yaml");
    Files.writeString(file, "kms:\n  keystore: ./keys/ks\n  root-key-file: ../root.key\n");

    CloakConfig config = CloakConfig.load(file);

    assertEquals(file.toString(), config.source());
    assertEquals(folder.resolve("keys/ks"), config.kms().keystore());
    assertEquals(dir.resolve("etc/root.key"), config.kms().rootKeyFile());
  }

  @Test
  void defaultKeystoreOfALoadedFileSitsBesideIt() throws Exception {
    Path file = Files.writeString(dir.resolve("cloak.yaml"), "");

    assertEquals(dir.resolve("cloak-keystore"), CloakConfig.load(file).kms().keystore());
  }

  @Test
  void absoluteKeystoreIsKept() {
    CloakConfig config = CloakConfig.parse("kms:\n  keystore: /srv/ks\n", "cloak.yaml", dir);

    assertEquals(Path.of("/srv/ks"), config.kms().keystore());
  }

  @Test
  void remoteKmsKeepsEndpointAndTrust() {
    CloakConfig config =
        CloakConfig.parse(
            "kms:\n  type: remote\n  endpoint: https://kms.internal:8443\n  trust: sha256:ab12\n",
            "cloak.yaml",
            dir);

    assertEquals(
        new KmsSettings(
            "remote", null, null, "app:cloak", "https://kms.internal:8443", "sha256:ab12", 2),
        config.kms());
  }

  @Test
  void durationsAcceptEveryUnit() {
    for (var c :
        List.of(
            List.of("500ms", Duration.ofMillis(500)),
            List.of("30s", Duration.ofSeconds(30)),
            List.of("5m", Duration.ofMinutes(5)),
            List.of("2h", Duration.ofHours(2)),
            List.of("1d", Duration.ofDays(1)))) {
      CloakConfig config =
          CloakConfig.parse("cache:\n  max-age: " + c.get(0) + "\n", "cloak.yaml", dir);
      assertEquals(c.get(1), config.cache().maxAge(), (String) c.get(0));
    }
  }

  @Test
  void loadingAMissingFileNamesIt() {
    Path missing = dir.resolve("nope.yaml");

    ConfigException e = assertThrows(ConfigException.class, () -> CloakConfig.load(missing));

    assertTrue(e.getMessage().startsWith(missing + ": config file does not exist"), e.getMessage());
    assertEquals(0, e.line());
    assertEquals(missing.toString(), e.source());
  }

  @Test
  void withAllowPlaintextReadsReturnsAChangedCopy() {
    CloakConfig config = CloakConfig.parse(FULL, "cloak.yaml", dir);

    CloakConfig allowing = config.withAllowPlaintextReads(true);

    assertTrue(allowing.allowPlaintextReads());
    assertFalse(config.allowPlaintextReads());
    assertEquals(config.columns(), allowing.columns());
    assertEquals(config, allowing.withAllowPlaintextReads(false));
    assertSame(config, config.withAllowPlaintextReads(false));
  }

  @Test
  void allowPlaintextReadsParsesTrue() {
    assertTrue(
        CloakConfig.parse("allow-plaintext-reads: true\n", "cloak.yaml", dir)
            .allowPlaintextReads());
  }

  @Test
  void databasesGlobsDecideWhereTheAgentApplies() {
    CloakConfig config = CloakConfig.parse(FULL, "cloak.yaml", dir);
    CloakConfig everywhere = CloakConfig.parse("", "cloak.yaml", dir);

    assertTrue(config.appliesToDatabase("jdbc:postgresql://db:5432/shop"));
    assertFalse(config.appliesToDatabase("jdbc:mysql://db/shop"));
    assertFalse(config.appliesToDatabase(null));
    assertTrue(everywhere.appliesToDatabase("jdbc:mysql://db/shop"));
  }

  @Test
  void databasesRegexAcceptsExactlyTheUrlsTheGlobsDo() {
    CloakConfig two =
        CloakConfig.parse(
            "databases:\n  - jdbc:postgresql://*/shop*\n  - jdbc:h2:mem:t?st.(a)*\n",
            "cloak.yaml",
            dir);
    String regex = two.databasesRegex();
    for (String url :
        List.of(
            "jdbc:postgresql://db:5432/shop",
            "jdbc:postgresql://db/shop?ssl=true",
            "jdbc:h2:mem:test.(a);DB_CLOSE_DELAY=-1",
            "jdbc:h2:mem:test.a",
            "jdbc:mysql://db/shop",
            "jdbc:postgresql://db/other\nshop")) {
      assertEquals(two.appliesToDatabase(url), url.matches(regex), url);
    }
    assertTrue("jdbc:postgresql://db/shop".matches(regex));
    assertEquals("", CloakConfig.parse("", "cloak.yaml", dir).databasesRegex());
  }

  @Test
  void globTreatsRegexCharactersLiterally() {
    CloakConfig config =
        CloakConfig.parse("databases:\n  - jdbc:h2:mem:t?st.(a)*\n", "cloak.yaml", dir);

    assertTrue(config.appliesToDatabase("jdbc:h2:mem:test.(a)-anything"));
    assertFalse(config.appliesToDatabase("jdbc:h2:mem:testX(a)"));
  }

  @Test
  void toStringShowsSourceAndRules() {
    String text = CloakConfig.parse(FULL, "cloak.yaml", dir).toString();

    assertTrue(text.startsWith("CloakConfig[source=cloak.yaml, kms=KmsSettings[type=local"), text);
    assertTrue(text.contains("column=ssn"), text);
  }

  @Test
  void qualifiedNameIncludesSchemaWhenPresent() {
    ColumnRule bare = new ColumnRule(null, "t", "c", EncryptionMode.RANDOMIZED, null, null, 0);
    ColumnRule qualified =
        new ColumnRule("s", "t", "c", EncryptionMode.DETERMINISTIC, null, "g", 0);

    assertEquals("t.c", bare.qualifiedName());
    assertEquals("s.t.c", qualified.qualifiedName());
    assertNull(bare.schema());
  }
}
