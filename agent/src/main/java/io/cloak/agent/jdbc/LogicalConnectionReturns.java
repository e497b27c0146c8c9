package io.cloak.agent.jdbc;

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
import net.bytebuddy.pool.TypePool;

/**
 * Rewrites every {@code return} of a {@code PooledConnection}'s {@code getConnection()} with the
 * interface's descriptor, {@code ()Ljava/sql/Connection;}, into {@code return
 * JdbcHooks.wrapLogical(connection, this)}. Works on the class file directly, because a driver
 * whose {@code getConnection} returns its own connection type has that descriptor only on the
 * compiler's bridge method, which Byte Buddy's {@code Advice} does not visit (MariaDB's {@code
 * MariaDbPoolConnection} is one). Immutable.
 */
final class LogicalConnectionReturns implements AsmVisitorWrapper {
  private static final String HOOKS = JdbcHooks.class.getName().replace('.', '/');
  private static final String DESCRIPTOR = "()Ljava/sql/Connection;";

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
        if (!name.equals("getConnection")
            || !descriptor.equals(DESCRIPTOR)
            || (access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
          return next;
        }
        return new MethodVisitor(Opcodes.ASM9, next) {
          @Override
          public void visitInsn(int opcode) {
            if (opcode == Opcodes.ARETURN) {
              super.visitVarInsn(Opcodes.ALOAD, 0);
              super.visitMethodInsn(
                  Opcodes.INVOKESTATIC,
                  HOOKS,
                  "wrapLogical",
                  "(Ljava/sql/Connection;Ljava/lang/Object;)Ljava/sql/Connection;",
                  false);
            }
            super.visitInsn(opcode);
          }
        };
      }
    };
  }
}
