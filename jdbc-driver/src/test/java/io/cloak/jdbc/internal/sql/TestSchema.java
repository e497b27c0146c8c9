package io.cloak.jdbc.internal.sql;

import io.cloak.config.EncryptionMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * In-memory schema for the analyser tests.
 *
 * <ul>
 *   <li>customers(id, name, ssn DETERMINISTIC group ssn, email DETERMINISTIC group email, card
 *       RANDOMIZED, note RANDOMIZED)
 *   <li>orders(id, customer_id, customer_ssn DETERMINISTIC group ssn, total)
 *   <li>plain_table(a, b)
 *   <li>legacy: columns unknown, token RANDOMIZED
 * </ul>
 *
 * Tables live in schema {@code public}; a null schema matches too.
 */
final class TestSchema implements EncryptedSchema {
  private final Map<String, List<String>> tables = new LinkedHashMap<>();
  private final Map<String, EncryptedColumn> encrypted = new HashMap<>();

  TestSchema() {
    tables.put("customers", List.of("id", "name", "ssn", "email", "card", "note"));
    tables.put("orders", List.of("id", "customer_id", "customer_ssn", "total"));
    tables.put("plain_table", List.of("a", "b"));
    add("customers", "ssn", EncryptionMode.DETERMINISTIC, "ssn");
    add("customers", "email", EncryptionMode.DETERMINISTIC, "email");
    add("customers", "card", EncryptionMode.RANDOMIZED, null);
    add("customers", "note", EncryptionMode.RANDOMIZED, null);
    add("orders", "customer_ssn", EncryptionMode.DETERMINISTIC, "ssn");
    add("legacy", "token", EncryptionMode.RANDOMIZED, null);
  }

  private void add(String table, String column, EncryptionMode mode, String group) {
    encrypted.put(table + "." + column, new EncryptedColumn(table, column, mode, group));
  }

  private static boolean schemaMatches(String schema) {
    return schema == null || schema.equalsIgnoreCase("public");
  }

  @Override
  public EncryptedColumn encryptedColumn(String schema, String table, String column) {
    if (!schemaMatches(schema) || table == null || column == null) {
      return null;
    }
    return encrypted.get(lower(table) + "." + lower(column));
  }

  @Override
  public List<String> columns(String schema, String table) {
    if (!schemaMatches(schema) || table == null) {
      return List.of();
    }
    return tables.getOrDefault(lower(table), List.of());
  }

  @Override
  public Set<String> encryptedColumnNames() {
    Set<String> out = new HashSet<>();
    for (EncryptedColumn c : encrypted.values()) {
      out.add(lower(c.column()));
    }
    return out;
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
