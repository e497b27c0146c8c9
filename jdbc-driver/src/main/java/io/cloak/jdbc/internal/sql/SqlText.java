package io.cloak.jdbc.internal.sql;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A small SQL lexer used where the parser cannot help: it finds the words (identifiers and
 * keywords, lower-case) outside comments and string literals, counts {@code ?} markers and notes
 * whether literals occur. Quoted identifiers count as words. Dollar-quoted bodies are scanned as
 * code, since they usually hold code.
 */
final class SqlText {

  /** The result of a scan. */
  record Scan(Set<String> words, int parameterMarkers, boolean hasLiterals, String firstWord) {
    boolean blank() {
      return words.isEmpty() && parameterMarkers == 0 && !hasLiterals;
    }
  }

  private SqlText() {}

  /**
   * Scans {@code sql} twice, with and without backslash escapes in string literals, and merges the
   * words, so a name hidden from one dialect's reading is still found. Counts come from the
   * standard (no backslash escape) reading.
   */
  static Scan scan(String sql) {
    Scan standard = scan(sql, false);
    Scan backslash = scan(sql, true);
    Set<String> words = new LinkedHashSet<>(standard.words());
    words.addAll(backslash.words());
    return new Scan(
        words,
        standard.parameterMarkers(),
        standard.hasLiterals() || backslash.hasLiterals(),
        standard.firstWord());
  }

  static Scan scan(String sql, boolean backslashEscapes) {
    Set<String> words = new LinkedHashSet<>();
    int markers = 0;
    boolean literals = false;
    String first = null;
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int depth = 1;
        i += 2;
        while (i < n && depth > 0) {
          if (sql.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (sql.startsWith("*/", i)) {
            depth--;
            i += 2;
          } else {
            i++;
          }
        }
      } else if (c == '\'') {
        literals = true;
        i = skipQuoted(sql, i, '\'', backslashEscapes);
      } else if (c == '"' || c == '`') {
        int end = skipQuoted(sql, i, c, false);
        String word = sql.substring(i + 1, Math.max(i + 1, end - 1)).replace("" + c + c, "" + c);
        if (!word.isEmpty()) {
          words.add(word.toLowerCase(Locale.ROOT));
          first = first == null ? word.toLowerCase(Locale.ROOT) : first;
        }
        i = end;
      } else if (c == '$' && dollarTagEnd(sql, i) > 0) {
        i = dollarTagEnd(sql, i);
      } else if (c == '?') {
        markers++;
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n
            && (Character.isLetterOrDigit(sql.charAt(i))
                || sql.charAt(i) == '_'
                || sql.charAt(i) == '$')) {
          i++;
        }
        String word = sql.substring(start, i).toLowerCase(Locale.ROOT);
        words.add(word);
        first = first == null ? word : first;
      } else if (Character.isDigit(c)) {
        literals = true;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
          i++;
        }
      } else {
        i++;
      }
    }
    return new Scan(words, markers, literals, first);
  }

  /** Index just past the closing quote (or the end of the text if unterminated). */
  private static int skipQuoted(String sql, int start, char quote, boolean backslashEscapes) {
    int n = sql.length();
    int i = start + 1;
    while (i < n) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  /** If a PostgreSQL dollar-quote tag ({@code $$} or {@code $tag$}) starts here, its end. */
  private static int dollarTagEnd(String sql, int start) {
    int n = sql.length();
    if (start > 0
        && (Character.isLetterOrDigit(sql.charAt(start - 1)) || sql.charAt(start - 1) == '_')) {
      return -1;
    }
    int i = start + 1;
    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
      if (i == start + 1 && Character.isDigit(sql.charAt(i))) {
        return -1;
      }
      i++;
    }
    return i < n && sql.charAt(i) == '$' ? i + 1 : -1;
  }
}
