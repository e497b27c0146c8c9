package io.cloak.agent.jdbc;

import java.util.List;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;

/**
 * Rewrites every {@code return connection} of chosen methods into {@code return
 * JdbcHooks.<hook>(connection, this, arguments...)}, on the class file directly. Used where Byte
 * Buddy's {@code Advice} cannot reach: a method whose Java declaration returns the driver's own
 * connection type has the JDBC interface's descriptor only on the compiler's bridge method, which
 * {@code Advice} does not visit. MariaDB's {@code Driver.connect} and {@code
 * MariaDbPoolConnection.getConnection} are such methods. The hooks act at the return only, so
 * nothing needs undoing when the method throws. Immutable.
 */
final class ConnectionReturns implements AsmVisitorWrapper {
  private static final String HOOKS = JdbcHooks.class.getName().replace('.', '/');

  /** A method to rewrite: its name and descriptor, whether only its bridge, and the hook. */
  record Site(String name, String descriptor, boolean bridgeOnly, String hook) {
    /**
     * {@code (Ljava/sql/Connection;Ljava/lang/Object;<the method's
     * arguments>)Ljava/sql/Connection;}
     */
    String hookDescriptor() {
      StringBuilder d = new StringBuilder("(Ljava/sql/Connection;Ljava/lang/Object;");
      for (Type t : Type.getArgumentTypes(descriptor)) {
        d.append(t.getDescriptor());
      }
      return d.append(")Ljava/sql/Connection;").toString();
    }
  }

  /** {@code Driver.connect} bridges. */
  static final ConnectionReturns DRIVER_BRIDGES =
      new ConnectionReturns(
          List.of(
              new Site(
                  "connect",
                  "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;",
                  true,
                  "driverReturn")));

  /** {@code DataSource.getConnection} bridges. */
  static final ConnectionReturns DATA_SOURCE_BRIDGES =
      new ConnectionReturns(
          List.of(
              new Site("getConnection", "()Ljava/sql/Connection;", true, "dataSourceReturn"),
              new Site(
                  "getConnection",
                  "(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;",
                  true,
                  "dataSourceReturn")));

  /** Every {@code PooledConnection.getConnection()} with the interface's descriptor. */
  static final ConnectionReturns POOLED =
      new ConnectionReturns(
          List.of(new Site("getConnection", "()Ljava/sql/Connection;", false, "wrapLogical")));

  private final List<Site> sites;

  private ConnectionReturns(List<Site> sites) {
    this.sites = sites;
  }

  @Override
  public int mergeWriter(int flags) {
    return flags | ClassWriter.COMPUTE_MAXS;
  }

  @Override
  public int mergeReader(int flags) {
    return flags;
  }

  @Override
  public ClassVisitor wrap(
      TypeDescription instrumentedType,
      ClassVisitor classVisitor,
      Implementation.Context implementationContext,
      TypePool typePool,
      FieldList<FieldDescription.InDefinedShape> fields,
      MethodList<?> methods,
      int writerFlags,
      int readerFlags) {
    return new ClassVisitor(Opcodes.ASM9, classVisitor) {
      @Override
      public MethodVisitor visitMethod(
          int access, String name, String descriptor, String signature, String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
          return next;
        }
        for (Site site : sites) {
          if (site.name().equals(name)
              && site.descriptor().equals(descriptor)
              && (!site.bridgeOnly() || (access & Opcodes.ACC_BRIDGE) != 0)) {
            return rewriting(next, site);
          }
        }
        return next;
      }
    };
  }

  private static MethodVisitor rewriting(MethodVisitor next, Site site) {
    Type[] arguments = Type.getArgumentTypes(site.descriptor());
    String hookDescriptor = site.hookDescriptor();
    return new MethodVisitor(Opcodes.ASM9, next) {
      @Override
      public void visitInsn(int opcode) {
        if (opcode == Opcodes.ARETURN) {
          super.visitVarInsn(Opcodes.ALOAD, 0);
          int slot = 1;
          for (Type t : arguments) {
            super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
            slot += t.getSize();
          }
          super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, site.hook(), hookDescriptor, false);
        }
        super.visitInsn(opcode);
      }
    };
  }
}
