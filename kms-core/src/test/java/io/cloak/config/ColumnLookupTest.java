package io.cloak.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ColumnLookupTest {
  static final CloakConfig CONFIG =
      CloakConfig.parse(
          """
          columns:
            - table: Customers
              column: SSN
              mode: deterministic
            - table: billing.invoices
              column: iban
            - table: invoices
              column: iban
              key: alias/any-schema
            - table: sales.orders
              column: card
          """,
          "cloak.yaml",
          Path.of("/tmp"));

  static Optional<Integer> line(String schema, String table, String column) {
    return CONFIG.column(schema, table, column).map(ColumnRule::line);
  }

  @Test
  void matchesTableAndColumnCaseInsensitively() {
    assertEquals(Optional.of(2), line(null, "customers", "ssn"));
    assertEquals(Optional.of(2), line(null, "CUSTOMERS", "Ssn"));
  }

  @Test
  void ruleWithoutSchemaMatchesAnySchema() {
    assertEquals(Optional.of(2), line("public", "customers", "ssn"));
    assertEquals(Optional.of(2), line(null, "crm.customers", "ssn"));
  }

  @Test
  void ruleWithSchemaMatchesOnlyThatSchema() {
    assertEquals(Optional.of(10), line("sales", "orders", "card"));
    assertEquals(Optional.of(10), line("SALES", "Orders", "CARD"));
    assertEquals(Optional.of(10), line(null, "Sales.Orders", "card"));
    assertEquals(Optional.empty(), line("public", "orders", "card"));
    assertEquals(Optional.empty(), line(null, "orders", "card"));
  }

  @Test
  void schemaInTheTableNameOverridesTheSchemaArgument() {
    assertEquals(Optional.of(10), line("public", "sales.orders", "card"));
  }

  @Test
  void ruleWithSchemaWinsOverRuleWithoutOne() {
    assertEquals(Optional.of(5), line("billing", "invoices", "iban"));
    assertEquals(Optional.of(7), line("other", "invoices", "iban"));
    assertEquals(Optional.of(7), line(null, "invoices", "iban"));
  }

  @Test
  void unknownOrNullNamesMatchNothing() {
    assertTrue(CONFIG.column(null, "customers", "name").isEmpty());
    assertTrue(CONFIG.column(null, "people", "ssn").isEmpty());
    assertTrue(CONFIG.column(null, null, "ssn").isEmpty());
    assertTrue(CONFIG.column(null, "customers", null).isEmpty());
  }

  @Test
  void returnedRuleKeepsTheConfigSpelling() {
    ColumnRule rule = CONFIG.column(null, "customers", "ssn").orElseThrow();

    assertEquals("Customers.SSN", rule.qualifiedName());
    assertEquals(EncryptionMode.DETERMINISTIC, rule.mode());
  }
}
