package io.cloak.agent.file.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.FileSystems;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Retransforms the JDK classes that read and write files so that they call {@code
 * io.cloak.agent.boot.FileHooks} ({@link StreamAdvice}, {@link NioAdvice}). Must run after {@code
 * FileHooks} was put on the bootstrap class path and its handler installed. Every target class is
 * loaded first, so that all of them are retransformed now; a class that cannot be instrumented
 * stops the application (files would otherwise be written in plaintext).
 */
public final class JdkFileInstrumentation {
  static final String FIS = "java.io.FileInputStream";
  static final String FOS = "java.io.FileOutputStream";
  static final String RAF = "java.io.RandomAccessFile";
  static final String FILE = "java.io.File";
  static final String PROVIDER = "sun.nio.fs.UnixFileSystemProvider";
  static final String BASIC = "sun.nio.fs.UnixFileAttributeViews$Basic";
  static final String POSIX = "sun.nio.fs.UnixFileAttributeViews$Posix";

  static final List<String> TARGETS = List.of(FIS, FOS, RAF, FILE, PROVIDER, BASIC, POSIX);

  private JdkFileInstrumentation() {}

  /**
   * Installs the advice. Returns the short names of the hooked classes.
   *
   * @throws IllegalStateException if the platform is not supported or a class was not hooked
   */
  public static List<String> install(Instrumentation inst) throws ClassNotFoundException {
    if (!inst.isRetransformClassesSupported()) {
      throw new IllegalStateException(
          "file volumes need class retransformation (Can-Retransform-Classes), not available");
    }
    List<Class<?>> targets = new ArrayList<>();
    for (String name : TARGETS) {
      targets.add(Class.forName(name, false, null));
    }
    checkMethodsExist();
    Class<?> provider = Class.forName(PROVIDER, false, null);
    if (!provider.isInstance(FileSystems.getDefault().provider())) {
      throw new IllegalStateException(
          "file volumes support the Unix default file system only, not "
              + FileSystems.getDefault().provider().getClass().getName());
    }
    Class<?> hooks = Class.forName(BootstrapInjection.HOOKS, false, null);
    Set<String> transformed = Collections.synchronizedSet(new LinkedHashSet<>());
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    AgentBuilder.Listener listener =
        new AgentBuilder.Listener.Adapter() {
          @Override
          public void onTransformation(
              TypeDescription type,
              ClassLoader loader,
              JavaModule module,
              boolean loaded,
              DynamicType dynamicType) {
            transformed.add(type.getName());
          }

          @Override
          public void onError(
              String typeName,
              ClassLoader loader,
              JavaModule module,
              boolean loaded,
              Throwable error) {
            errors.add(typeName + ": " + error);
          }
        };
    new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        // only these classes: matching every loaded class of the JVM costs seconds
        .with(
            new AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Explicit(
                targets.toArray(new Class<?>[0])))
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.REDEFINE_FROZEN)
        .with(listener)
        // the default ignores bootstrap classes: here only the JDK classes below are wanted
        .ignore(not(namedOneOf(TARGETS.toArray(new String[0]))))
        .assureReadEdgeTo(inst, hooks)
        .type(named(FIS))
        .transform((b, type, loader, module, domain) -> b.visit(inputStream()))
        .type(named(FOS))
        .transform((b, type, loader, module, domain) -> b.visit(outputStream()))
        .type(named(RAF))
        .transform((b, type, loader, module, domain) -> b.visit(randomAccessFile()))
        .type(named(FILE))
        .transform((b, type, loader, module, domain) -> b.visit(file()))
        .type(named(PROVIDER))
        .transform((b, type, loader, module, domain) -> b.visit(provider()))
        .type(named(BASIC))
        .transform((b, type, loader, module, domain) -> b.visit(basicView()))
        .type(named(POSIX))
        .transform((b, type, loader, module, domain) -> b.visit(posixView()))
        .installOn(inst);
    if (!errors.isEmpty()) {
      throw new IllegalStateException("cannot hook the JDK's file classes: " + errors);
    }
    List<String> missing = new ArrayList<>(TARGETS);
    missing.removeAll(transformed);
    if (!missing.isEmpty()) {
      throw new IllegalStateException("the JDK's file classes were not hooked: " + missing);
    }
    List<String> names = new ArrayList<>();
    for (String name : TARGETS) {
      names.add(name.substring(name.lastIndexOf('.') + 1));
    }
    return names;
  }

  /**
   * The methods the advice targets, as {@code name(parameter types):return type}. Several are
   * private JDK methods: on a JDK where one is missing the advice would silently not apply and
   * files would be written in plaintext, so start-up fails instead.
   */
  static final Map<String, List<String>> REQUIRED =
      Map.of(
          FIS,
          List.of(
              "open(java.lang.String):void",
              "read():int",
              "read([B):int",
              "read([B,int,int):int",
              "readAllBytes():[B",
              "readNBytes(int):[B",
              "skip(long):long",
              "available():int",
              "getChannel():java.nio.channels.FileChannel",
              "close():void"),
          FOS,
          List.of(
              "open(java.lang.String,boolean):void",
              "write(int):void",
              "write([B):void",
              "write([B,int,int):void",
              "getChannel():java.nio.channels.FileChannel",
              "close():void"),
          RAF,
          List.of(
              "open(java.lang.String,int):void",
              "read():int",
              "read([B):int",
              "read([B,int,int):int",
              "write(int):void",
              "write([B):void",
              "write([B,int,int):void",
              "writeBytes(java.lang.String):void",
              "writeChars(java.lang.String):void",
              "skipBytes(int):int",
              "getChannel():java.nio.channels.FileChannel",
              "close():void"),
          FILE,
          List.of("length():long", "renameTo(java.io.File):boolean"),
          PROVIDER,
          List.of(
              "newFileChannel(java.nio.file.Path,java.util.Set,[Ljava.nio.file.attribute.FileAttribute;)"
                  + ":java.nio.channels.FileChannel",
              "newByteChannel(java.nio.file.Path,java.util.Set,[Ljava.nio.file.attribute.FileAttribute;)"
                  + ":java.nio.channels.SeekableByteChannel",
              "copy(java.nio.file.Path,java.nio.file.Path,[Ljava.nio.file.CopyOption;):void",
              "move(java.nio.file.Path,java.nio.file.Path,[Ljava.nio.file.CopyOption;):void"),
          BASIC,
          List.of("readAttributes():java.nio.file.attribute.BasicFileAttributes"),
          POSIX,
          List.of(
              "readAttributes():java.nio.file.attribute.BasicFileAttributes",
              "readAttributes():java.nio.file.attribute.PosixFileAttributes",
              "addRequestedPosixAttributes(java.nio.file.attribute.PosixFileAttributes,"
                  + "sun.nio.fs.AbstractBasicFileAttributeView$AttributesBuilder):void"));

  private static void checkMethodsExist() throws ClassNotFoundException {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : REQUIRED.entrySet()) {
      Set<String> declared = new HashSet<>();
      for (Method m : Class.forName(e.getKey(), false, null).getDeclaredMethods()) {
        StringBuilder sig = new StringBuilder(m.getName()).append('(');
        Class<?>[] params = m.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
          sig.append(i == 0 ? "" : ",").append(params[i].getName());
        }
        declared.add(sig.append("):").append(m.getReturnType().getName()).toString());
      }
      for (String required : e.getValue()) {
        if (!declared.contains(required)) {
          missing.add(e.getKey() + "." + required);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "file volumes do not support this JDK ("
              + System.getProperty("java.version")
              + "): it lacks "
              + missing);
    }
  }

  private static ElementMatcher.Junction<MethodDescription> method(String name, Class<?>... args) {
    return named(name).and(takesArguments(args));
  }

  private static AsmVisitorWrapper.ForDeclaredMethods advice(
      Class<?> advice, ElementMatcher<? super MethodDescription> on) {
    return Advice.to(advice).on(on);
  }

  private static AsmVisitorWrapper inputStream() {
    return new AsmVisitorWrapper.Compound(
        advice(StreamAdvice.InputOpen.class, method("open", String.class)),
        advice(StreamAdvice.ReadByte.class, method("read")),
        advice(StreamAdvice.ReadArray.class, method("read", byte[].class)),
        advice(StreamAdvice.ReadRange.class, method("read", byte[].class, int.class, int.class)),
        advice(StreamAdvice.ReadAllBytes.class, method("readAllBytes")),
        advice(StreamAdvice.ReadNBytes.class, method("readNBytes", int.class)),
        advice(StreamAdvice.Skip.class, method("skip", long.class)),
        advice(StreamAdvice.Available.class, method("available")),
        advice(StreamAdvice.GetChannel.class, method("getChannel")),
        advice(StreamAdvice.Close.class, method("close")));
  }

  private static AsmVisitorWrapper outputStream() {
    return new AsmVisitorWrapper.Compound(
        advice(StreamAdvice.OutputOpen.class, method("open", String.class, boolean.class)),
        advice(StreamAdvice.WriteByte.class, method("write", int.class)),
        advice(StreamAdvice.WriteArray.class, method("write", byte[].class)),
        advice(StreamAdvice.WriteRange.class, method("write", byte[].class, int.class, int.class)),
        advice(StreamAdvice.GetChannel.class, method("getChannel")),
        advice(StreamAdvice.Close.class, method("close")));
  }

  private static AsmVisitorWrapper randomAccessFile() {
    return new AsmVisitorWrapper.Compound(
        advice(StreamAdvice.RandomAccessOpen.class, method("open", String.class, int.class)),
        advice(StreamAdvice.ReadByte.class, method("read")),
        advice(StreamAdvice.ReadArray.class, method("read", byte[].class)),
        advice(StreamAdvice.ReadRange.class, method("read", byte[].class, int.class, int.class)),
        advice(StreamAdvice.WriteByte.class, method("write", int.class)),
        advice(StreamAdvice.WriteArray.class, method("write", byte[].class)),
        advice(StreamAdvice.WriteRange.class, method("write", byte[].class, int.class, int.class)),
        advice(StreamAdvice.WriteStringBytes.class, method("writeBytes", String.class)),
        advice(StreamAdvice.WriteStringChars.class, method("writeChars", String.class)),
        advice(StreamAdvice.SkipBytes.class, method("skipBytes", int.class)),
        advice(StreamAdvice.GetChannel.class, method("getChannel")),
        advice(StreamAdvice.Close.class, method("close")));
  }

  private static AsmVisitorWrapper file() {
    return new AsmVisitorWrapper.Compound(
        advice(NioAdvice.FileLength.class, method("length")),
        advice(NioAdvice.FileRenameTo.class, method("renameTo", java.io.File.class)));
  }

  private static AsmVisitorWrapper provider() {
    ElementMatcher.Junction<MethodDescription> open =
        takesArguments(3).and(takesArgument(0, java.nio.file.Path.class));
    return new AsmVisitorWrapper.Compound(
        advice(NioAdvice.NewFileChannel.class, named("newFileChannel").and(open)),
        advice(NioAdvice.NewByteChannel.class, named("newByteChannel").and(open)),
        advice(NioAdvice.Copy.class, named("copy").and(open)),
        advice(NioAdvice.Move.class, named("move").and(open)));
  }

  private static AsmVisitorWrapper basicView() {
    return advice(
        NioAdvice.BasicAttributes.class,
        named("readAttributes").and(takesArguments(0)).and(not(isBridge())));
  }

  /**
   * {@code Posix}: the bridges {@code readAttributes()} returning {@code BasicFileAttributes} (the
   * provider calls it through {@code BasicFileAttributeView}) and {@code PosixFileAttributes}
   * (direct callers of the view), and the map form ({@code Files.readAttributes(path,
   * "posix:size,...")}), which reads the attributes through the non-bridge method (returning the
   * JDK's final {@code UnixFileAttributes}, which cannot be replaced) and hands them to {@code
   * addRequestedPosixAttributes}.
   */
  private static AsmVisitorWrapper posixView() {
    return new AsmVisitorWrapper.Compound(
        new BridgeAdvice(
            NioAdvice.BasicAttributes.class,
            "readAttributes",
            "()Ljava/nio/file/attribute/BasicFileAttributes;"),
        new BridgeAdvice(
            NioAdvice.PosixAttributes.class,
            "readAttributes",
            "()Ljava/nio/file/attribute/PosixFileAttributes;"),
        advice(
            NioAdvice.PosixRequested.class,
            named("addRequestedPosixAttributes").and(takesArguments(2))));
  }
}
