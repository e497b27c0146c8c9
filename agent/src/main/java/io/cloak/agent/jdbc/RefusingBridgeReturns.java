package io.cloak.agent.jdbc;

import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;

/**
 * For a driver whose class loader cannot see the agent: rewrites every {@code return connection} of
 * its {@code Driver.connect} bridge method (see {@link ConnectionReturns}) into code that uses only
 * JDK classes and, for a covered database, closes the connection and throws an {@code SQLException}
 * instead, as {@code JdbcFeature.RefuseDriverConnect} does for non-bridge methods, which {@code
 * Advice} reaches. Immutable.
 */
final class RefusingBridgeReturns implements AsmVisitorWrapper {
  private static final String DESCRIPTOR =
      "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;";

  private final String coveredDatabases; // one regex, "" for every database
  private final String message;

  RefusingBridgeReturns(String coveredDatabases, String driverName) {
    this.coveredDatabases = coveredDatabases;
    this.message = "cloak-agent: " + driverName + JdbcFeature.REFUSED;
  }

  @Override
  public int mergeWriter(int flags) {
    return flags | ClassWriter.COMPUTE_MAXS;
  }

  @Override
  public int mergeReader(int flags) {
    return flags | ClassReader.EXPAND_FRAMES;
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
    String owner = instrumentedType.getInternalName();
    return new ClassVisitor(Opcodes.ASM9, classVisitor) {
      private boolean frames;

      @Override
      public void visit(
          int version,
          int access,
          String name,
          String signature,
          String superName,
          String[] interfaces) {
        frames = (version & 0xFFFF) >= Opcodes.V1_6;
        super.visit(version, access, name, signature, superName, interfaces);
      }

      @Override
      public MethodVisitor visitMethod(
          int access, String name, String descriptor, String signature, String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        if (!name.equals("connect")
            || !descriptor.equals(DESCRIPTOR)
            || (access & Opcodes.ACC_BRIDGE) == 0
            || (access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
          return next;
        }
        return new MethodVisitor(Opcodes.ASM9, next) {
          @Override
          public void visitInsn(int opcode) {
            if (opcode == Opcodes.ARETURN) {
              refuseIfCovered(this.mv, owner, frames);
            }
            super.visitInsn(opcode);
          }
        };
      }
    };
  }

  /** With the connection on the stack: refuses it when covered, else leaves it there. */
  private void refuseIfCovered(MethodVisitor mv, String owner, boolean frames) {
    Label keep = new Label();
    mv.visitInsn(Opcodes.DUP);
    mv.visitJumpInsn(Opcodes.IFNULL, keep);
    if (!coveredDatabases.isEmpty()) {
      mv.visitVarInsn(Opcodes.ALOAD, 1);
      mv.visitJumpInsn(Opcodes.IFNULL, keep);
      mv.visitVarInsn(Opcodes.ALOAD, 1);
      mv.visitLdcInsn(coveredDatabases);
      mv.visitMethodInsn(
          Opcodes.INVOKEVIRTUAL, "java/lang/String", "matches", "(Ljava/lang/String;)Z", false);
      mv.visitJumpInsn(Opcodes.IFEQ, keep);
    }
    mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/sql/Connection", "close", "()V", true);
    mv.visitTypeInsn(Opcodes.NEW, "java/sql/SQLException");
    mv.visitInsn(Opcodes.DUP);
    mv.visitLdcInsn(message);
    mv.visitLdcInsn("08001");
    mv.visitMethodInsn(
        Opcodes.INVOKESPECIAL,
        "java/sql/SQLException",
        "<init>",
        "(Ljava/lang/String;Ljava/lang/String;)V",
        false);
    mv.visitInsn(Opcodes.ATHROW);
    mv.visitLabel(keep);
    if (frames) {
      mv.visitFrame(
          Opcodes.F_NEW,
          3,
          new Object[] {owner, "java/lang/String", "java/util/Properties"},
          1,
          new Object[] {"java/sql/Connection"});
    }
  }
}
