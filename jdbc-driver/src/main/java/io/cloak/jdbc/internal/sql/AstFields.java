package io.cloak.jdbc.internal.sql;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.parser.Token;

/**
 * Reflective access to the fields of JSqlParser AST nodes, so the analyser can inspect parts of a
 * statement it has no specific rule for (and fail closed if they touch encrypted columns) instead
 * of silently skipping them.
 */
final class AstFields {
  private static final String PACKAGE = "net.sf.jsqlparser.";

  private static final ClassValue<List<Field>> FIELDS =
      new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
          List<Field> out = new ArrayList<>();
          for (Class<?> k = type; k != null && isAst(k); k = k.getSuperclass()) {
            List<Field> declared = new ArrayList<>(List.of(k.getDeclaredFields()));
            declared.sort(Comparator.comparing(Field::getName));
            for (Field f : declared) {
              if (Modifier.isStatic(f.getModifiers())
                  || f.getType().isPrimitive()
                  || Node.class.isAssignableFrom(f.getType())
                  || Token.class.isAssignableFrom(f.getType())
                  || f.getType() == String.class) {
                continue;
              }
              f.setAccessible(true);
              out.add(f);
            }
          }
          return List.copyOf(out);
        }
      };

  private AstFields() {}

  static boolean isAst(Class<?> type) {
    return type.getName().startsWith(PACKAGE);
  }

  static boolean isAst(Object o) {
    return o != null && isAst(o.getClass());
  }

  /** Non-static, non-primitive, non-String fields of an AST node and its AST superclasses. */
  static List<Field> fields(Object node) {
    return FIELDS.get(node.getClass());
  }

  static Object get(Field f, Object node) {
    try {
      return f.get(node);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read a JSqlParser field", e);
    }
  }
}
