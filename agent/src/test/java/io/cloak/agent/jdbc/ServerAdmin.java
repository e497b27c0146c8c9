package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;

/**
 * Administrative SQL on a database server for the agent's integration tests. When the server is
 * unreachable the calling test is skipped with a loud message, or fails under {@code
 * CLOAK_IT_REQUIRED=1}.
 */
final class ServerAdmin {
  private ServerAdmin() {}

  /** Runs {@code sql} on {@code url} as {@code user} (empty password). */
  static void execute(String engine, String url, String user, String sql) {

    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(url, user, "");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      String message =
          "\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
              + "!!! Cloak agent integration test: cannot reach "
              + engine
              + " at "
              + url
              + "\n!!! "
              + e.getMessage()
              + "\n!!! This test is SKIPPED. Set CLOAK_IT_REQUIRED=1 to make this a failure."
              + "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n";
      if ("1".equals(System.getenv("CLOAK_IT_REQUIRED"))) {
        fail(engine + " required (CLOAK_IT_REQUIRED=1) but unreachable: " + e);
      }
      System.err.println(message);
      Assumptions.abort(message);
    }
  }
}
