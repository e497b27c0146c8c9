package io.cloak.jdbc.internal;

import io.cloak.jdbc.internal.codec.ColumnCipher;
import io.cloak.jdbc.internal.codec.ValueConversions;
import io.cloak.jdbc.internal.sql.EncryptedColumn;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The {@link ResultSet} proxy: getters on columns that come from encrypted columns decrypt and
 * return the original value; getters on other columns pass through, but a value that is Cloak
 * ciphertext in a column Cloak cannot attribute raises an error instead of leaking ciphertext.
 */
final class ResultSetHandler implements InvocationHandler {
  private static final Map<String, Class<?>> GETTERS =
      Map.ofEntries(
          Map.entry("getString", String.class),
          Map.entry("getNString", String.class),
          Map.entry("getInt", Integer.class),
          Map.entry("getLong", Long.class),
          Map.entry("getShort", Short.class),
          Map.entry("getByte", Byte.class),
          Map.entry("getBoolean", Boolean.class),
          Map.entry("getDouble", Double.class),
          Map.entry("getFloat", Float.class),
          Map.entry("getBigDecimal", BigDecimal.class),
          Map.entry("getBytes", byte[].class),
          Map.entry("getDate", java.sql.Date.class),
          Map.entry("getTime", java.sql.Time.class),
          Map.entry("getTimestamp", java.sql.Timestamp.class));

  private final ResultSet real;
  private final List<EncryptedColumn> columns;
  private final Statement statement;
  private final Connection realConnection;
  private final DatabaseContext db;
  private final ColumnBinding[] bindings;

  private ResultSetHandler(
      ResultSet real,
      List<EncryptedColumn> columns,
      Statement statement,
      Connection realConnection,
      DatabaseContext db) {
    this.real = real;
    this.columns = columns;
    this.statement = statement;
    this.realConnection = realConnection;
    this.db = db;
    this.bindings = new ColumnBinding[columns.size() + 1];
  }

  static ResultSet wrap(
      ResultSet real,
      List<EncryptedColumn> columns,
      Statement statement,
      Connection realConnection,
      DatabaseContext db) {
    return Delegation.proxy(
        ResultSet.class, new ResultSetHandler(real, columns, statement, realConnection, db));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object handled = Delegation.wrapperMethod(proxy, real, method, args);
    if (handled != Delegation.NOT_HANDLED) {
      return handled;
    }
    String name = method.getName();
    if (name.equals("getStatement")) {
      return statement;
    }
    if (name.equals("toString")) {
      return "CloakResultSet[" + real + "]";
    }
    if (args == null
        || args.length == 0
        || !(args[0] instanceof Integer || args[0] instanceof String)
        || !(name.startsWith("get") || name.startsWith("update"))) {
      return Delegation.call(real, method, args);
    }
    int index = args[0] instanceof Integer i ? i : real.findColumn((String) args[0]);
    ColumnBinding binding = binding(index);
    if (binding == null) {
      Object value = Delegation.call(real, method, args);
      refuseStrayCiphertext(value, index);
      return value;
    }
    if (name.startsWith("update")) {
      throw Errors.notSupported(
          "updatable result sets cannot write encrypted column "
              + binding.label()
              + "; use an UPDATE statement");
    }
    return decryptingGet(name, args, binding, index, method.getReturnType());
  }

  private Object decryptingGet(
      String name, Object[] args, ColumnBinding binding, int index, Class<?> returnType)
      throws SQLException {
    Object value = binding.read(real, index);
    switch (name) {
      case "getObject":
        if (args.length >= 2 && args[1] instanceof Class<?> type) {
          return value == null ? null : ValueConversions.convert(value, type, binding.label());
        }
        return value;
      case "getCharacterStream":
      case "getNCharacterStream":
        return value == null
            ? null
            : new StringReader(ValueConversions.convert(value, String.class, binding.label()));
      case "getBinaryStream":
        return value == null
            ? null
            : new ByteArrayInputStream(
                ValueConversions.convert(value, byte[].class, binding.label()));
      case "getAsciiStream":
        return value == null
            ? null
            : new ByteArrayInputStream(
                ValueConversions.convert(value, String.class, binding.label())
                    .getBytes(StandardCharsets.US_ASCII));
      default:
        break;
    }
    Class<?> target = GETTERS.get(name);
    if (target == null) {
      throw Errors.notSupported(
          name
              + " is not supported on encrypted column "
              + binding.label()
              + "; use getObject, getString, getBytes or another value getter");
    }
    if (value == null) {
      return defaultFor(returnType);
    }
    Object converted = ValueConversions.convert(value, target, binding.label());
    if (name.equals("getBigDecimal") && args.length == 2 && args[1] instanceof Integer scale) {
      return ((BigDecimal) converted).setScale(scale, RoundingMode.HALF_UP);
    }
    return converted;
  }

  private ColumnBinding binding(int index) throws SQLException {
    if (index < 1 || index >= bindings.length) {
      return null;
    }
    ColumnBinding b = bindings[index];
    if (b == null) {
      EncryptedColumn column = columns.get(index - 1);
      if (column == null) {
        return null;
      }
      b = db.binding(column, realConnection);
      bindings[index] = b;
    }
    return b;
  }

  private void refuseStrayCiphertext(Object value, int index) throws SQLException {
    boolean ciphertext =
        (value instanceof String s && ColumnCipher.isCiphertext(s))
            || (value instanceof byte[] b && ColumnCipher.isCiphertext(b));
    if (ciphertext) {
      throw Errors.notSupported(
          "result column "
              + index
              + " ("
              + real.getMetaData().getColumnLabel(index)
              + ") holds Cloak ciphertext, but Cloak cannot tell which encrypted column it comes"
              + " from; select the encrypted column directly (optionally with an alias)");
    }
  }

  private static Object defaultFor(Class<?> type) {
    if (!type.isPrimitive()) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == double.class) {
      return 0d;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == short.class) {
      return (short) 0;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    return 0;
  }
}
