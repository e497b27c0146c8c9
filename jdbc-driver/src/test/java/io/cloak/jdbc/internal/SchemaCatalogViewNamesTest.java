package io.cloak.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.config.ColumnRule;
import io.cloak.config.EncryptionMode;
import io.cloak.jdbc.internal.sql.EncryptedColumn;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SchemaCatalogViewNamesTest {
  @Test
  void findsTableNamesAsWholeIdentifiersInEachDatabasesViewText() {
    assertTrue(SchemaCatalog.mentions(" SELECT customers.id FROM customers;", "customers"));
    assertTrue(
        SchemaCatalog.mentions(
            "select `db`.`customers`.`id` AS `id` from `db`.`customers`", "customers"));
    assertTrue(
        SchemaCatalog.mentions(
            "SELECT \"PUBLIC\".\"CUSTOMERS\".\"ID\" FROM \"PUBLIC\".\"CUSTOMERS\"", "customers"));
  }

  @Test
  void ignoresNamesThatAreOnlyPartOfAnotherIdentifier() {
    assertFalse(SchemaCatalog.mentions("SELECT id FROM preorders", "orders"));
    assertFalse(SchemaCatalog.mentions("SELECT id FROM orders_archive", "orders"));
    assertFalse(SchemaCatalog.mentions("SELECT id FROM $orders", "orders"));
    assertTrue(SchemaCatalog.mentions("SELECT id FROM archive.orders o", "orders"));
  }

  @Test
  void viewsCarryEncryptedColumnsByNameAndDropNamesTwoColumnsCouldFill() {
    ColumnRule customersNote =
        new ColumnRule(null, "customers", "note", EncryptionMode.RANDOMIZED, null, null, 0);
    ColumnRule customersEmail =
        new ColumnRule(null, "customers", "email", EncryptionMode.DETERMINISTIC, null, null, 0);
    ColumnRule ordersNote =
        new ColumnRule(null, "orders", "note", EncryptionMode.RANDOMIZED, null, null, 0);
    Map<String, List<ColumnRule>> tables =
        Map.of("customers", List.of(customersNote, customersEmail), "orders", List.of(ordersNote));
    Function<ColumnRule, EncryptedColumn> encrypted =
        r -> new EncryptedColumn(r.table(), r.column(), r.mode(), null);
    EncryptedColumn any = encrypted.apply(customersNote);
    Map<String, String> definitions =
        Map.of(
            "contacts", "SELECT id, email, note FROM customers",
            "both", "SELECT c.id, c.email, o.note FROM customers c JOIN orders o ON o.id = c.id",
            "contacts_again", "SELECT id, email FROM contacts");
    Map<String, Map<String, EncryptedColumn>> carried =
        SchemaCatalog.carriedColumns(
            definitions,
            tables,
            Map.of("contacts", any, "both", any, "contacts_again", any),
            encrypted);
    assertEquals(
        Map.of("email", encrypted.apply(customersEmail), "note", encrypted.apply(customersNote)),
        carried.get("contacts"));
    // "note" could be customers.note or orders.note: left out, so reading it fails closed
    assertEquals(Map.of("email", encrypted.apply(customersEmail)), carried.get("both"));
    assertEquals(Map.of("email", encrypted.apply(customersEmail)), carried.get("contacts_again"));
  }
}
