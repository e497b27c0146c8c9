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
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;

/**
 * For a driver, data source or pooled connection whose class loader cannot see the agent: rewrites
 * every {@code return connection} of its bridge methods that return a {@code Connection} (see
 * {@link ConnectionReturns}) into code that uses only JDK classes and, for a covered database,
 * closes the connection and throws an {@code SQLException} instead, as {@code
 * JdbcFeature.RefuseDriverConnect} and {@code RefuseDataSourceConnection} do for non-bridge
 * methods, which {@code Advice} reaches. The database is {@code Driver.connect}'s URL argument, or
 * the connection's {@code getMetaData().getURL()} for {@code getConnection}. Immutable.
 */
final class RefusingBridgeReturns implements AsmVisitorWrapper {
  private static final String CONNECT =
      "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;";
  private static final String GET_CONNECTION = "()Ljava/sql/Connection;";
  private static final String GET_CONNECTION_AS =
      "(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;";

  private final String coveredDatabases; // one regex, "" for every database
  private final String message;
  private final boolean driver;

  private RefusingBridgeReturns(String coveredDatabases, String className, boolean driver) {
    this.coveredDatabases = coveredDatabases;
    this.message = "cloak-agent: " + className + JdbcFeature.REFUSED;
    this.driver = driver;
  }

  /** For the {@code connect(String, Properties)} bridges of a {@code java.sql.Driver}. */
  static RefusingBridgeReturns driverConnect(String coveredDatabases, String className) {
    return new RefusingBridgeReturns(coveredDatabases, className, true);
  }

  /**
   * For the {@code getConnection()} and {@code getConnection(String, String)} bridges of a {@code
   * DataSource} or {@code PooledConnection}.
   */
  static RefusingBridgeReturns getConnection(String coveredDatabases, String className) {
    return new RefusingBridgeReturns(coveredDatabases, className, false);
  }

  private boolean rewrites(String name, String descriptor) {
    return driver
        ? name.equals("connect") && descriptor.equals(CONNECT)
        : name.equals("getConnection")
            && (descriptor.equals(GET_CONNECTION) || descriptor.equals(GET_CONNECTION_AS));
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
        if (!rewrites(name, descriptor)
            || (access & Opcodes.ACC_BRIDGE) == 0
            || (access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
          return next;
        }
        Object[] locals = locals(owner, descriptor);
        return new MethodVisitor(Opcodes.ASM9, next) {
          @Override
          public void visitInsn(int opcode) {
            if (opcode == Opcodes.ARETURN) {
              refuseIfCovered(this.mv, locals, frames);
            }
            super.visitInsn(opcode);
          }
        };
      }
    };
  }

  /** The frame's locals at a return: {@code this} and the parameters. */
  private static Object[] locals(String owner, String descriptor) {
    Type[] parameters = Type.getArgumentTypes(descriptor);
    Object[] locals = new Object[1 + parameters.length];
    locals[0] = owner;
    for (int i = 0; i < parameters.length; i++) {
      locals[i + 1] = parameters[i].getInternalName();
    }
    return locals;
  }

  /** With the connection on the stack: refuses it when covered, else leaves it there. */
  private void refuseIfCovered(MethodVisitor mv, Object[] locals, boolean frames) {
    Label keep = new Label();
    Label keepUrl = new Label();
    mv.visitInsn(Opcodes.DUP);
    mv.visitJumpInsn(Opcodes.IFNULL, keep);
    if (!coveredDatabases.isEmpty()) {
      // stack: connection; then connection, url
      if (driver) {
        mv.visitVarInsn(Opcodes.ALOAD, 1);
      } else {
        mv.visitInsn(Opcodes.DUP);
        mv.visitMethodInsn(
            Opcodes.INVOKEINTERFACE,
            "java/sql/Connection",
            "getMetaData",
            "()Ljava/sql/DatabaseMetaData;",
            true);
        mv.visitMethodInsn(
            Opcodes.INVOKEINTERFACE,
            "java/sql/DatabaseMetaData",
            "getURL",
            "()Ljava/lang/String;",
            true);
      }
      mv.visitInsn(Opcodes.DUP);
      mv.visitJumpInsn(Opcodes.IFNULL, keepUrl);
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
    if (!coveredDatabases.isEmpty()) {
      // a null url: drop it and keep the connection
      mv.visitLabel(keepUrl);
      if (frames) {
        mv.visitFrame(
            Opcodes.F_NEW,
            locals.length,
            locals,
            2,
            new Object[] {"java/sql/Connection", "java/lang/String"});
      }
      mv.visitInsn(Opcodes.POP);
    }
    mv.visitLabel(keep);
    if (frames) {
      mv.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/sql/Connection"});
    }
  }
}
