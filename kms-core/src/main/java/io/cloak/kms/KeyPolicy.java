package io.cloak.kms;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which principals may perform which operations on one key. A policy is a list of allow statements;
 * anything no statement allows is denied. Immutable and thread-safe.
 *
 * <p>JSON form (used by {@code cloak kms put-policy}):
 *
 * <pre>{@code
 * {"statements": [
 *   {"principals": ["user:alice"], "operations": ["kms:*"]},
 *   {"principals": ["app:orders"], "operations": ["kms:Encrypt", "kms:Decrypt"]}
 * ]}
 * }</pre>
 *
 * {@code "*"} as a principal matches every principal; {@code "kms:*"} matches every operation.
 *
 * @param statements the allow statements, in order
 */
public record KeyPolicy(List<Statement> statements) {
  /** The wildcard that matches every principal. */
  public static final String ANY_PRINCIPAL = "*";

  public KeyPolicy {
    statements = List.copyOf(statements);
  }

  /**
   * One allow statement.
   *
   * @param principals principal names, or {@code "*"}
   * @param operations allowed operations
   */
  public record Statement(Set<String> principals, Set<Operation> operations) {
    public Statement {
      principals = Set.copyOf(principals);
      operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
    }

    boolean allows(Principal principal, Operation operation) {
      return operations.contains(operation)
          && (principals.contains(ANY_PRINCIPAL) || principals.contains(principal.name()));
    }
  }

  /** The policy a new key gets by default: its creator may do everything with it. */
  public static KeyPolicy defaultFor(Principal creator) {
    return new KeyPolicy(
        List.of(new Statement(Set.of(creator.name()), EnumSet.allOf(Operation.class))));
  }

  /** A policy allowing {@code operations} to {@code principal}. */
  public static KeyPolicy allowing(Principal principal, Set<Operation> operations) {
    return new KeyPolicy(List.of(new Statement(Set.of(principal.name()), operations)));
  }

  /** Whether some statement allows {@code principal} to perform {@code operation}. */
  public boolean allows(Principal principal, Operation operation) {
    for (Statement s : statements) {
      if (s.allows(principal, operation)) {
        return true;
      }
    }
    return false;
  }
}
