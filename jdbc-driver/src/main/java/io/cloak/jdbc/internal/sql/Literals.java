package io.cloak.jdbc.internal.sql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DateValue;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.HexValue;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.TimeValue;
import net.sf.jsqlparser.expression.TimestampValue;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.SimpleNode;

/** Recognises SQL literals, converts them to Java values and finds them in the SQL text. */
final class Literals {

  /** A literal Cloak cannot convert reliably; the message never contains the literal. */
  static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  private Literals() {}

  /** True for the literal forms Cloak understands (NULL excluded). */
  static boolean isLiteral(Expression e) {
    if (e instanceof StringValue
        || e instanceof LongValue
        || e instanceof DoubleValue
        || e instanceof HexValue
        || e instanceof BooleanValue
        || e instanceof DateValue
        || e instanceof TimeValue
        || e instanceof TimestampValue) {
      return true;
    }
    if (e instanceof SignedExpression s) {
      return s.getExpression() instanceof LongValue || s.getExpression() instanceof DoubleValue;
    }
    return isTypedLiteral(e);
  }

  /** {@code DATE '...'}, {@code TIME '...'}, {@code TIMESTAMP '...'}: parsed as implicit casts. */
  private static boolean isTypedLiteral(Expression e) {
    if (e instanceof CastExpression c
        && c.isImplicitCast()
        && c.getLeftExpression() instanceof StringValue
        && c.getColDataType() != null
        && c.getColDataType().getDataType() != null) {
      String type = c.getColDataType().getDataType().toUpperCase(Locale.ROOT);
      return type.equals("DATE") || type.equals("TIME") || type.equals("TIMESTAMP");
    }
    return false;
  }

  /**
   * The Java value of a literal.
   *
   * @param text the literal as written in the SQL, used to check its quoting
   */
  static Object javaValue(Expression e, String text) throws Unsupported {
    if (e instanceof StringValue s) {
      return string(s, text);
    }
    if (e instanceof LongValue l) {
      return integer(l.getStringValue());
    }
    if (e instanceof DoubleValue) {
      try {
        return new BigDecimal(text.trim());
      } catch (NumberFormatException ex) {
        throw new Unsupported("a numeric literal in an unsupported format");
      }
    }
    if (e instanceof SignedExpression s) {
      Object inner =
          s.getExpression() instanceof LongValue l
              ? integer(l.getStringValue())
              : javaValue(s.getExpression(), s.getExpression().toString());
      if (s.getSign() == '+') {
        return inner;
      }
      if (s.getSign() != '-') {
        throw new Unsupported("a numeric literal with an unsupported sign");
      }
      if (inner instanceof Long v) {
        return v == Long.MIN_VALUE ? BigDecimal.valueOf(v).negate() : -v;
      }
      return ((BigDecimal) inner).negate();
    }
    if (e instanceof HexValue h) {
      return hex(h.getValue());
    }
    if (e instanceof BooleanValue b) {
      return b.getValue();
    }
    if (e instanceof DateValue d) {
      return d.getValue().toLocalDate();
    }
    if (e instanceof TimeValue t) {
      return t.getValue().toLocalTime();
    }
    if (e instanceof TimestampValue t) {
      return t.getValue().toLocalDateTime();
    }
    if (e instanceof CastExpression c && isTypedLiteral(c)) {
      String type = c.getColDataType().getDataType().toUpperCase(Locale.ROOT);
      String value = ((StringValue) c.getLeftExpression()).getValue().trim();
      try {
        switch (type) {
          case "DATE":
            return LocalDate.parse(value);
          case "TIME":
            return LocalTime.parse(value);
          default:
            return LocalDateTime.parse(value.replaceFirst(" ", "T"));
        }
      } catch (DateTimeParseException ex) {
        throw new Unsupported("a " + type + " literal in an unsupported format");
      }
    }
    throw new Unsupported("an unsupported kind of literal");
  }

  private static Object integer(String digits) throws Unsupported {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException ex) {
      try {
        return new BigDecimal(new BigInteger(digits));
      } catch (NumberFormatException ex2) {
        throw new Unsupported("an integer literal in an unsupported format");
      }
    }
  }

  private static String string(StringValue s, String text) throws Unsupported {
    String prefix = s.getPrefix();
    String t = text.trim();
    boolean national = prefix != null && prefix.equalsIgnoreCase("N");
    if (prefix != null && !prefix.isEmpty() && !national) {
      throw new Unsupported("a string literal with an escape or charset prefix");
    }
    String body = national ? t.substring(1) : t;
    if (body.length() < 2 || body.charAt(0) != '\'' || body.charAt(body.length() - 1) != '\'') {
      throw new Unsupported("a string literal with non-standard quoting");
    }
    String value = body.substring(1, body.length() - 1);
    if (value.indexOf('\\') >= 0) {
      throw new Unsupported(
          "a string literal containing a backslash, whose meaning depends on the database");
    }
    return value.replace("''", "'");
  }

  private static byte[] hex(String written) throws Unsupported {
    String w = written.trim();
    String digits;
    if (w.startsWith("0x") || w.startsWith("0X")) {
      digits = w.substring(2);
    } else if ((w.startsWith("X'") || w.startsWith("x'")) && w.endsWith("'") && w.length() >= 3) {
      digits = w.substring(2, w.length() - 1);
    } else {
      throw new Unsupported("a hexadecimal literal in an unsupported format");
    }
    if (digits.length() % 2 != 0) {
      throw new Unsupported("a hexadecimal literal with an odd number of digits");
    }
    byte[] out = new byte[digits.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(digits.charAt(2 * i), 16);
      int lo = Character.digit(digits.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new Unsupported("a hexadecimal literal with invalid digits");
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  /**
   * The [begin, end) character range of an AST node in the SQL text, or null if the parser did not
   * record it.
   */
  static int[] span(Object node, String sql) {
    if (!(node instanceof ASTNodeAccess access)) {
      return null;
    }
    SimpleNode sn = access.getASTNode();
    if (sn == null || sn.jjtGetFirstToken() == null || sn.jjtGetLastToken() == null) {
      return null;
    }
    int begin = sn.jjtGetFirstToken().absoluteBegin - 1;
    int end = sn.jjtGetLastToken().absoluteEnd - 1;
    if (begin < 0 || end <= begin || end > sql.length()) {
      return null;
    }
    return new int[] {begin, end};
  }

  /** True if the text at a span is plausibly the literal (ignoring whitespace and case). */
  static boolean spanMatches(String text, Expression literal) {
    String written = squash(text);
    // JDBC escapes print normalised values ({ts '...0'}), so only their shape is compared.
    if (literal instanceof TimestampValue) {
      return written.startsWith("{TS'") && written.endsWith("'}");
    }
    if (literal instanceof TimeValue) {
      return written.startsWith("{T'") && written.endsWith("'}");
    }
    if (literal instanceof DateValue) {
      return written.startsWith("{D'") && written.endsWith("'}");
    }
    return written.equals(squash(literal.toString()));
  }

  private static String squash(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isWhitespace(c)) {
        b.append(c);
      }
    }
    return b.toString().toUpperCase(Locale.ROOT);
  }
}
