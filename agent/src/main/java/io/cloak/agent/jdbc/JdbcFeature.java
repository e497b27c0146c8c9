package io.cloak.agent.jdbc;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.cloak.agent.AgentFeature;
import io.cloak.config.CloakConfig;
import io.cloak.jdbc.internal.CloakRuntime;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.instrument.Instrumentation;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Wraps, with the Cloak JDBC driver's logic, every {@link Connection} returned by any {@code
 * java.sql.Driver.connect(String, Properties)} and any {@code javax.sql.DataSource.getConnection()}
 * / {@code getConnection(String, String)} implementation, when its database is covered by the
 * config's {@code databases} globs. The advice below is inlined into those classes; it calls {@link
 * JdbcHooks}, which the application's class loaders see because {@code -javaagent} puts the agent
 * jar on the system class path.
 */
public final class JdbcFeature implements AgentFeature {
  private static final String CLOAK_DRIVER = "io.cloak.jdbc.CloakDriver";
  private static final String CLOAK_DATA_SOURCE = "io.cloak.jdbc.CloakDataSource";

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public boolean enabled(CloakConfig config) {
    return !config.columns().isEmpty();
  }

  /**
   * What follows the class name in a refusal. A compile-time constant, so the advice that uses it
   * (inlined into classes that cannot see this one) carries the text itself.
   */
  static final String REFUSED =
      " is loaded by a class loader that does not see the Cloak agent, so Cloak cannot encrypt this"
          + " connection's columns; the connection is refused. Load it through the application"
          + " class path, or exclude this database from the config's databases";

  // the config's databases as one JDK regex ("" for all), for the refusals below; set by prepare
  private volatile String coveredDatabases = "";

  @Override
  public void prepare(CloakConfig config, Instrumentation inst) throws SQLException {
    coveredDatabases = config.databasesRegex();
    // opens the KMS and checks every key the columns name: a bad key stops the application now
    JdbcHooks.install(new JdbcSupport(config, CloakRuntime.forConfig(config)));
  }

  @Override
  public AgentBuilder install(AgentBuilder builder) {
    ElementMatcher.Junction<TypeDescription> notCloak = not(nameStartsWith("io.cloak."));
    ElementMatcher.Junction<MethodDescription> connect =
        named("connect")
            .and(takesArguments(String.class, Properties.class))
            .and(returns(named(Connection.class.getName())))
            .and(not(isAbstract()));
    ElementMatcher.Junction<MethodDescription> getConnection = getConnectionMethods();
    ElementMatcher.Junction<MethodDescription> physicalOpen =
        named("getXAConnection")
            .or(named("getPooledConnection"))
            .and(takesArguments(0).or(takesArguments(String.class, String.class)))
            .and(not(isAbstract()));
    return builder
        .type(not(isInterface()).and(notCloak).and(hasSuperType(named("java.sql.Driver"))))
        .transform(
            (b, type, loader, module, domain) ->
                HookVisibility.canInstrument(loader, type.getName())
                    ? b.visit(Advice.to(DriverConnect.class).on(connect))
                        .visit(ConnectionReturns.DRIVER_BRIDGES)
                    : b.visit(refusing(RefuseDriverConnect.class).on(connect))
                        .visit(
                            RefusingBridgeReturns.driverConnect(coveredDatabases, type.getName())))
        .type(not(isInterface()).and(notCloak).and(hasSuperType(named("javax.sql.DataSource"))))
        .transform(
            (b, type, loader, module, domain) ->
                HookVisibility.canInstrument(loader, type.getName())
                    ? b.visit(Advice.to(DataSourceGetConnection.class).on(getConnection))
                        .visit(ConnectionReturns.DATA_SOURCE_BRIDGES)
                    : refuseGetConnection(b, type))
        .type(
            not(isInterface())
                .and(notCloak)
                .and(
                    hasSuperType(named("javax.sql.XADataSource"))
                        .or(hasSuperType(named("javax.sql.ConnectionPoolDataSource")))))
        .transform(
            (b, type, loader, module, domain) ->
                HookVisibility.canInstrument(loader, type.getName())
                    ? b.visit(Advice.to(PhysicalOpen.class).on(physicalOpen))
                    : b)
        .type(
            not(isInterface()).and(notCloak).and(hasSuperType(named("javax.sql.PooledConnection"))))
        .transform(
            (b, type, loader, module, domain) ->
                HookVisibility.canInstrument(loader, type.getName())
                    ? b.visit(ConnectionReturns.POOLED)
                    : refuseGetConnection(b, type))
        .type(named(CLOAK_DRIVER).or(named(CLOAK_DATA_SOURCE)))
        .transform(
            (b, type, loader, module, domain) ->
                HookVisibility.canInstrument(loader, type.getName())
                    ? b.visit(Advice.to(CloakOwn.class).on(connect.or(getConnection)))
                    : b);
  }

  /** {@code getConnection()} and {@code getConnection(String, String)} returning a Connection. */
  private static ElementMatcher.Junction<MethodDescription> getConnectionMethods() {
    return named("getConnection")
        .and(takesArguments(0).or(takesArguments(String.class, String.class)))
        .and(returns(named(Connection.class.getName())))
        .and(not(isAbstract()));
  }

  /**
   * For a data source or pooled connection whose loader cannot see the agent: its {@code
   * getConnection} methods, bridges included, refuse connections to covered databases.
   */
  private DynamicType.Builder<?> refuseGetConnection(
      DynamicType.Builder<?> b, TypeDescription type) {
    return b.visit(refusing(RefuseDataSourceConnection.class).on(getConnectionMethods()))
        .visit(RefusingBridgeReturns.getConnection(coveredDatabases, type.getName()));
  }

  /** The refusal advice, with the covered databases bound. */
  private Advice refusing(Class<?> advice) {
    return Advice.withCustomMapping().bind(CoveredDatabases.class, coveredDatabases).to(advice);
  }

  /** Binds the config's databases as one regular expression ("" for all) into refusal advice. */
  @Retention(RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(ElementType.PARAMETER)
  @interface CoveredDatabases {}

  /**
   * Inlined into {@code Driver.connect} of a driver whose class loader cannot see the agent (see
   * {@link HookVisibility}): a connection to a covered database is closed and refused, since Cloak
   * cannot encrypt it. Uses only JDK classes.
   */
  static final class RefuseDriverConnect {
    private RefuseDriverConnect() {}

    @Advice.OnMethodExit
    static void exit(
        @Advice.This Object driver,
        @Advice.Argument(0) String url,
        @Advice.Return(readOnly = false) Connection connection,
        @CoveredDatabases String covered)
        throws SQLException {
      if (connection != null && (covered.isEmpty() || (url != null && url.matches(covered)))) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // refusing anyway
        }
        connection = null;
        throw new SQLException("cloak-agent: " + driver.getClass().getName() + REFUSED, "08001");
      }
    }
  }

  /**
   * Inlined into {@code DataSource.getConnection} of a data source whose class loader cannot see
   * the agent: as {@link RefuseDriverConnect}, with the database URL from its metadata.
   */
  static final class RefuseDataSourceConnection {
    private RefuseDataSourceConnection() {}

    @Advice.OnMethodExit
    static void exit(
        @Advice.This Object dataSource,
        @Advice.Return(readOnly = false) Connection connection,
        @CoveredDatabases String covered)
        throws SQLException {
      String url =
          connection == null || covered.isEmpty() ? null : connection.getMetaData().getURL();
      if (connection != null && (covered.isEmpty() || (url != null && url.matches(covered)))) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // refusing anyway
        }
        connection = null;
        throw new SQLException(
            "cloak-agent: " + dataSource.getClass().getName() + REFUSED, "08001");
      }
    }
  }

  /** Inlined into {@code Driver.connect(String, Properties)} implementations. */
  static final class DriverConnect {
    private DriverConnect() {}

    @Advice.OnMethodEnter
    static int[] enter() {
      return JdbcHooks.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(
        @Advice.Enter int[] state,
        @Advice.This Object driver,
        @Advice.Argument(0) String url,
        @Advice.Argument(1) Properties info,
        @Advice.Return(readOnly = false) Connection connection,
        @Advice.Thrown Throwable thrown)
        throws SQLException {
      connection = JdbcHooks.afterDriverConnect(state, driver, url, info, connection, thrown);
    }
  }

  /** Inlined into {@code DataSource.getConnection()} and {@code getConnection(user, password)}. */
  static final class DataSourceGetConnection {
    private DataSourceGetConnection() {}

    @Advice.OnMethodEnter
    static int[] enter() {
      return JdbcHooks.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(
        @Advice.Enter int[] state,
        @Advice.This Object dataSource,
        @Advice.AllArguments Object[] args,
        @Advice.Return(readOnly = false) Connection connection,
        @Advice.Thrown Throwable thrown)
        throws SQLException {
      connection = JdbcHooks.afterDataSourceConnection(state, dataSource, args, connection, thrown);
    }
  }

  /**
   * Inlined into {@code XADataSource.getXAConnection} and {@code
   * ConnectionPoolDataSource.getPooledConnection}: the physical connection they open stays the
   * driver's own; the data source is remembered for the pooled connection they return.
   */
  static final class PhysicalOpen {
    private PhysicalOpen() {}

    @Advice.OnMethodEnter
    static int[] enter() {
      return JdbcHooks.enterPhysical();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(
        @Advice.Enter int[] state,
        @Advice.This Object source,
        @Advice.AllArguments Object[] args,
        @Advice.Return Object pooled) {
      JdbcHooks.afterPhysical(state, source, args, pooled);
    }
  }

  /**
   * Inlined into Cloak's own {@code CloakDriver} and {@code CloakDataSource}: they wrap their
   * connections themselves, so the real driver or data source they call must not be hooked.
   */
  static final class CloakOwn {
    private CloakOwn() {}

    @Advice.OnMethodEnter
    static int[] enter() {
      return JdbcHooks.enterCloakOwn();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(@Advice.Enter int[] state, @Advice.Return Connection connection) {
      JdbcHooks.exitCloakOwn(state, connection);
    }
  }
}
