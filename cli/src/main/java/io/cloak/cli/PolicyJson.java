package io.cloak.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloak.kms.KeyPolicy;
import io.cloak.kms.KmsValidationException;
import io.cloak.kms.Operation;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON form of a {@link KeyPolicy}:
 *
 * <pre>{@code
 * {"statements": [
 *   {"principals": ["user:alice"], "operations": ["kms:*"]},
 *   {"principals": ["app:orders"], "operations": ["kms:Encrypt", "kms:Decrypt"]}
 * ]}
 * }</pre>
 *
 * {@code "*"} as a principal matches every principal; {@code "kms:*"} every operation.
 */
final class PolicyJson {
  static final String ALL_OPERATIONS = "kms:*";

  private PolicyJson() {}

  /**
   * Reads a policy.
   *
   * @param source names the input in error messages
   * @throws CliException if the JSON does not have the form above
   */
  static KeyPolicy parse(JsonNode root, String source) {
    if (!root.isObject()) {
      throw invalid(source, "the top level must be an object {\"statements\": [...]}");
    }
    requireOnlyFields(root, source, "the top-level object", "statements");
    JsonNode statements = root.get("statements");
    if (statements == null || !statements.isArray()) {
      throw invalid(source, "\"statements\" must be an array of statements");
    }
    List<KeyPolicy.Statement> out = new ArrayList<>();
    int n = 0;
    for (JsonNode s : statements) {
      n++;
      String where = "statement " + n;
      if (!s.isObject()) {
        throw invalid(source, where + " must be an object with principals and operations");
      }
      requireOnlyFields(s, source, where, "principals", "operations");
      Set<String> principals = new LinkedHashSet<>();
      for (String p : strings(s.get("principals"), source, where + ": \"principals\"")) {
        if (p.isBlank()) {
          throw invalid(source, where + ": a principal name must not be blank");
        }
        principals.add(p);
      }
      Set<Operation> operations = EnumSet.noneOf(Operation.class);
      for (String op : strings(s.get("operations"), source, where + ": \"operations\"")) {
        if (op.equals(ALL_OPERATIONS)) {
          operations.addAll(EnumSet.allOf(Operation.class));
        } else {
          try {
            operations.add(Operation.parse(op));
          } catch (KmsValidationException e) {
            throw invalid(source, where + ": " + e.getMessage());
          }
        }
      }
      out.add(new KeyPolicy.Statement(principals, operations));
    }
    return new KeyPolicy(out);
  }

  /** The JSON form of {@code policy}, with sorted principals and operations in API order. */
  static ObjectNode toJson(KeyPolicy policy) {
    ObjectNode root = Json.object();
    ArrayNode statements = root.putArray("statements");
    for (KeyPolicy.Statement s : policy.statements()) {
      ObjectNode st = statements.addObject();
      ArrayNode principals = st.putArray("principals");
      new TreeSet<>(s.principals()).forEach(principals::add);
      ArrayNode operations = st.putArray("operations");
      if (s.operations().containsAll(EnumSet.allOf(Operation.class))) {
        operations.add(ALL_OPERATIONS);
      } else {
        EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
        ops.addAll(s.operations());
        ops.forEach(op -> operations.add(op.actionName()));
      }
    }
    return root;
  }

  private static List<String> strings(JsonNode node, String source, String what) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw invalid(source, what + " must be a non-empty array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : node) {
      if (!e.isTextual()) {
        throw invalid(source, what + " must hold only strings, found " + e);
      }
      out.add(e.asText());
    }
    return out;
  }

  private static void requireOnlyFields(
      JsonNode node, String source, String where, String... allowed) {
    Set<String> known = Set.of(allowed);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw invalid(
            source,
            where
                + " has unknown field \""
                + field
                + "\" (expected "
                + String.join(", ", allowed)
                + ")");
      }
    }
  }

  private static CliException invalid(String source, String why) {
    return new CliException("invalid policy in " + source + ": " + why);
  }
}
