package io.cloak.agent.file.instrument;

import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * {@code RandomAccessFile.length()} and {@code setLength(long)} are native in JDK 17, so they
 * cannot carry advice. This transformer rewrites their call sites instead, in every class loaded
 * after start-up (JDK classes included): {@code INVOKEVIRTUAL java/io/RandomAccessFile.length()J}
 * becomes {@code INVOKESTATIC io/cloak/agent/boot/FileHooks.length(Ljava/io/RandomAccessFile;)J},
 * and {@code setLength(J)V} likewise. Both have the same stack effect, so the stack map frames stay
 * valid. Classes whose class file does not contain the string {@code java/io/RandomAccessFile} are
 * not parsed. Call sites in classes loaded before start-up, through a subclass of {@code
 * RandomAccessFile} as owner, or through method references are not rewritten.
 *
 * <p>Never throws: a class it cannot rewrite is left unchanged.
 */
public final class RandomAccessFileCallSites implements ClassFileTransformer {
  static final String RAF = "java/io/RandomAccessFile";
  static final String HOOKS = "io/cloak/agent/boot/FileHooks";
  private static final byte[] NEEDLE = RAF.getBytes(StandardCharsets.UTF_8);

  private final Instrumentation inst;
  private final Module hooksModule;

  RandomAccessFileCallSites(Instrumentation inst, Module hooksModule) {
    this.inst = inst;
    this.hooksModule = hooksModule;
  }

  /** Registers the transformer (for classes loaded from now on). */
  public static void register(Instrumentation inst) throws Exception {
    Module hooksModule = Class.forName(BootstrapInjection.HOOKS, false, null).getModule();
    RandomAccessFileCallSites transformer = new RandomAccessFileCallSites(inst, hooksModule);
    // loads the ASM classes now, not while the JVM loads some application class
    try (InputStream in =
        RandomAccessFileCallSites.class.getClassLoader().getResourceAsStream(HOOKS + ".class")) {
      if (in == null || rewrite(in.readAllBytes()) == null) {
        throw new IllegalStateException("cannot rewrite RandomAccessFile call sites");
      }
    }
    inst.addTransformer(transformer, false);
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer) {
    try {
      if (classBeingRedefined != null
          || className == null
          || classfileBuffer == null
          || className.startsWith("io/cloak/")
          || className.startsWith("net/bytebuddy/")
          || className.equals(RAF)
          || !contains(classfileBuffer, NEEDLE)) {
        return null;
      }
      byte[] rewritten = rewrite(classfileBuffer);
      if (rewritten != null && module != null && module.isNamed() && !module.canRead(hooksModule)) {
        inst.redefineModule(module, Set.of(hooksModule), Map.of(), Map.of(), Set.of(), Map.of());
      }
      return rewritten;
    } catch (Throwable e) {
      return null;
    }
  }

  /** The rewritten class file, or {@code null} when it has no call site to rewrite. */
  static byte[] rewrite(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, 0);
    boolean[] changed = {false};
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            return new MethodVisitor(Opcodes.ASM9, next) {
              @Override
              public void visitMethodInsn(
                  int opcode, String owner, String name, String descriptor, boolean isInterface) {
                if (opcode == Opcodes.INVOKEVIRTUAL && RAF.equals(owner)) {
                  if ("length".equals(name) && "()J".equals(descriptor)) {
                    changed[0] = true;
                    super.visitMethodInsn(
                        Opcodes.INVOKESTATIC, HOOKS, "length", "(L" + RAF + ";)J", false);
                    return;
                  }
                  if ("setLength".equals(name) && "(J)V".equals(descriptor)) {
                    changed[0] = true;
                    super.visitMethodInsn(
                        Opcodes.INVOKESTATIC, HOOKS, "setLength", "(L" + RAF + ";J)V", false);
                    return;
                  }
                }
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
              }
            };
          }
        },
        0);
    return changed[0] ? writer.toByteArray() : null;
  }

  /** Whether {@code haystack} contains {@code needle} (a plain scan; class files are small). */
  static boolean contains(byte[] haystack, byte[] needle) {
    byte first = needle[0];
    int last = haystack.length - needle.length;
    outer:
    for (int i = 0; i <= last; i++) {
      if (haystack[i] != first) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
