package io.cloak.agent.file.instrument;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Puts {@code io.cloak.agent.boot.FileHooks} and its {@code Handler} into the bootstrap class
 * loader, so that advice inlined into {@code java.base} can call them. The class files are read as
 * resources of the agent's own loader: this class never refers to {@code FileHooks}, so it cannot
 * load it through the system class loader by accident.
 */
public final class BootstrapInjection {
  /** The classes put on the bootstrap class path. */
  static final String HOOKS = "io.cloak.agent.boot.FileHooks";

  static final String HANDLER = HOOKS + "$Handler";

  private static boolean injected;

  private BootstrapInjection() {}

  /**
   * Defines the two classes in the bootstrap class loader and checks that the JVM now loads them
   * from there. Defines them directly ({@code jdk.internal.misc.Unsafe.defineClass} with the boot
   * loader, exported to the agent through {@link Instrumentation#redefineModule}) so that the
   * bootstrap class path stays as it is: appending to it turns class data sharing off for the
   * application's classes and makes the JVM print a warning. When that is not possible, falls back
   * to a small temporary jar appended to the bootstrap class path. Runs once; later calls return at
   * once.
   *
   * @throws IllegalStateException if a class was loaded elsewhere already or cannot be read
   */
  public static synchronized void injectFileHooks(Instrumentation inst) throws IOException {
    if (injected) {
      return; // the preparing thread and the instrumenting thread both ask
    }
    injected = true;
    ClassLoader own = BootstrapInjection.class.getClassLoader();
    // Handler first: FileHooks refers to it, and the boot loader finds only what it defined
    String[] names = {HANDLER, HOOKS};
    byte[][] classFiles = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      String resource = names[i].replace('.', '/') + ".class";
      try (InputStream in = own.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the agent jar lacks " + resource);
        }
        classFiles[i] = in.readAllBytes();
      }
    }
    if (!defineInBootLoader(inst, names, classFiles)) {
      appendJar(inst, names, classFiles);
    }
    for (String name : names) {
      Class<?> loaded;
      try {
        loaded = Class.forName(name, false, own);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("cannot load " + name + " after injecting it", e);
      }
      if (loaded.getClassLoader() != null) {
        throw new IllegalStateException(
            name
                + " was loaded by "
                + loaded.getClassLoader()
                + " before the agent could put it on the bootstrap class path");
      }
    }
  }

  /** Whether the classes could be defined through the JDK's internal {@code Unsafe}. */
  private static boolean defineInBootLoader(
      Instrumentation inst, String[] names, byte[][] classFiles) {
    try {
      for (String name : names) {
        if (Class.forName(name, false, null) != null) {
          return true; // defined already (a second agent start): nothing to do
        }
      }
    } catch (ClassNotFoundException expected) {
      // not defined yet
    }
    try {
      Module javaBase = Object.class.getModule();
      Module own = BootstrapInjection.class.getModule();
      if (!javaBase.isExported("jdk.internal.misc", own)) {
        inst.redefineModule(
            javaBase,
            Set.of(),
            Map.of("jdk.internal.misc", Set.of(own)),
            Map.of(),
            Set.of(),
            Map.of());
      }
      Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
      Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
      Method define =
          unsafeType.getMethod(
              "defineClass",
              String.class,
              byte[].class,
              int.class,
              int.class,
              ClassLoader.class,
              ProtectionDomain.class);
      for (int i = 0; i < names.length; i++) {
        define.invoke(unsafe, names[i], classFiles[i], 0, classFiles[i].length, null, null);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  /** Writes the classes into a temporary jar (deleted at exit) on the bootstrap class path. */
  private static void appendJar(Instrumentation inst, String[] names, byte[][] classFiles)
      throws IOException {
    File jar = Files.createTempFile("cloak-agent-boot", ".jar").toFile();
    jar.deleteOnExit();
    try (OutputStream file = Files.newOutputStream(jar.toPath());
        JarOutputStream out = new JarOutputStream(file)) {
      for (int i = 0; i < names.length; i++) {
        out.putNextEntry(new JarEntry(names[i].replace('.', '/') + ".class"));
        out.write(classFiles[i]);
        out.closeEntry();
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
  }

  /** Checks that {@code handler} implements the bootstrap {@code FileHooks.Handler}. */
  public static void checkBootstrapHandler(Object handler) throws ClassNotFoundException {
    Class<?> bootHandler = Class.forName(HANDLER, false, null);
    if (!bootHandler.isInstance(handler)) {
      throw new IllegalStateException(
          handler.getClass().getName()
              + " does not implement the bootstrap "
              + HANDLER
              + " (it was loaded before the agent injected FileHooks)");
    }
  }
}
