package io.cloak.jdbc.internal;

import io.cloak.jdbc.internal.sql.EncryptedColumn;
import java.lang.reflect.Method;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The {@link PreparedStatement} the driver hands out: a plain class instead of a {@link
 * java.lang.reflect.Proxy}, so that the setters and {@code addBatch} of a batch loop are direct
 * calls rather than a reflective {@link Method#invoke} with boxed arguments per call.
 *
 * <p>Behaviour is that of {@link StatementHandler}, which it calls: a setter for a parameter bound
 * to an encrypted column goes to {@link StatementHandler#bindEncrypted}; methods that take SQL
 * text, return result sets of SQL text, or implement {@code unwrap}/{@code isWrapperFor} go through
 * {@link StatementHandler#invoke}; {@code executeQuery()} results are wrapped so encrypted columns
 * decrypt; everything else is passed to the real statement. Equality is identity, as for the proxy.
 * The delegating methods were generated from the {@code java.sql.PreparedStatement} of Java 17
 * (parameters are named {@code a0}, {@code a1}, ... in declaration order).
 */
@SuppressWarnings("deprecation")
final class CloakPreparedStatement implements PreparedStatement {
  private static final Method M0 = method("addBatch", String.class);
  private static final Method M1 = method("execute", String.class, int[].class);
  private static final Method M2 = method("execute", String.class, String[].class);
  private static final Method M3 = method("execute", String.class, int.class);
  private static final Method M4 = method("execute", String.class);
  private static final Method M5 = method("executeLargeUpdate", String.class, int[].class);
  private static final Method M6 = method("executeLargeUpdate", String.class, String[].class);
  private static final Method M7 = method("executeLargeUpdate", String.class, int.class);
  private static final Method M8 = method("executeLargeUpdate", String.class);
  private static final Method M9 = method("executeQuery", String.class);
  private static final Method M10 = method("executeUpdate", String.class, int[].class);
  private static final Method M11 = method("executeUpdate", String.class, String[].class);
  private static final Method M12 = method("executeUpdate", String.class, int.class);
  private static final Method M13 = method("executeUpdate", String.class);
  private static final Method M14 = method("getGeneratedKeys");
  private static final Method M15 = method("getResultSet");
  private static final Method M16 = method("isWrapperFor", Class.class);
  private static final Method M17 = method("unwrap", Class.class);

  private final PreparedStatement real;
  private final StatementHandler handler;

  CloakPreparedStatement(PreparedStatement real, StatementHandler handler) {
    this.real = real;
    this.handler = handler;
  }

  private static Method method(String name, Class<?>... parameterTypes) {
    try {
      return PreparedStatement.class.getMethod(name, parameterTypes);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public String toString() {
    return "CloakStatement[" + real + "]";
  }

  @Override
  public void addBatch() throws SQLException {
    real.addBatch();
  }

  @Override
  public void addBatch(String a0) throws SQLException {
    handler.call(this, M0, a0);
  }

  @Override
  public void cancel() throws SQLException {
    real.cancel();
  }

  @Override
  public void clearBatch() throws SQLException {
    real.clearBatch();
  }

  @Override
  public void clearParameters() throws SQLException {
    real.clearParameters();
  }

  @Override
  public void clearWarnings() throws SQLException {
    real.clearWarnings();
  }

  @Override
  public void close() throws SQLException {
    real.close();
  }

  @Override
  public void closeOnCompletion() throws SQLException {
    real.closeOnCompletion();
  }

  @Override
  public String enquoteIdentifier(String a0, boolean a1) throws SQLException {
    return real.enquoteIdentifier(a0, a1);
  }

  @Override
  public String enquoteLiteral(String a0) throws SQLException {
    return real.enquoteLiteral(a0);
  }

  @Override
  public String enquoteNCharLiteral(String a0) throws SQLException {
    return real.enquoteNCharLiteral(a0);
  }

  @Override
  public boolean execute() throws SQLException {
    return real.execute();
  }

  @Override
  public boolean execute(String a0, int[] a1) throws SQLException {
    return (Boolean) handler.call(this, M1, a0, a1);
  }

  @Override
  public boolean execute(String a0, String[] a1) throws SQLException {
    return (Boolean) handler.call(this, M2, a0, a1);
  }

  @Override
  public boolean execute(String a0, int a1) throws SQLException {
    return (Boolean) handler.call(this, M3, a0, a1);
  }

  @Override
  public boolean execute(String a0) throws SQLException {
    return (Boolean) handler.call(this, M4, a0);
  }

  @Override
  public int[] executeBatch() throws SQLException {
    return real.executeBatch();
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    return real.executeLargeBatch();
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return real.executeLargeUpdate();
  }

  @Override
  public long executeLargeUpdate(String a0, int[] a1) throws SQLException {
    return (Long) handler.call(this, M5, a0, a1);
  }

  @Override
  public long executeLargeUpdate(String a0, String[] a1) throws SQLException {
    return (Long) handler.call(this, M6, a0, a1);
  }

  @Override
  public long executeLargeUpdate(String a0, int a1) throws SQLException {
    return (Long) handler.call(this, M7, a0, a1);
  }

  @Override
  public long executeLargeUpdate(String a0) throws SQLException {
    return (Long) handler.call(this, M8, a0);
  }

  @Override
  public java.sql.ResultSet executeQuery() throws SQLException {
    return handler.wrapPreparedResult(real.executeQuery(), this);
  }

  @Override
  public java.sql.ResultSet executeQuery(String a0) throws SQLException {
    return (java.sql.ResultSet) handler.call(this, M9, a0);
  }

  @Override
  public int executeUpdate() throws SQLException {
    return real.executeUpdate();
  }

  @Override
  public int executeUpdate(String a0, int[] a1) throws SQLException {
    return (Integer) handler.call(this, M10, a0, a1);
  }

  @Override
  public int executeUpdate(String a0, String[] a1) throws SQLException {
    return (Integer) handler.call(this, M11, a0, a1);
  }

  @Override
  public int executeUpdate(String a0, int a1) throws SQLException {
    return (Integer) handler.call(this, M12, a0, a1);
  }

  @Override
  public int executeUpdate(String a0) throws SQLException {
    return (Integer) handler.call(this, M13, a0);
  }

  @Override
  public java.sql.Connection getConnection() throws SQLException {
    return handler.connection();
  }

  @Override
  public int getFetchDirection() throws SQLException {
    return real.getFetchDirection();
  }

  @Override
  public int getFetchSize() throws SQLException {
    return real.getFetchSize();
  }

  @Override
  public java.sql.ResultSet getGeneratedKeys() throws SQLException {
    return (java.sql.ResultSet) handler.call(this, M14);
  }

  @Override
  public long getLargeMaxRows() throws SQLException {
    return real.getLargeMaxRows();
  }

  @Override
  public long getLargeUpdateCount() throws SQLException {
    return real.getLargeUpdateCount();
  }

  @Override
  public int getMaxFieldSize() throws SQLException {
    return real.getMaxFieldSize();
  }

  @Override
  public int getMaxRows() throws SQLException {
    return real.getMaxRows();
  }

  @Override
  public java.sql.ResultSetMetaData getMetaData() throws SQLException {
    return real.getMetaData();
  }

  @Override
  public boolean getMoreResults() throws SQLException {
    return real.getMoreResults();
  }

  @Override
  public boolean getMoreResults(int a0) throws SQLException {
    return real.getMoreResults(a0);
  }

  @Override
  public java.sql.ParameterMetaData getParameterMetaData() throws SQLException {
    return real.getParameterMetaData();
  }

  @Override
  public int getQueryTimeout() throws SQLException {
    return real.getQueryTimeout();
  }

  @Override
  public java.sql.ResultSet getResultSet() throws SQLException {
    return (java.sql.ResultSet) handler.call(this, M15);
  }

  @Override
  public int getResultSetConcurrency() throws SQLException {
    return real.getResultSetConcurrency();
  }

  @Override
  public int getResultSetHoldability() throws SQLException {
    return real.getResultSetHoldability();
  }

  @Override
  public int getResultSetType() throws SQLException {
    return real.getResultSetType();
  }

  @Override
  public int getUpdateCount() throws SQLException {
    return real.getUpdateCount();
  }

  @Override
  public java.sql.SQLWarning getWarnings() throws SQLException {
    return real.getWarnings();
  }

  @Override
  public boolean isCloseOnCompletion() throws SQLException {
    return real.isCloseOnCompletion();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return real.isClosed();
  }

  @Override
  public boolean isPoolable() throws SQLException {
    return real.isPoolable();
  }

  @Override
  public boolean isSimpleIdentifier(String a0) throws SQLException {
    return real.isSimpleIdentifier(a0);
  }

  @Override
  public boolean isWrapperFor(Class<?> a0) throws SQLException {
    return (Boolean) handler.call(this, M16, a0);
  }

  @Override
  public void setArray(int a0, java.sql.Array a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setArray", a0, a1, target);
      return;
    }
    real.setArray(a0, a1);
  }

  @Override
  public void setAsciiStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setAsciiStream", a0, a1, target);
      return;
    }
    real.setAsciiStream(a0, a1, a2);
  }

  @Override
  public void setAsciiStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setAsciiStream", a0, a1, target);
      return;
    }
    real.setAsciiStream(a0, a1, a2);
  }

  @Override
  public void setAsciiStream(int a0, java.io.InputStream a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setAsciiStream", a0, a1, target);
      return;
    }
    real.setAsciiStream(a0, a1);
  }

  @Override
  public void setBigDecimal(int a0, java.math.BigDecimal a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setBigDecimal(a0, a1);
  }

  @Override
  public void setBinaryStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setBinaryStream", a0, a1, target);
      return;
    }
    real.setBinaryStream(a0, a1, a2);
  }

  @Override
  public void setBinaryStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setBinaryStream", a0, a1, target);
      return;
    }
    real.setBinaryStream(a0, a1, a2);
  }

  @Override
  public void setBinaryStream(int a0, java.io.InputStream a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setBinaryStream", a0, a1, target);
      return;
    }
    real.setBinaryStream(a0, a1);
  }

  @Override
  public void setBlob(int a0, java.io.InputStream a1, long a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setBlob", a0, a1, target);
      return;
    }
    real.setBlob(a0, a1, a2);
  }

  @Override
  public void setBlob(int a0, java.io.InputStream a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setBlob", a0, a1, target);
      return;
    }
    real.setBlob(a0, a1);
  }

  @Override
  public void setBlob(int a0, java.sql.Blob a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setBlob", a0, a1, target);
      return;
    }
    real.setBlob(a0, a1);
  }

  @Override
  public void setBoolean(int a0, boolean a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, Boolean.valueOf(a1), target);
      return;
    }
    real.setBoolean(a0, a1);
  }

  @Override
  public void setByte(int a0, byte a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, Byte.valueOf(a1), target);
      return;
    }
    real.setByte(a0, a1);
  }

  @Override
  public void setBytes(int a0, byte[] a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setBytes(a0, a1);
  }

  @Override
  public void setCharacterStream(int a0, java.io.Reader a1, int a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setCharacterStream", a0, a1, target);
      return;
    }
    real.setCharacterStream(a0, a1, a2);
  }

  @Override
  public void setCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setCharacterStream", a0, a1, target);
      return;
    }
    real.setCharacterStream(a0, a1, a2);
  }

  @Override
  public void setCharacterStream(int a0, java.io.Reader a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setCharacterStream", a0, a1, target);
      return;
    }
    real.setCharacterStream(a0, a1);
  }

  @Override
  public void setClob(int a0, java.io.Reader a1, long a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setClob", a0, a1, target);
      return;
    }
    real.setClob(a0, a1, a2);
  }

  @Override
  public void setClob(int a0, java.io.Reader a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setClob", a0, a1, target);
      return;
    }
    real.setClob(a0, a1);
  }

  @Override
  public void setClob(int a0, java.sql.Clob a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setClob", a0, a1, target);
      return;
    }
    real.setClob(a0, a1);
  }

  @Override
  public void setCursorName(String a0) throws SQLException {
    real.setCursorName(a0);
  }

  @Override
  public void setDate(int a0, java.sql.Date a1, java.util.Calendar a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setDate(a0, a1, a2);
  }

  @Override
  public void setDate(int a0, java.sql.Date a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setDate(a0, a1);
  }

  @Override
  public void setDouble(int a0, double a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, Double.valueOf(a1), target);
      return;
    }
    real.setDouble(a0, a1);
  }

  @Override
  public void setEscapeProcessing(boolean a0) throws SQLException {
    real.setEscapeProcessing(a0);
  }

  @Override
  public void setFetchDirection(int a0) throws SQLException {
    real.setFetchDirection(a0);
  }

  @Override
  public void setFetchSize(int a0) throws SQLException {
    real.setFetchSize(a0);
  }

  @Override
  public void setFloat(int a0, float a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, Float.valueOf(a1), target);
      return;
    }
    real.setFloat(a0, a1);
  }

  @Override
  public void setInt(int a0, int a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, Integer.valueOf(a1), target);
      return;
    }
    real.setInt(a0, a1);
  }

  @Override
  public void setLargeMaxRows(long a0) throws SQLException {
    real.setLargeMaxRows(a0);
  }

  @Override
  public void setLong(int a0, long a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, Long.valueOf(a1), target);
      return;
    }
    real.setLong(a0, a1);
  }

  @Override
  public void setMaxFieldSize(int a0) throws SQLException {
    real.setMaxFieldSize(a0);
  }

  @Override
  public void setMaxRows(int a0) throws SQLException {
    real.setMaxRows(a0);
  }

  @Override
  public void setNCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setNCharacterStream", a0, a1, target);
      return;
    }
    real.setNCharacterStream(a0, a1, a2);
  }

  @Override
  public void setNCharacterStream(int a0, java.io.Reader a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setNCharacterStream", a0, a1, target);
      return;
    }
    real.setNCharacterStream(a0, a1);
  }

  @Override
  public void setNClob(int a0, java.io.Reader a1, long a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setNClob", a0, a1, target);
      return;
    }
    real.setNClob(a0, a1, a2);
  }

  @Override
  public void setNClob(int a0, java.io.Reader a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setNClob", a0, a1, target);
      return;
    }
    real.setNClob(a0, a1);
  }

  @Override
  public void setNClob(int a0, java.sql.NClob a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setNClob", a0, a1, target);
      return;
    }
    real.setNClob(a0, a1);
  }

  @Override
  public void setNString(int a0, String a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setNString(a0, a1);
  }

  @Override
  public void setNull(int a0, int a1, String a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setNull", a0, Integer.valueOf(a1), target);
      return;
    }
    real.setNull(a0, a1, a2);
  }

  @Override
  public void setNull(int a0, int a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setNull", a0, Integer.valueOf(a1), target);
      return;
    }
    real.setNull(a0, a1);
  }

  @Override
  public void setObject(int a0, Object a1, int a2, int a3) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setObject(a0, a1, a2, a3);
  }

  @Override
  public void setObject(int a0, Object a1, int a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setObject(a0, a1, a2);
  }

  @Override
  public void setObject(int a0, Object a1, java.sql.SQLType a2, int a3) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setObject(a0, a1, a2, a3);
  }

  @Override
  public void setObject(int a0, Object a1, java.sql.SQLType a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setObject(a0, a1, a2);
  }

  @Override
  public void setObject(int a0, Object a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setObject(a0, a1);
  }

  @Override
  public void setPoolable(boolean a0) throws SQLException {
    real.setPoolable(a0);
  }

  @Override
  public void setQueryTimeout(int a0) throws SQLException {
    real.setQueryTimeout(a0);
  }

  @Override
  public void setRef(int a0, java.sql.Ref a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setRef", a0, a1, target);
      return;
    }
    real.setRef(a0, a1);
  }

  @Override
  public void setRowId(int a0, java.sql.RowId a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setRowId", a0, a1, target);
      return;
    }
    real.setRowId(a0, a1);
  }

  @Override
  public void setSQLXML(int a0, java.sql.SQLXML a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setSQLXML", a0, a1, target);
      return;
    }
    real.setSQLXML(a0, a1);
  }

  @Override
  public void setShort(int a0, short a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, Short.valueOf(a1), target);
      return;
    }
    real.setShort(a0, a1);
  }

  @Override
  public void setString(int a0, String a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setString(a0, a1);
  }

  @Override
  public void setTime(int a0, java.sql.Time a1, java.util.Calendar a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setTime(a0, a1, a2);
  }

  @Override
  public void setTime(int a0, java.sql.Time a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setTime(a0, a1);
  }

  @Override
  public void setTimestamp(int a0, java.sql.Timestamp a1, java.util.Calendar a2)
      throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setTimestamp(a0, a1, a2);
  }

  @Override
  public void setTimestamp(int a0, java.sql.Timestamp a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncryptedValue(a0, a1, target);
      return;
    }
    real.setTimestamp(a0, a1);
  }

  @Override
  public void setURL(int a0, java.net.URL a1) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setURL", a0, a1, target);
      return;
    }
    real.setURL(a0, a1);
  }

  @Override
  @Deprecated
  public void setUnicodeStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
    EncryptedColumn target = handler.encryptedParameter(a0);
    if (target != null) {
      handler.bindEncrypted("setUnicodeStream", a0, a1, target);
      return;
    }
    real.setUnicodeStream(a0, a1, a2);
  }

  @Override
  public <T> T unwrap(Class<T> a0) throws SQLException {
    return a0.cast(handler.call(this, M17, a0));
  }
}
