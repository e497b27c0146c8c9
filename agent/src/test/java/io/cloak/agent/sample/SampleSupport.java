package io.cloak.agent.sample;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Printing helpers of the sample applications; no Cloak types at compile time. */
final class SampleSupport {
  private SampleSupport() {}

  /** Whether {@code c} is a Cloak connection, found by name as an application would. */
  static String isCloak(Connection c) throws SQLException {
    try {
      Class<?> cloak = Class.forName("io.cloak.jdbc.CloakConnection");
      return Boolean.toString(c.isWrapperFor(cloak));
    } catch (ClassNotFoundException e) {
      return "absent";
    }
  }

  /** Prints {@code PREFIX=id|email|note} for each row of {@code customers}. */
  static void printRows(Connection c, String prefix) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, email, note FROM customers ORDER BY id")) {
      while (rs.next()) {
        System.out.println(
            prefix + "=" + rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
      }
    }
  }
}
