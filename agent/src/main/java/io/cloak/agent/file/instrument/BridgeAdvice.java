package io.cloak.agent.file.instrument;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Applies advice to one bridge method, which {@code Advice.to(...).on(...)} cannot do: Byte Buddy
 * folds bridge methods into the method they bridge to and never offers them to a method matcher.
 * Needed for {@code UnixFileAttributeViews$Posix.readAttributes()}, whose own method returns the
 * JDK's final {@code UnixFileAttributes} (which the handler's attributes cannot replace) while the
 * bridges returning {@code BasicFileAttributes} / {@code PosixFileAttributes} are what callers of
 * the view interfaces run.
 */
final class BridgeAdvice implements AsmVisitorWrapper {
  private final Advice advice;
  private final String name;
  private final String descriptor;

  BridgeAdvice(Class<?> advice, String name, String descriptor) {
    this.advice = Advice.to(advice);
    this.name = name;
    this.descriptor = descriptor;
  }

  @Override
  public int mergeWriter(int flags) {
    return flags;
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
    return new ClassVisitor(OpenedClassReader.ASM_API, classVisitor) {
      @Override
      public MethodVisitor visitMethod(
          int access, String methodName, String desc, String signature, String[] exceptions) {
        MethodVisitor mv = super.visitMethod(access, methodName, desc, signature, exceptions);
        if ((access & Opcodes.ACC_BRIDGE) == 0
            || !name.equals(methodName)
            || !descriptor.equals(desc)) {
          return mv;
        }
        for (MethodDescription m : instrumentedType.getDeclaredMethods()) {
          if (m.getInternalName().equals(methodName) && m.getDescriptor().equals(desc)) {
            return advice.wrap(
                instrumentedType, m, mv, implementationContext, typePool, writerFlags, readerFlags);
          }
        }
        return mv;
      }
    };
  }
}
