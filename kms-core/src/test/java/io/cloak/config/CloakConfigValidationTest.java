package io.cloak.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every rule the parser enforces, each reported as {@code file:line: what; what to do}. */
class CloakConfigValidationTest {
  static final String SOURCE = "/etc/cloak/cloak.yaml";

  /**
   * Parses {@code yaml}, expects a failure on {@code line}, and returns the text after the prefix.
   */
  static String error(int line, String yaml) {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> CloakConfig.parse(yaml, SOURCE, Path.of("/etc/cloak")));
    String prefix = SOURCE + ":" + line + ": ";
    assertTrue(e.getMessage().startsWith(prefix), "expected prefix " + prefix + " in " + e);
    assertEquals(line, e.line());
    assertEquals(SOURCE, e.source());
    return e.getMessage().substring(prefix.length());
  }

  static void assertContains(String expected, String actual) {
    assertTrue(actual.contains(expected), "expected <" + expected + "> in <" + actual + ">");
  }

  // ---------------------------------------------------------------- YAML syntax and structure

  @Test
  void malformedYamlNamesTheProblemLine() {
    String message =
        error(
            3,
            """
            columns:
              - table: customers
                column: ssn: extra
            """);

    assertContains("invalid YAML: mapping values are not allowed here", message);
    assertContains("check the indentation", message);
  }

  @Test
  void unclosedQuoteReportsWhereTheScannerStoppedAndWhereTheQuoteStarted() {
    String message =
        error(
            3,
            """
            columns:
              - table: "customers
            """);

    assertEquals(
        "invalid YAML: found unexpected end of stream (while scanning a quoted scalar started on"
            + " line 2); check the indentation, colons and quoting here",
        message);
  }

  @Test
  void unknownTopLevelKeyListsAllowedKeysAndSuggestsTheClosest() {
    String message =
        error(
            2,
            """
            kms:
            colums:
              - table: customers
                column: ssn
            """);

    assertEquals(
        "unknown top-level key 'colums' (did you mean 'columns'?); allowed keys: kms, cache,"
            + " columns, databases, volumes, allow-plaintext-reads",
        message);
  }

  @Test
  void misspeltColumnKeyIsCaught() {
    String message =
        error(
            4,
            """
            columns:
              - table: customers
                column: ssn
                mdoe: deterministic
            """);

    assertEquals(
        "unknown key 'mdoe' in a columns entry (did you mean 'mode'?); allowed keys: table,"
            + " column, mode, key, join-group",
        message);
  }

  @Test
  void unknownKmsAndCacheKeysAreCaught() {
    assertContains(
        "unknown key 'keystroe' in the kms section (did you mean 'keystore'?)",
        error(3, "kms:\n  type: local\n  keystroe: ./ks\n"));
    assertContains(
        "unknown key 'ttl' in the cache section; allowed keys: max-age, max-uses, max-bytes",
        error(2, "cache:\n  ttl: 5m\n"));
    assertEquals(
        "unknown key 'folder' in a volumes entry; allowed keys: path, key",
        error(2, "volumes:\n  - folder: /data\n"));
  }

  @Test
  void duplicateYamlKeyIsReported() {
    assertEquals(
        "duplicate key 'column' in a columns entry (first at line 3); keep one",
        error(4, "columns:\n  - table: t\n    column: a\n    column: b\n"));
  }

  @Test
  void listWhereAMapIsExpectedIsAWrongType() {
    assertEquals(
        "the kms section must be a map of keys (type, keystore, root-key-file, principal,"
            + " endpoint, trust), found a list",
        error(2, "kms:\n  - type: local\n"));
  }

  @Test
  void mapWhereAListIsExpectedIsAWrongType() {
    assertContains(
        "'columns' must be a list of column rules, each starting with '- table:', found a map",
        error(2, "columns:\n  table: customers\n  column: ssn\n"));
  }

  @Test
  void columnEntryThatIsNotAMapIsAWrongType() {
    assertContains(
        "a columns entry must be a map of keys (table, column, mode, key, join-group), found the"
            + " value 'customers.ssn'",
        error(2, "columns:\n  - customers.ssn\n"));
  }

  @Test
  void mapWhereAValueIsExpectedIsAWrongTypeOnTheLineTheMapStarts() {
    assertEquals(
        "mode must be a single value, found a map",
        error(5, "columns:\n  - table: t\n    column: c\n    mode:\n      kind: deterministic\n"));
  }

  @Test
  void documentThatIsNotAMapIsAWrongType() {
    assertContains("the config must be a map of keys", error(1, "- kms\n- cache\n"));
  }

  // ---------------------------------------------------------------- columns

  @Test
  void columnRuleWithoutTableNamesTheRuleLine() {
    assertEquals(
        "column rule has no 'table'; name the table, e.g. table: customers",
        error(4, "columns:\n  - table: a\n    column: b\n  - column: ssn\n    mode: randomized\n"));
  }

  @Test
  void columnRuleWithoutColumnNamesTheRuleLine() {
    assertEquals(
        "column rule for table public.customers has no 'column'; name it, e.g. column: ssn",
        error(2, "columns:\n  - table: public.customers\n    mode: deterministic\n"));
  }

  @Test
  void tableWithTooManyDotsIsRejected() {
    assertContains(
        "invalid table 'db.public.customers'; write a table name or schema.table",
        error(2, "columns:\n  - table: db.public.customers\n    column: ssn\n"));
  }

  @Test
  void unknownModeListsAllowedValues() {
    assertEquals(
        "unknown mode 'determinstic' for customers.ssn; allowed values: deterministic, randomized",
        error(4, "columns:\n  - table: customers\n    column: ssn\n    mode: determinstic\n"));
  }

  @Test
  void modeIsCaseInsensitive() {
    CloakConfig config =
        CloakConfig.parse(
            "columns:\n  - table: t\n    column: c\n    mode: DETERMINISTIC\n", SOURCE, null);

    assertEquals(EncryptionMode.DETERMINISTIC, config.columns().get(0).mode());
  }

  @Test
  void joinGroupOnARandomizedColumnIsRejected() {
    assertEquals(
        "join-group 'person-id' on customers.ssn needs mode: deterministic (randomized columns"
            + " cannot be joined or compared); set mode: deterministic or remove join-group",
        error(
            5,
            """
            columns:
              - table: customers
                column: ssn
                mode: randomized
                join-group: person-id
            """));
  }

  @Test
  void joinGroupOnAColumnWithDefaultModeIsRejected() {
    assertContains(
        "needs mode: deterministic",
        error(4, "columns:\n  - table: customers\n    column: ssn\n    join-group: person-id\n"));
  }

  @Test
  void joinGroupMixingKeysIsRejected() {
    assertEquals(
        "join-group 'person-id' mixes keys: orders.ssn uses the managed default key but"
            + " customers.ssn (line 2) uses alias/pii; columns in one join-group share a data key,"
            + " so give them the same key",
        error(
            7,
            """
            columns:
              - table: customers
                column: ssn
                mode: deterministic
                key: alias/pii
                join-group: person-id
              - table: orders
                column: ssn
                mode: deterministic
                join-group: person-id
            """));
  }

  @Test
  void duplicateColumnRuleIsRejectedCaseInsensitively() {
    assertEquals(
        "duplicate rule for column Customers.SSN (first at line 2); keep one rule per column",
        error(
            5,
            """
            columns:
              - table: customers
                column: ssn
                mode: deterministic
              - table: Customers
                column: SSN
            """));
  }

  @Test
  void sameColumnWithAndWithoutSchemaIsNotADuplicate() {
    CloakConfig config =
        CloakConfig.parse(
            "columns:\n  - table: customers\n    column: ssn\n"
                + "  - table: public.customers\n    column: ssn\n",
            SOURCE,
            null);

    assertEquals(2, config.columns().size());
  }

  @Test
  void keyThatIsNeitherAliasProvidedNorKeyIdIsRejected() {
    assertEquals(
        "invalid key 'pii' for customers.ssn; use alias/NAME, provided:NAME or a key id (UUID),"
            + " or omit key for the managed default key",
        error(4, "columns:\n  - table: customers\n    column: ssn\n    key: pii\n"));
    assertContains(
        "invalid key 'alias/'",
        error(4, "columns:\n  - table: t\n    column: c\n    key: alias/\n"));
    assertContains(
        "invalid key 'provided:'",
        error(4, "columns:\n  - table: t\n    column: c\n    key: 'provided:'\n"));
    assertContains(
        "invalid key '1234-5678'",
        error(4, "columns:\n  - table: t\n    column: c\n    key: 1234-5678\n"));
  }

  @Test
  void volumeKeyIsValidatedToo() {
    assertContains(
        "invalid key 'files' for volume /data",
        error(3, "volumes:\n  - path: /data\n    key: files\n"));
  }

  @Test
  void volumeWithoutPathIsRejected() {
    assertContains("volume rule has no 'path'", error(2, "volumes:\n  - key: alias/files\n"));
  }

  @Test
  void duplicateVolumeIsRejected() {
    assertEquals(
        "duplicate rule for volume /data (first at line 2); keep one rule per folder",
        error(3, "volumes:\n  - path: /data\n  - path: /data/.\n"));
  }

  @Test
  void databasesMustBeAListOfGlobs() {
    assertContains(
        "'databases' must be a list of JDBC URL globs",
        error(1, "databases: jdbc:postgresql://*\n"));
  }

  // ---------------------------------------------------------------- cache

  @Test
  void invalidDurationSaysWhichUnitsWork() {
    assertEquals(
        "invalid duration '5 minutes' for cache.max-age; write a whole number with a unit: 500ms,"
            + " 30s, 5m, 2h or 1d",
        error(3, "cache:\n  max-uses: 10\n  max-age: 5 minutes\n"));
    assertContains("invalid duration '300'", error(2, "cache:\n  max-age: 300\n"));
    assertContains("invalid duration '-5m'", error(2, "cache:\n  max-age: -5m\n"));
  }

  @Test
  void zeroDurationIsRejected() {
    assertEquals("cache.max-age must be positive, got 0s", error(2, "cache:\n  max-age: 0s\n"));
  }

  @Test
  void nonPositiveCacheLimitsAreRejected() {
    assertEquals("cache.max-uses must be positive, got 0", error(2, "cache:\n  max-uses: 0\n"));
    assertEquals(
        "cache.max-bytes must be positive, got -1",
        error(3, "cache:\n  max-uses: 5\n  max-bytes: -1\n"));
  }

  @Test
  void cacheLimitMustBeAWholeNumber() {
    assertEquals(
        "cache.max-uses must be a whole number, got 'lots'",
        error(2, "cache:\n  max-uses: lots\n"));
    assertEquals(
        "cache.max-bytes is too large: 99999999999999999999",
        error(2, "cache:\n  max-bytes: 99999999999999999999\n"));
  }

  @Test
  void cacheLimitsAcceptUnderscores() {
    assertEquals(
        1_000_000L,
        CloakConfig.parse("cache:\n  max-uses: 1_000_000\n", SOURCE, null).cache().maxUses());
  }

  // ---------------------------------------------------------------- kms and flags

  @Test
  void unknownKmsTypeListsAllowedValues() {
    assertEquals(
        "unknown kms type 'aws'; allowed values: local, remote",
        error(3, "kms:\n  principal: app:x\n  type: aws\n"));
  }

  @Test
  void remoteSettingsOnALocalKmsAreRejected() {
    assertEquals(
        "kms.endpoint applies only to type: remote; remove it or set type: remote",
        error(2, "kms:\n  endpoint: https://kms:8443\n"));
  }

  @Test
  void localSettingsOnARemoteKmsAreRejected() {
    assertEquals(
        "kms.keystore applies only to type: local; remove it or set type: local",
        error(3, "kms:\n  type: remote\n  keystore: ./ks\n  endpoint: https://kms:8443\n"));
  }

  @Test
  void remoteKmsNeedsAnHttpsEndpoint() {
    assertContains("kms type remote needs an endpoint", error(2, "kms:\n  type: remote\n"));
    assertEquals(
        "kms.endpoint 'http://kms:8080' is not an https URL; write it as https://host:port",
        error(3, "kms:\n  type: remote\n  endpoint: http://kms:8080\n"));
  }

  @Test
  void blankPrincipalIsRejected() {
    assertContains(
        "kms.principal must be 1-256 non-blank characters", error(2, "kms:\n  principal: ' '\n"));
  }

  @Test
  void allowPlaintextReadsMustBeABoolean() {
    assertEquals(
        "allow-plaintext-reads must be true or false, got 'sometimes'",
        error(2, "kms:\nallow-plaintext-reads: sometimes\n"));
  }

  @Test
  void sourceWithoutALineHasOnlyTheSourcePrefix() {
    ConfigException e = new ConfigException("cloak.yaml", 0, "broken");

    assertEquals("cloak.yaml: broken", e.getMessage());
    assertEquals(0, e.line());
  }
}
