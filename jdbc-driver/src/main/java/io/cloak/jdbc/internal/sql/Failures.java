package io.cloak.jdbc.internal.sql;

import java.sql.SQLException;

/**
 * Builds the analyser's fail-closed exceptions. Messages name columns, modes and reasons but never
 * contain SQL text or literal values, which may be plaintext secrets.
 */
final class Failures {
  /** SQLState "feature not supported". */
  static final String NOT_SUPPORTED = "0A000";

  private Failures() {}

  /** "Cloak: t.c is encrypted (mode); REASON. INSTEAD" */
  static SQLException column(EncryptedColumn column, String reason, String instead) {
    return new SQLException(
        "Cloak: "
            + column.qualifiedName()
            + " is encrypted ("
            + column.modeName()
            + "); "
            + reason
            + ". "
            + instead,
        NOT_SUPPORTED);
  }

  static SQLException general(String message) {
    return new SQLException("Cloak: " + message, NOT_SUPPORTED);
  }

  static SQLException operatesOn(EncryptedColumn column, String what) {
    return column(
        column,
        what + " cannot operate on ciphertext",
        "Apply it in the application after Cloak decrypts the value, or use another column.");
  }

  static SQLException randomizedEquality(EncryptedColumn column, String op) {
    return column(
        column,
        "'" + op + "' cannot compare randomized ciphertext",
        "Use mode: deterministic for equality search, or filter on another column.");
  }

  static SQLException comparedWithComputed(EncryptedColumn column, String op) {
    return column(
        column,
        "'"
            + op
            + "' can only compare it with a parameter, a literal, NULL or a column in the same"
            + " equality group, not with a computed value or a plain column",
        "Compute the value in the application and bind it as a parameter.");
  }

  static SQLException incomparable(EncryptedColumn a, EncryptedColumn b, String op) {
    return column(
        a,
        "'"
            + op
            + "' cannot compare it with "
            + b.qualifiedName()
            + " ("
            + b.modeName()
            + (b.equalityGroup() == null ? "" : ", group " + b.equalityGroup())
            + "): only deterministic columns in the same equality group share a key",
        "Put both columns in the same equality group with mode: deterministic, or compare on"
            + " another column.");
  }

  static SQLException ordering(EncryptedColumn column, String op) {
    return column(
        column,
        "'" + op + "' cannot compare ciphertext by order",
        "Filter on another column, or decrypt and filter in the application.");
  }

  static SQLException pattern(EncryptedColumn column, String op) {
    return column(
        column,
        "'" + op + "' cannot search inside ciphertext",
        "Filter on another column, or decrypt and filter in the application.");
  }

  static SQLException orderBy(EncryptedColumn column) {
    return column(
        column,
        "ORDER BY would sort ciphertext, and ciphertext order is meaningless",
        "Sort in the application or on another column.");
  }

  static SQLException grouping(EncryptedColumn column, String what) {
    return column(
        column,
        what + " cannot group randomized ciphertext (equal values encrypt differently)",
        "Use mode: deterministic, or do it in the application.");
  }

  static SQLException ambiguous(EncryptedColumn column) {
    return column(
        column,
        "an unqualified reference to "
            + column.column()
            + " is ambiguous between several tables of the query, so Cloak cannot tell whether it"
            + " is encrypted",
        "Qualify the column with its table name or alias.");
  }

  static SQLException write(EncryptedColumn column, String statement) {
    return column(
        column,
        statement
            + " can only write a parameter, a literal or NULL to it, not a computed value or"
            + " another column",
        "Compute the value in the application and bind it as a parameter.");
  }

  static SQLException copyCiphertext(EncryptedColumn column, String target) {
    return column(
        column,
        "the statement would copy its ciphertext into " + target,
        "Read the value through Cloak and write it back with a parameter.");
  }

  static SQLException writeThroughView(EncryptedColumn column, String view, String statement) {
    return column(
        column,
        statement
            + " through the view "
            + view
            + ", which reads that table, would store plaintext: Cloak encrypts by the table a"
            + " statement names",
        "Write to the table itself, or name the view's columns in cloak.yaml if the view is"
            + " what the application writes to.");
  }

  static SQLException unknownColumns(EncryptedColumn column, String what) {
    return column(
        column,
        what + " because the columns of its table are unknown",
        "List the columns explicitly.");
  }
}
