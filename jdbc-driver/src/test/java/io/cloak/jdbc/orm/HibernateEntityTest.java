package io.cloak.jdbc.orm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HibernateEntityTest {
  @TempDir Path dir;

  /** A JPA entity that knows nothing of Cloak; its encrypted fields are stored as text. */
  @Entity
  @Table(name = "patients")
  public static class Patient {
    @Id Long id;

    String name;

    @Column(columnDefinition = "varchar(500)")
    String ssn;

    @Column(columnDefinition = "varchar(500)")
    BigDecimal balance;

    @Column(columnDefinition = "varchar(500)")
    LocalDate born;

    public Patient() {}

    Patient(long id, String name, String ssn, BigDecimal balance, LocalDate born) {
      this.id = id;
      this.name = name;
      this.ssn = ssn;
      this.balance = balance;
      this.born = born;
    }
  }

  @Test
  void entityFieldsAreEncryptedAndQueryableThroughHibernate() throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    Path config = dir.resolve("cloak.yaml");
    Files.writeString(
        config,
        "kms: {type: local, keystore: ./ks, root-key-file: ./root.key}\n"
            + "columns:\n"
            + "  - {table: patients, column: ssn, mode: deterministic}\n"
            + "  - {table: patients, column: balance}\n"
            + "  - {table: patients, column: born}\n");
    String h2 = "h2:mem:hibernate;DB_CLOSE_DELAY=-1";
    Configuration cfg =
        new Configuration()
            .addAnnotatedClass(Patient.class)
            .setProperty("hibernate.connection.driver_class", "io.cloak.jdbc.CloakDriver")
            .setProperty("hibernate.connection.url", "jdbc:cloak:" + h2)
            .setProperty("hibernate.connection.cloak.config", config.toString())
            .setProperty("hibernate.hbm2ddl.auto", "create-drop");
    try (SessionFactory sf = cfg.buildSessionFactory()) {
      sf.inTransaction(
          s -> {
            s.persist(
                new Patient(
                    1, "Ann", "078-05-1120", new BigDecimal("10.50"), LocalDate.of(1980, 2, 29)));
            s.persist(
                new Patient(
                    2, "Bob", "219-09-9999", new BigDecimal("0.01"), LocalDate.of(1990, 1, 1)));
          });
      try (Session s = sf.openSession()) {
        List<Patient> found =
            s.createSelectionQuery(
                    "from HibernateEntityTest$Patient p where p.ssn = :ssn", Patient.class)
                .setParameter("ssn", "078-05-1120")
                .getResultList();
        assertEquals(1, found.size());
        Patient ann = found.get(0);
        assertEquals("Ann", ann.name);
        assertEquals(new BigDecimal("10.50"), ann.balance);
        assertEquals(LocalDate.of(1980, 2, 29), ann.born);
        Patient bob = s.get(Patient.class, 2L);
        assertEquals("219-09-9999", bob.ssn);
      }
      try (Connection plain = DriverManager.getConnection("jdbc:" + h2);
          Statement st = plain.createStatement();
          ResultSet rs = st.executeQuery("SELECT ssn, balance, born FROM patients")) {
        int rows = 0;
        while (rs.next()) {
          rows++;
          for (int i = 1; i <= 3; i++) {
            assertTrue(rs.getString(i).startsWith("$ck1$"), rs.getString(i));
            assertFalse(rs.getString(i).contains("078-05-1120"));
          }
        }
        assertEquals(2, rows);
      }
    }
  }
}
