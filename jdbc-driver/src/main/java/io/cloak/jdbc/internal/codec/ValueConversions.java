package io.cloak.jdbc.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * Converts decrypted column values (as returned by {@link ValueCodec#decode}) to the type a {@code
 * ResultSet} getter asks for.
 *
 * <p>Supported conversions, by target:
 *
 * <ul>
 *   <li>{@code String}: {@link String#valueOf} of any value except {@code byte[]}.
 *   <li>{@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code BigInteger}: from any
 *       integral type, from {@code BigDecimal}, {@code Double} or {@code Float} whose value is an
 *       exact integer, from {@code Boolean} (1 or 0) and from a {@code String} holding a number
 *       with an exact integer value. Out of range or fractional values are errors, never truncated.
 *   <li>{@code Double}, {@code Float}: from any number (rounded to nearest), {@code Boolean} and
 *       numeric {@code String}; a finite value too large for {@code Float} is an error.
 *   <li>{@code BigDecimal}: from any finite number, {@code Boolean} and numeric {@code String}.
 *   <li>{@code Boolean}: from {@code Boolean}, numbers equal to 0 or 1, and the strings {@code
 *       true/false, t/f, yes/no, y/n, on/off, 1/0} (case-insensitive).
 *   <li>{@code byte[]}: from {@code byte[]} only (the array is returned as is, not copied).
 *   <li>{@code java.sql.Date}: from {@code LocalDate}, {@code Date}, {@code Timestamp}, {@code
 *       LocalDateTime} (date part); from {@code Instant} and {@code OffsetDateTime} in the JVM
 *       default time zone.
 *   <li>{@code java.sql.Time}: from {@code LocalTime}, {@code Time}, {@code Timestamp}, {@code
 *       LocalDateTime} (time part); from {@code Instant} and {@code OffsetDateTime} in the JVM
 *       default time zone.
 *   <li>{@code java.sql.Timestamp}: from {@code LocalDateTime}, {@code Timestamp}, {@code Instant},
 *       {@code OffsetDateTime} (same instant), {@code LocalDate} and {@code Date} (at midnight).
 *   <li>{@code LocalDate}: from {@code LocalDate}, {@code Date}, {@code Timestamp}, {@code
 *       LocalDateTime}.
 *   <li>{@code LocalTime}: from {@code LocalTime}, {@code Time}, {@code Timestamp}, {@code
 *       LocalDateTime}.
 *   <li>{@code LocalDateTime}: from {@code LocalDateTime}, {@code Timestamp}, {@code LocalDate},
 *       {@code Date} (at midnight).
 *   <li>{@code OffsetDateTime}: from {@code OffsetDateTime} and {@code Instant} (at UTC).
 *   <li>{@code Instant}: from {@code Instant}, {@code OffsetDateTime}, {@code Timestamp}.
 *   <li>{@code UUID}: from {@code UUID} and {@code String}.
 *   <li>Any target the value is already an instance of (for example {@code Object}).
 * </ul>
 *
 * <p>Primitive targets such as {@code int.class} are treated as their wrapper types.
 *
 * <p>Thread-safety: stateless and thread-safe.
 *
 * <p>Exceptions: failures are {@link SQLException}s whose message names the column label, the
 * value's Java type and the target type, but never the value. SQLStates: {@value
 * #SQLSTATE_UNSUPPORTED} when the conversion is not supported, {@value #SQLSTATE_OUT_OF_RANGE} when
 * the value is out of range or not exactly representable, {@value #SQLSTATE_BAD_STRING} when a
 * string cannot be parsed as the target type.
 */
public final class ValueConversions {

  /** SQLState "restricted data type attribute violation": the conversion is not supported. */
  public static final String SQLSTATE_UNSUPPORTED = "07006";

  /** SQLState "numeric value out of range": the value does not fit the target exactly. */
  public static final String SQLSTATE_OUT_OF_RANGE = "22003";

  /** SQLState "invalid character value for cast": a string is not a valid target value. */
  public static final String SQLSTATE_BAD_STRING = "22018";

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final double TWO_POW_63 = 0x1p63;

  private ValueConversions() {}

  /**
   * Converts {@code value} to {@code target}.
   *
   * @param value a decoded column value, or {@code null}
   * @param target the requested type; primitive classes mean their wrappers
   * @param columnLabel the column label, used in error messages only
   * @return the converted value, or {@code null} if {@code value} is {@code null}
   * @throws SQLException if the conversion is not supported or the value does not fit
   * @throws NullPointerException if {@code target} is {@code null}
   */
  public static <T> T convert(Object value, Class<T> target, String columnLabel)
      throws SQLException {
    Objects.requireNonNull(target, "target");
    if (value == null) {
      return null;
    }
    Class<?> wanted = wrap(target);
    Object result = convertNonNull(value, wanted, columnLabel);
    @SuppressWarnings("unchecked") // wanted is target or its wrapper, which T stands for
    T cast = (T) result;
    return cast;
  }

  private static Object convertNonNull(Object value, Class<?> target, String column)
      throws SQLException {
    if (target == String.class) {
      if (value instanceof byte[]) {
        throw unsupported(value, target, column);
      }
      return String.valueOf(value);
    }
    if (target.isInstance(value)) {
      return value;
    }
    if (target == Integer.class) {
      return (int) toLong(value, target, column, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    if (target == Long.class) {
      return toLong(value, target, column, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    if (target == Short.class) {
      return (short) toLong(value, target, column, Short.MIN_VALUE, Short.MAX_VALUE);
    }
    if (target == Byte.class) {
      return (byte) toLong(value, target, column, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }
    if (target == BigInteger.class) {
      return toBigInteger(value, target, column);
    }
    if (target == Double.class) {
      return toDouble(value, target, column);
    }
    if (target == Float.class) {
      return toFloat(value, target, column);
    }
    if (target == BigDecimal.class) {
      return toBigDecimal(value, target, column);
    }
    if (target == Boolean.class) {
      return toBoolean(value, target, column);
    }
    if (target == java.sql.Date.class) {
      LocalDate date = toLocalDateOrNull(value, true);
      if (date != null) {
        return java.sql.Date.valueOf(date);
      }
    } else if (target == Time.class) {
      LocalTime time = toLocalTimeOrNull(value, true);
      if (time != null) {
        return ValueCodec.sqlTimeOf(time);
      }
    } else if (target == Timestamp.class) {
      if (value instanceof Instant i) {
        return Timestamp.from(i);
      }
      if (value instanceof OffsetDateTime t) {
        return Timestamp.from(t.toInstant());
      }
      LocalDateTime dateTime = toLocalDateTimeOrNull(value);
      if (dateTime != null) {
        return Timestamp.valueOf(dateTime);
      }
    } else if (target == LocalDate.class) {
      LocalDate date = toLocalDateOrNull(value, false);
      if (date != null) {
        return date;
      }
    } else if (target == LocalTime.class) {
      LocalTime time = toLocalTimeOrNull(value, false);
      if (time != null) {
        return time;
      }
    } else if (target == LocalDateTime.class) {
      LocalDateTime dateTime = toLocalDateTimeOrNull(value);
      if (dateTime != null) {
        return dateTime;
      }
    } else if (target == OffsetDateTime.class) {
      if (value instanceof Instant i) {
        return i.atOffset(ZoneOffset.UTC);
      }
    } else if (target == Instant.class) {
      if (value instanceof OffsetDateTime t) {
        return t.toInstant();
      }
      if (value instanceof Timestamp t) {
        return t.toInstant();
      }
    } else if (target == UUID.class) {
      if (value instanceof String s) {
        try {
          return UUID.fromString(s.trim());
        } catch (IllegalArgumentException e) {
          throw badString(target, column);
        }
      }
    }
    throw unsupported(value, target, column);
  }

  // ---- numbers ----

  private static long toLong(Object value, Class<?> target, String column, long min, long max)
      throws SQLException {
    long result;
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      result = ((Number) value).longValue();
    } else if (value instanceof Boolean b) {
      result = b ? 1 : 0;
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d) || d != Math.rint(d)) {
        throw notExact(value, target, column);
      }
      if (d < -TWO_POW_63 || d >= TWO_POW_63) {
        throw outOfRange(value, target, column);
      }
      result = (long) d;
    } else {
      BigInteger big = toBigInteger(value, target, column);
      if (big.compareTo(LONG_MIN) < 0 || big.compareTo(LONG_MAX) > 0) {
        throw outOfRange(value, target, column);
      }
      result = big.longValue();
    }
    if (result < min || result > max) {
      throw outOfRange(value, target, column);
    }
    return result;
  }

  private static BigInteger toBigInteger(Object value, Class<?> target, String column)
      throws SQLException {
    if (value instanceof BigInteger i) {
      return i;
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte
        || value instanceof Boolean
        || value instanceof Double
        || value instanceof Float) {
      if (value instanceof Double || value instanceof Float) {
        double d = ((Number) value).doubleValue();
        if (Double.isFinite(d) && Math.abs(d) >= TWO_POW_63) {
          return new BigDecimal(d).toBigInteger(); // exact: such large doubles are integers
        }
      }
      return BigInteger.valueOf(toLong(value, target, column, Long.MIN_VALUE, Long.MAX_VALUE));
    }
    BigDecimal decimal;
    if (value instanceof BigDecimal d) {
      decimal = d;
    } else if (value instanceof String s) {
      decimal = parseDecimal(s, target, column);
    } else {
      throw unsupported(value, target, column);
    }
    if (decimal.signum() == 0) {
      return BigInteger.ZERO;
    }
    if (decimal.scale() > 0) {
      decimal = decimal.stripTrailingZeros();
      if (decimal.scale() > 0) {
        throw notExact(value, target, column);
      }
    }
    // Refuse absurd magnitudes (such as 1E+1000000000) before materialising them.
    if ((long) decimal.precision() - decimal.scale() > 1_000) {
      throw outOfRange(value, target, column);
    }
    return decimal.toBigIntegerExact();
  }

  private static Double toDouble(Object value, Class<?> target, String column) throws SQLException {
    double d;
    if (value instanceof Boolean b) {
      d = b ? 1.0 : 0.0;
    } else if (value instanceof String s) {
      d = parseDouble(s, target, column);
    } else if (value instanceof Number n && isSupportedNumber(n)) {
      d = n.doubleValue();
      if (Double.isInfinite(d) && !(value instanceof Float)) {
        throw outOfRange(value, target, column);
      }
    } else {
      throw unsupported(value, target, column);
    }
    return d;
  }

  private static Float toFloat(Object value, Class<?> target, String column) throws SQLException {
    float f;
    if (value instanceof Boolean b) {
      f = b ? 1.0f : 0.0f;
    } else if (value instanceof String s) {
      double d = parseDouble(s, target, column);
      f = (float) d;
      if (Float.isInfinite(f) && !Double.isInfinite(d)) {
        throw outOfRange(value, target, column);
      }
    } else if (value instanceof Number n && isSupportedNumber(n)) {
      f = n.floatValue(); // BigDecimal/BigInteger round directly to float, without double rounding
      if (Float.isInfinite(f) && !(value instanceof Double d && Double.isInfinite(d))) {
        throw outOfRange(value, target, column);
      }
    } else {
      throw unsupported(value, target, column);
    }
    return f;
  }

  private static BigDecimal toBigDecimal(Object value, Class<?> target, String column)
      throws SQLException {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof Boolean b) {
      return b ? BigDecimal.ONE : BigDecimal.ZERO;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw notExact(value, target, column);
      }
      // Use the shortest decimal that reads back as the same value: 0.1f gives 0.1, not
      // 0.100000001490116119384765625.
      return new BigDecimal(value instanceof Float f ? Float.toString(f) : Double.toString(d));
    }
    if (value instanceof String s) {
      return parseDecimal(s, target, column);
    }
    throw unsupported(value, target, column);
  }

  private static Boolean toBoolean(Object value, Class<?> target, String column)
      throws SQLException {
    if (value instanceof String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "true", "t", "yes", "y", "on", "1":
          return true;
        case "false", "f", "no", "n", "off", "0":
          return false;
        default:
          throw badString(target, column);
      }
    }
    if (value instanceof Number n && isSupportedNumber(n)) {
      BigDecimal d = toBigDecimal(value, target, column);
      if (d.signum() == 0) {
        return false;
      }
      if (d.compareTo(BigDecimal.ONE) == 0) {
        return true;
      }
      throw outOfRange(value, target, column);
    }
    throw unsupported(value, target, column);
  }

  private static boolean isSupportedNumber(Number n) {
    return n instanceof Integer
        || n instanceof Long
        || n instanceof Short
        || n instanceof Byte
        || n instanceof Double
        || n instanceof Float
        || n instanceof BigDecimal
        || n instanceof BigInteger;
  }

  private static BigDecimal parseDecimal(String s, Class<?> target, String column)
      throws SQLException {
    try {
      return new BigDecimal(s.trim());
    } catch (NumberFormatException e) {
      throw badString(target, column);
    }
  }

  private static double parseDouble(String s, Class<?> target, String column) throws SQLException {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw badString(target, column);
    }
  }

  // ---- dates and times ----

  private static LocalDate toLocalDateOrNull(Object value, boolean fromInstants) {
    if (value instanceof LocalDate d) {
      return d;
    }
    if (value instanceof java.sql.Date d) {
      return d.toLocalDate();
    }
    if (value instanceof Timestamp t) {
      return t.toLocalDateTime().toLocalDate();
    }
    if (value instanceof LocalDateTime t) {
      return t.toLocalDate();
    }
    if (fromInstants && value instanceof Instant i) {
      return LocalDate.ofInstant(i, ZoneId.systemDefault());
    }
    if (fromInstants && value instanceof OffsetDateTime t) {
      return t.atZoneSameInstant(ZoneId.systemDefault()).toLocalDate();
    }
    return null;
  }

  private static LocalTime toLocalTimeOrNull(Object value, boolean fromInstants) {
    if (value instanceof LocalTime t) {
      return t;
    }
    if (value instanceof Time t) {
      return ValueCodec.localTimeOf(t);
    }
    if (value instanceof Timestamp t) {
      return t.toLocalDateTime().toLocalTime();
    }
    if (value instanceof LocalDateTime t) {
      return t.toLocalTime();
    }
    if (fromInstants && value instanceof Instant i) {
      return LocalTime.ofInstant(i, ZoneId.systemDefault());
    }
    if (fromInstants && value instanceof OffsetDateTime t) {
      return t.atZoneSameInstant(ZoneId.systemDefault()).toLocalTime();
    }
    return null;
  }

  private static LocalDateTime toLocalDateTimeOrNull(Object value) {
    if (value instanceof LocalDateTime t) {
      return t;
    }
    if (value instanceof Timestamp t) {
      return t.toLocalDateTime();
    }
    if (value instanceof LocalDate d) {
      return d.atStartOfDay();
    }
    if (value instanceof java.sql.Date d) {
      return d.toLocalDate().atStartOfDay();
    }
    return null;
  }

  // ---- helpers ----

  private static Class<?> wrap(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == int.class) {
      return Integer.class;
    }
    if (type == long.class) {
      return Long.class;
    }
    if (type == short.class) {
      return Short.class;
    }
    if (type == byte.class) {
      return Byte.class;
    }
    if (type == boolean.class) {
      return Boolean.class;
    }
    if (type == double.class) {
      return Double.class;
    }
    if (type == float.class) {
      return Float.class;
    }
    if (type == char.class) {
      return Character.class;
    }
    return Void.class;
  }

  static String typeName(Class<?> type) {
    if (type == byte[].class) {
      return "byte[]";
    }
    Package p = type.getPackage();
    String pkg = p == null ? "" : p.getName();
    if (pkg.equals("java.lang") || pkg.equals("java.math") || pkg.equals("java.time")) {
      return type.getSimpleName();
    }
    return type.getName();
  }

  private static String describe(Object value, Class<?> target, String column) {
    return "column \""
        + column
        + "\" holds a "
        + typeName(value.getClass())
        + ", requested as "
        + typeName(target);
  }

  private static SQLException unsupported(Object value, Class<?> target, String column) {
    return new SQLException(
        "Cannot convert: " + describe(value, target, column) + ", which is not supported",
        SQLSTATE_UNSUPPORTED);
  }

  private static SQLException outOfRange(Object value, Class<?> target, String column) {
    return new SQLException(
        "Cannot convert: " + describe(value, target, column) + ", and the value is out of range",
        SQLSTATE_OUT_OF_RANGE);
  }

  private static SQLException notExact(Object value, Class<?> target, String column) {
    return new SQLException(
        "Cannot convert: "
            + describe(value, target, column)
            + ", and the value cannot be represented exactly",
        SQLSTATE_OUT_OF_RANGE);
  }

  private static SQLException badString(Class<?> target, String column) {
    return new SQLException(
        "Cannot convert: "
            + describe("", target, column)
            + ", and the string is not a valid "
            + typeName(target),
        SQLSTATE_BAD_STRING);
  }
}
