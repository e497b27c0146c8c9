package io.cloak.agent.file.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.FileSystems;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Retransforms the JDK classes that read and write files so that they call {@code
 * io.cloak.agent.boot.FileHooks}. Must run after {@code FileHooks} was defined in the boot loader.
 * Every target class is loaded first, so that all of them are retransformed now; a class or method
 * that cannot be hooked stops the application (files would otherwise be written in plaintext).
 *
 * <p>The hooks are written with ASM directly rather than with Byte Buddy's advice: the JVM then
 * loads a few dozen classes for them instead of about a thousand, which was most of the agent's
 * start-up time. Each hook is a few instructions that call one static method of {@code FileHooks}
 * (see {@link Hook.Kind}); the logic stays in Java there. The stack map frames of the original code
 * stay valid: the hooks add no local variables, and each frame they add either holds the method's
 * arguments and one value on the stack (so it never falls on the offset of a frame of the original
 * code) or follows the original code.
 *
 * <p>The transformer stays registered, so that a later retransformation (by another agent) keeps
 * the hooks. It transforms nothing but the seven classes below.
 */
public final class JdkFileInstrumentation implements ClassFileTransformer {
  static final String FIS = "java.io.FileInputStream";
  static final String FOS = "java.io.FileOutputStream";
  static final String RAF = "java.io.RandomAccessFile";
  static final String FILE = "java.io.File";
  static final String PROVIDER = "sun.nio.fs.UnixFileSystemProvider";
  static final String BASIC = "sun.nio.fs.UnixFileAttributeViews$Basic";
  static final String POSIX = "sun.nio.fs.UnixFileAttributeViews$Posix";

  static final List<String> TARGETS = List.of(FIS, FOS, RAF, FILE, PROVIDER, BASIC, POSIX);

  static final String HOOKS = "io/cloak/agent/boot/FileHooks";

  /** Extra operand stack the hooks need on top of the original method's. */
  private static final int EXTRA_STACK = 4;

  /** Every hook, keyed by the internal name of its class. */
  static final Map<String, List<Hook>> HOOKS_BY_CLASS = hooks();

  /** Hooks applied so far, as {@link Hook#id()}. */
  private final Set<String> applied = Collections.synchronizedSet(new LinkedHashSet<>());

  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());

  private JdkFileInstrumentation() {}

  /**
   * Installs the hooks. Returns the short names of the hooked classes.
   *
   * @throws IllegalStateException if the platform is not supported or a method was not hooked
   */
  public static List<String> install(Instrumentation inst) throws Exception {
    if (!inst.isRetransformClassesSupported()) {
      throw new IllegalStateException(
          "file volumes need class retransformation (Can-Retransform-Classes), not available");
    }
    List<Class<?>> targets = new ArrayList<>();
    for (String name : TARGETS) {
      targets.add(Class.forName(name, false, null));
    }
    Class<?> provider = targets.get(TARGETS.indexOf(PROVIDER));
    if (!provider.isInstance(FileSystems.getDefault().provider())) {
      throw new IllegalStateException(
          "file volumes support the Unix default file system only, not "
              + FileSystems.getDefault().provider().getClass().getName());
    }
    // the hooked classes are in java.base, which must read the boot loader's unnamed module
    Module hooks = Class.forName(BootstrapInjection.HOOKS, false, null).getModule();
    Module base = Object.class.getModule();
    if (!base.canRead(hooks)) {
      inst.redefineModule(base, Set.of(hooks), Map.of(), Map.of(), Set.of(), Map.of());
    }
    JdkFileInstrumentation transformer = new JdkFileInstrumentation();
    inst.addTransformer(transformer, true);
    try {
      inst.retransformClasses(targets.toArray(new Class<?>[0]));
    } catch (Exception | LinkageError e) {
      inst.removeTransformer(transformer);
      throw new IllegalStateException("cannot hook the JDK's file classes: " + e, e);
    }
    List<String> problems = new ArrayList<>(transformer.errors);
    for (List<Hook> list : HOOKS_BY_CLASS.values()) {
      for (Hook hook : list) {
        if (!transformer.applied.contains(hook.id())) {
          problems.add("lacks " + hook.describe());
        }
      }
    }
    if (!problems.isEmpty()) {
      // leave no class half-hooked: the application does not start anyway
      inst.removeTransformer(transformer);
      inst.retransformClasses(targets.toArray(new Class<?>[0]));
      throw new IllegalStateException(
          "file volumes do not support this JDK ("
              + System.getProperty("java.version")
              + "): "
              + problems);
    }
    List<String> names = new ArrayList<>();
    for (String name : TARGETS) {
      names.add(name.substring(name.lastIndexOf('.') + 1));
    }
    return names;
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer) {
    if (loader != null || className == null) {
      return null;
    }
    List<Hook> hooks = HOOKS_BY_CLASS.get(className);
    if (hooks == null) {
      return null;
    }
    try {
      return instrument(classfileBuffer, hooks, applied);
    } catch (Throwable e) {
      errors.add(className + ": " + e);
      return null;
    }
  }

  /**
   * The class file with {@code hooks} applied; adds the {@link Hook#id()} of each applied hook to
   * {@code applied}.
   *
   * @throws IllegalStateException if a hook does not fit the method's code
   */
  static byte[] instrument(byte[] classFile, List<Hook> hooks, Set<String> applied) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, 0);
    String owner = reader.getClassName();
    List<String> done = new ArrayList<>();
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            boolean bridge = (access & Opcodes.ACC_BRIDGE) != 0;
            for (Hook hook : hooks) {
              if (hook.name.equals(name)
                  && hook.descriptor.equals(descriptor)
                  && hook.bridge == bridge
                  && (access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE))
                      == 0) {
                done.add(hook.id());
                return new HookWriter(next, hook, owner, descriptor);
              }
            }
            return next;
          }
        },
        ClassReader.EXPAND_FRAMES);
    byte[] result = writer.toByteArray();
    applied.addAll(done);
    return result;
  }

  /** One method to hook, and how. Immutable. */
  static final class Hook {
    /** How a method is hooked. {@link #call} names the {@code FileHooks} method it calls. */
    enum Kind {
      /**
       * A stream method: {@code h = FileHooks.handle(this)}; when not null, returns {@code
       * FileHooks.<call>(h, arguments...)} and skips the method's own code.
       */
      STREAM,
      /** At every return: {@code FileHooks.afterOpen(this, path, <constant>, false)}. */
      INPUT_OPEN,
      /**
       * {@code FileOutputStream.open(path, append)}: the {@code append} passed to the native {@code
       * open0} becomes {@code FileHooks.nativeAppend(path, append)}, and at every return {@code
       * FileHooks.afterOpen(this, path, <constant>, append)}.
       */
      OUTPUT_OPEN,
      /** At every return: {@code FileHooks.afterRandomAccessOpen(this, path, mode)}. */
      RANDOM_ACCESS_OPEN,
      /**
       * A stream's constructor from a {@code FileDescriptor}, on entry (before the superclass
       * constructor, without touching {@code this}): {@code FileHooks.<call>(fd, constant)}.
       */
      DESCRIPTOR,
      /**
       * {@code close()}: after the method's code, whether it returns or throws, {@code
       * FileHooks.closed(this)} (or {@code closedAfterFailure}).
       */
      CLOSE,
      /** At every return of {@code File.length()}: {@code FileHooks.fileLength(value, this)}. */
      FILE_LENGTH,
      /** {@code File.renameTo}: returns false when {@code FileHooks.renameRefused} says so. */
      RENAME,
      /**
       * The provider's channel factories: returns {@code FileHooks.<call>(this, arguments...)} when
       * that is not null (a file of a volume), else runs the method's own code.
       */
      CHANNEL,
      /** {@code copy}/{@code move}: returns at once when {@code FileHooks.<call>} did it. */
      DONE_BY_HOOK,
      /** At every return: returns {@code FileHooks.<call>(value, this.file)} instead. */
      ATTRIBUTES,
      /** On entry: argument 1 becomes {@code FileHooks.<call>(argument 1, this.file)}. */
      REQUESTED_ATTRIBUTES
    }

    final String owner;
    final String name;
    final String descriptor;
    final boolean bridge;
    final Kind kind;
    final String call;
    final int constant;

    Hook(
        String owner,
        String name,
        String descriptor,
        boolean bridge,
        Kind kind,
        String call,
        int constant) {
      this.owner = owner;
      this.name = name;
      this.descriptor = descriptor;
      this.bridge = bridge;
      this.kind = kind;
      this.call = call;
      this.constant = constant;
    }

    String id() {
      return owner + "." + name + descriptor + (bridge ? " (bridge)" : "");
    }

    String describe() {
      return owner.replace('/', '.') + "." + name + descriptor + (bridge ? " (bridge)" : "");
    }
  }

  private static Map<String, List<Hook>> hooks() {
    Map<String, List<Hook>> all = new LinkedHashMap<>();
    String fis = internal(FIS);
    String fos = internal(FOS);
    String raf = internal(RAF);
    String channel = "()Ljava/nio/channels/FileChannel;";
    // the constants are FileHooks.Handler.FILE_INPUT_STREAM (0) and FILE_OUTPUT_STREAM (1)
    add(all, fis, "open", "(Ljava/lang/String;)V", false, Hook.Kind.INPUT_OPEN, "afterOpen", 0);
    String fromDescriptor = "(Ljava/io/FileDescriptor;)V";
    add(all, fis, "<init>", fromDescriptor, false, Hook.Kind.DESCRIPTOR, "checkDescriptor", 0);
    streams(all, fis, "read", "()I", "([B)I", "([BII)I");
    streams(all, fis, "readAllBytes", "()[B");
    streams(all, fis, "readNBytes", "(I)[B");
    streams(all, fis, "skip", "(J)J");
    streams(all, fis, "available", "()I");
    streams(all, fis, "getChannel", channel);
    add(all, fis, "close", "()V", false, Hook.Kind.CLOSE, "closed", 0);

    add(all, fos, "open", "(Ljava/lang/String;Z)V", false, Hook.Kind.OUTPUT_OPEN, "afterOpen", 1);
    add(all, fos, "<init>", fromDescriptor, false, Hook.Kind.DESCRIPTOR, "checkDescriptor", 1);
    streams(all, fos, "write", "(I)V", "([B)V", "([BII)V");
    streams(all, fos, "getChannel", channel);
    add(all, fos, "close", "()V", false, Hook.Kind.CLOSE, "closed", 0);

    add(
        all,
        raf,
        "open",
        "(Ljava/lang/String;I)V",
        false,
        Hook.Kind.RANDOM_ACCESS_OPEN,
        "afterRandomAccessOpen",
        0);
    streams(all, raf, "read", "()I", "([B)I", "([BII)I");
    streams(all, raf, "write", "(I)V", "([B)V", "([BII)V");
    streams(all, raf, "writeBytes", "(Ljava/lang/String;)V");
    streams(all, raf, "writeChars", "(Ljava/lang/String;)V");
    streams(all, raf, "skipBytes", "(I)I");
    streams(all, raf, "getChannel", channel);
    add(all, raf, "close", "()V", false, Hook.Kind.CLOSE, "closed", 0);

    String file = internal(FILE);
    add(all, file, "length", "()J", false, Hook.Kind.FILE_LENGTH, "fileLength", 0);
    add(all, file, "renameTo", "(Ljava/io/File;)Z", false, Hook.Kind.RENAME, "renameRefused", 0);

    String provider = internal(PROVIDER);
    String open = "(Ljava/nio/file/Path;Ljava/util/Set;[Ljava/nio/file/attribute/FileAttribute;)";
    add(
        all,
        provider,
        "newFileChannel",
        open + "Ljava/nio/channels/FileChannel;",
        false,
        Hook.Kind.CHANNEL,
        "newFileChannel",
        0);
    add(
        all,
        provider,
        "newByteChannel",
        open + "Ljava/nio/channels/SeekableByteChannel;",
        false,
        Hook.Kind.CHANNEL,
        "newByteChannel",
        0);
    add(
        all,
        provider,
        "newAsynchronousFileChannel",
        "(Ljava/nio/file/Path;Ljava/util/Set;Ljava/util/concurrent/ExecutorService;"
            + "[Ljava/nio/file/attribute/FileAttribute;)"
            + "Ljava/nio/channels/AsynchronousFileChannel;",
        false,
        Hook.Kind.CHANNEL,
        "newAsynchronousFileChannel",
        0);
    String transfer = "(Ljava/nio/file/Path;Ljava/nio/file/Path;[Ljava/nio/file/CopyOption;)V";
    add(all, provider, "copy", transfer, false, Hook.Kind.DONE_BY_HOOK, "copy", 0);
    add(all, provider, "move", transfer, false, Hook.Kind.DONE_BY_HOOK, "move", 0);

    String basicAttributes = "()Ljava/nio/file/attribute/BasicFileAttributes;";
    String posixAttributes = "()Ljava/nio/file/attribute/PosixFileAttributes;";
    String basic = internal(BASIC);
    String posix = internal(POSIX);
    add(
        all,
        basic,
        "readAttributes",
        basicAttributes,
        false,
        Hook.Kind.ATTRIBUTES,
        "basicAttributes",
        0);
    // Posix's own readAttributes() returns the JDK's final UnixFileAttributes, which cannot be
    // replaced; callers of the view interfaces run its bridges
    add(
        all,
        posix,
        "readAttributes",
        basicAttributes,
        true,
        Hook.Kind.ATTRIBUTES,
        "basicAttributes",
        0);
    add(
        all,
        posix,
        "readAttributes",
        posixAttributes,
        true,
        Hook.Kind.ATTRIBUTES,
        "posixAttributes",
        0);
    // the map form (Files.readAttributes(path, "posix:size,...")) hands the attributes from the
    // non-bridge readAttributes() to this method
    add(
        all,
        posix,
        "addRequestedPosixAttributes",
        "(Ljava/nio/file/attribute/PosixFileAttributes;"
            + "Lsun/nio/fs/AbstractBasicFileAttributeView$AttributesBuilder;)V",
        false,
        Hook.Kind.REQUESTED_ATTRIBUTES,
        "posixAttributes",
        0);
    Map<String, List<Hook>> frozen = new LinkedHashMap<>();
    all.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(frozen);
  }

  private static void streams(
      Map<String, List<Hook>> all, String owner, String name, String... descriptors) {
    for (String descriptor : descriptors) {
      add(all, owner, name, descriptor, false, Hook.Kind.STREAM, name, 0);
    }
  }

  private static void add(
      Map<String, List<Hook>> all,
      String owner,
      String name,
      String descriptor,
      boolean bridge,
      Hook.Kind kind,
      String call,
      int constant) {
    all.computeIfAbsent(owner, k -> new ArrayList<>())
        .add(new Hook(owner, name, descriptor, bridge, kind, call, constant));
  }

  private static String internal(String className) {
    return className.replace('.', '/');
  }

  /**
   * Writes one hooked method: the original code with the hook's instructions around it. The hook's
   * own instructions go straight to the next visitor; the overridden {@code visit...Insn} methods
   * see only the original code.
   */
  static final class HookWriter extends MethodVisitor {
    private static final String ATTRIBUTES_OWNER = internal(BASIC);
    private static final String UNIX_PATH = "Lsun/nio/fs/UnixPath;";

    private final Hook hook;
    private final String owner;
    private final Type[] arguments;
    private final Type returnType;

    /** {@code FileOutputStream.open}: how many calls of {@code open0} were changed. */
    private int nativeOpens;

    /** {@link Hook.Kind#CLOSE}: the ranges of original code the failure handler covers. */
    private final List<Label[]> covered = new ArrayList<>();

    private Label rangeStart;
    private boolean rangeHasCode;

    HookWriter(MethodVisitor next, Hook hook, String owner, String descriptor) {
      super(Opcodes.ASM9, next);
      this.hook = hook;
      this.owner = owner;
      this.arguments = Type.getArgumentTypes(descriptor);
      this.returnType = Type.getReturnType(descriptor);
    }

    @Override
    public void visitCode() {
      super.visitCode();
      switch (hook.kind) {
        case STREAM:
          streamPrologue();
          break;
        case RENAME:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          loadArguments();
          callHooks(hook.call, "(Ljava/io/File;Ljava/io/File;)I");
          returnIfNonZero(Opcodes.ICONST_0);
          break;
        case CHANNEL:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          loadArguments();
          callHooks(
              hook.call,
              "(Ljava/lang/Object;"
                  + hook.descriptor.substring(1, hook.descriptor.indexOf(')') + 1)
                  + returnType.getDescriptor());
          // the channel over the plaintext, or null: run the provider's own code
          super.visitInsn(Opcodes.DUP);
          Label own = new Label();
          super.visitJumpInsn(Opcodes.IFNULL, own);
          super.visitInsn(Opcodes.ARETURN);
          startOriginal(own, returnType.getInternalName());
          break;
        case DESCRIPTOR:
          super.visitVarInsn(Opcodes.ALOAD, 1);
          pushSmallInt(hook.constant);
          callHooks(hook.call, "(Ljava/io/FileDescriptor;I)V");
          break;
        case DONE_BY_HOOK:
          loadArguments();
          callHooks(hook.call, hook.descriptor.substring(0, hook.descriptor.indexOf(')')) + ")I");
          returnIfNonZero(-1);
          break;
        case REQUESTED_ATTRIBUTES:
          super.visitVarInsn(Opcodes.ALOAD, 1);
          loadFileField();
          callHooks(
              hook.call,
              "(Ljava/nio/file/attribute/PosixFileAttributes;Ljava/nio/file/Path;)"
                  + "Ljava/nio/file/attribute/PosixFileAttributes;");
          super.visitVarInsn(Opcodes.ASTORE, 1);
          break;
        case CLOSE:
          newRange();
          break;
        default:
          break; // the other kinds act at the returns
      }
    }

    /**
     * {@code h = FileHooks.handle(this); if (h != null) return FileHooks.<call>(h, args...);} with
     * {@code h} kept on the stack, so that no local variable is added.
     */
    private void streamPrologue() {
      super.visitVarInsn(Opcodes.ALOAD, 0);
      callHooks("handle", "(Ljava/lang/Object;)Ljava/lang/Object;");
      super.visitInsn(Opcodes.DUP);
      Label own = new Label();
      super.visitJumpInsn(Opcodes.IFNULL, own);
      loadArguments();
      StringBuilder descriptor = new StringBuilder("(Ljava/lang/Object;");
      for (Type argument : arguments) {
        descriptor.append(argument.getDescriptor());
      }
      callHooks(hook.call, descriptor.append(')').append(returnType.getDescriptor()).toString());
      super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
      startOriginal(own, "java/lang/Object");
    }

    /**
     * With an int on the stack: when it is not zero, drops it and returns ({@code constant} pushed
     * first, unless -1 for a void method); else drops it and runs the original code.
     */
    private void returnIfNonZero(int constant) {
      super.visitInsn(Opcodes.DUP);
      Label own = new Label();
      super.visitJumpInsn(Opcodes.IFEQ, own);
      super.visitInsn(Opcodes.POP);
      if (constant >= 0) {
        super.visitInsn(constant);
      }
      super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
      startOriginal(own, Opcodes.INTEGER);
    }

    /**
     * Places {@code label} with a frame of the method's arguments and {@code onStack} on the stack,
     * then pops that value: the original code follows with the stack empty, as on entry.
     */
    private void startOriginal(Label label, Object onStack) {
      super.visitLabel(label);
      Object[] locals = entryLocals();
      super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {onStack});
      super.visitInsn(Opcodes.POP);
    }

    @Override
    public void visitMethodInsn(
        int opcode, String methodOwner, String name, String descriptor, boolean isInterface) {
      if (hook.kind == Hook.Kind.OUTPUT_OPEN
          && opcode == Opcodes.INVOKEVIRTUAL
          && methodOwner.equals(owner)
          && name.equals("open0")
          && descriptor.equals("(Ljava/lang/String;Z)V")) {
        // stack: this, name, append -> this, name, FileHooks.nativeAppend(name, append)
        super.visitVarInsn(Opcodes.ALOAD, 1);
        super.visitInsn(Opcodes.SWAP);
        callHooks("nativeAppend", "(Ljava/lang/String;Z)Z");
        nativeOpens++;
      }
      rangeHasCode = true;
      super.visitMethodInsn(opcode, methodOwner, name, descriptor, isInterface);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        beforeReturn();
      }
      rangeHasCode = true;
      super.visitInsn(opcode);
      if (hook.kind == Hook.Kind.CLOSE && opcode == Opcodes.RETURN) {
        newRange();
      }
    }

    // every other instruction of the original code marks the current range as holding code

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
      rangeHasCode = true;
      super.visitVarInsn(opcode, varIndex);
    }

    @Override
    public void visitFieldInsn(int opcode, String fieldOwner, String name, String descriptor) {
      rangeHasCode = true;
      super.visitFieldInsn(opcode, fieldOwner, name, descriptor);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
      rangeHasCode = true;
      super.visitJumpInsn(opcode, label);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
      rangeHasCode = true;
      super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
      rangeHasCode = true;
      super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitLdcInsn(Object value) {
      rangeHasCode = true;
      super.visitLdcInsn(value);
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
      rangeHasCode = true;
      super.visitIincInsn(varIndex, increment);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
      rangeHasCode = true;
      super.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
      rangeHasCode = true;
      super.visitLookupSwitchInsn(dflt, keys, labels);
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
      rangeHasCode = true;
      super.visitMultiANewArrayInsn(descriptor, numDimensions);
    }

    @Override
    public void visitInvokeDynamicInsn(
        String name, String descriptor, Handle bootstrap, Object... bootstrapArguments) {
      rangeHasCode = true;
      super.visitInvokeDynamicInsn(name, descriptor, bootstrap, bootstrapArguments);
    }

    private void beforeReturn() {
      switch (hook.kind) {
        case INPUT_OPEN:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          super.visitVarInsn(Opcodes.ALOAD, 1);
          pushSmallInt(hook.constant);
          super.visitInsn(Opcodes.ICONST_0);
          callHooks(hook.call, "(Ljava/lang/Object;Ljava/lang/String;IZ)V");
          break;
        case OUTPUT_OPEN:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          super.visitVarInsn(Opcodes.ALOAD, 1);
          pushSmallInt(hook.constant);
          super.visitVarInsn(Opcodes.ILOAD, 2); // what the application asked for
          callHooks(hook.call, "(Ljava/lang/Object;Ljava/lang/String;IZ)V");
          break;
        case RANDOM_ACCESS_OPEN:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          super.visitVarInsn(Opcodes.ALOAD, 1);
          super.visitVarInsn(Opcodes.ILOAD, 2);
          callHooks(hook.call, "(Ljava/lang/Object;Ljava/lang/String;I)V");
          break;
        case CLOSE:
          endRange();
          super.visitVarInsn(Opcodes.ALOAD, 0);
          callHooks(hook.call, "(Ljava/lang/Object;)V");
          break;
        case FILE_LENGTH:
          super.visitVarInsn(Opcodes.ALOAD, 0);
          callHooks(hook.call, "(JLjava/io/File;)J");
          break;
        case ATTRIBUTES:
          loadFileField();
          String attributes = returnType.getDescriptor();
          callHooks(hook.call, "(" + attributes + "Ljava/nio/file/Path;)" + attributes);
          break;
        default:
          break; // the other kinds act on entry
      }
    }

    /** {@link Hook.Kind#CLOSE}: starts a range of original code. */
    private void newRange() {
      rangeStart = new Label();
      rangeHasCode = false;
      super.visitLabel(rangeStart);
    }

    /** {@link Hook.Kind#CLOSE}: ends the current range, kept if it holds any instruction. */
    private void endRange() {
      if (rangeStart != null && rangeHasCode) {
        Label end = new Label();
        super.visitLabel(end);
        covered.add(new Label[] {rangeStart, end});
      }
      rangeStart = null;
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      if (hook.kind == Hook.Kind.OUTPUT_OPEN && nativeOpens != 1) {
        throw new IllegalStateException(
            hook.describe() + " calls open0 " + nativeOpens + " times, expected once");
      }
      if (hook.kind == Hook.Kind.CLOSE) {
        endRange();
        if (covered.isEmpty()) {
          throw new IllegalStateException(hook.describe() + " has no code to cover");
        }
        // after the original code: catch what it throws, release the stream, rethrow
        Label handler = new Label();
        super.visitLabel(handler);
        super.visitFrame(
            Opcodes.F_NEW, 1, new Object[] {owner}, 1, new Object[] {"java/lang/Throwable"});
        super.visitVarInsn(Opcodes.ALOAD, 0);
        callHooks(
            "closedAfterFailure", "(Ljava/lang/Throwable;Ljava/lang/Object;)Ljava/lang/Throwable;");
        super.visitInsn(Opcodes.ATHROW);
        // last in the exception table, so the original code's own handlers come first
        for (Label[] range : covered) {
          super.visitTryCatchBlock(range[0], range[1], handler, null);
        }
      }
      super.visitMaxs(maxStack + EXTRA_STACK, maxLocals);
    }

    private void loadArguments() {
      int slot = 1;
      for (Type argument : arguments) {
        super.visitVarInsn(argument.getOpcode(Opcodes.ILOAD), slot);
        slot += argument.getSize();
      }
    }

    private void loadFileField() {
      super.visitVarInsn(Opcodes.ALOAD, 0);
      super.visitFieldInsn(Opcodes.GETFIELD, ATTRIBUTES_OWNER, "file", UNIX_PATH);
    }

    private void pushSmallInt(int value) {
      if (value < 0 || value > 5) {
        throw new IllegalArgumentException("not an ICONST value: " + value);
      }
      super.visitInsn(Opcodes.ICONST_0 + value);
    }

    private void callHooks(String name, String descriptor) {
      super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, name, descriptor, false);
    }

    /** The locals at method entry, in the form of an expanded frame. */
    private Object[] entryLocals() {
      Object[] locals = new Object[arguments.length + 1];
      locals[0] = owner;
      for (int i = 0; i < arguments.length; i++) {
        locals[i + 1] = frameType(arguments[i]);
      }
      return locals;
    }

    private static Object frameType(Type type) {
      switch (type.getSort()) {
        case Type.BOOLEAN:
        case Type.BYTE:
        case Type.CHAR:
        case Type.SHORT:
        case Type.INT:
          return Opcodes.INTEGER;
        case Type.LONG:
          return Opcodes.LONG;
        case Type.FLOAT:
          return Opcodes.FLOAT;
        case Type.DOUBLE:
          return Opcodes.DOUBLE;
        default:
          return type.getInternalName();
      }
    }
  }
}
