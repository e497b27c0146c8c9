package io.cloak.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
