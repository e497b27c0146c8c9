package io.cloak.agent.file.instrument;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import net.bytebuddy.dynamic.loading.ClassInjector;

/**
 * Defines {@code io.cloak.agent.boot.FileHooks} and its {@code Handler} in the bootstrap class
 * loader (or, where the JVM does not allow that, appends them to the bootstrap class path), so that
 * advice inlined into {@code java.base} can call them. The class files are read as resources of the
 * agent's own loader: this class never refers to {@code FileHooks}, so it cannot load it through
 * the system class loader by accident.
 */
public final class BootstrapInjection {
  /** The classes put on the bootstrap class path. */
  static final String HOOKS = "io.cloak.agent.boot.FileHooks";

  static final String HANDLER = HOOKS + "$Handler";

  private static boolean injected;

  private BootstrapInjection() {}

  /**
   * Defines the two classes in the boot loader, or, where the JVM does not allow that, writes them
   * to a small temporary jar (deleted when the JVM exits) and adds it to the bootstrap class path;
   * then checks that the JVM loads them from there. Runs once; later calls return at once.
   *
   * @throws IllegalStateException if a class was loaded elsewhere already or cannot be read
   */
  public static synchronized void injectFileHooks(Instrumentation inst) throws IOException {
    if (injected) {
      return; // the preparing thread and the instrumenting thread both ask
    }
    injected = true;
    ClassLoader own = BootstrapInjection.class.getClassLoader();
    // Preferred: define the two classes straight in the boot loader. Appending a jar to the
    // bootstrap class path works too, but makes the JVM print a class-data-sharing warning on the
    // application's standard output and turns sharing off for application classes.
    ClassInjector.UsingUnsafe.Factory unsafe = ClassInjector.UsingUnsafe.Factory.resolve(inst);
    if (unsafe.isAvailable()) {
      Map<String, byte[]> types = new LinkedHashMap<>();
      for (String name : new String[] {HOOKS, HANDLER}) {
        types.put(name, classFile(own, name));
      }
      unsafe.make(null).injectRaw(types);
      checkLoadedFromBoot(own);
      return;
    }
    File jar = Files.createTempFile("cloak-agent-boot", ".jar").toFile();
    jar.deleteOnExit();
    try (OutputStream file = Files.newOutputStream(jar.toPath());
        JarOutputStream out = new JarOutputStream(file)) {
      for (String name : new String[] {HOOKS, HANDLER}) {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = own.getResourceAsStream(resource)) {
          if (in == null) {
            throw new IllegalStateException("the agent jar lacks " + resource);
          }
          out.putNextEntry(new JarEntry(resource));
          in.transferTo(out);
          out.closeEntry();
        }
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
    checkLoadedFromBoot(own);
  }

  private static byte[] classFile(ClassLoader own, String name) throws IOException {
    String resource = name.replace('.', '/') + ".class";
    try (InputStream in = own.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the agent jar lacks " + resource);
      }
      return in.readAllBytes();
    }
  }

  private static void checkLoadedFromBoot(ClassLoader own) {
    for (String name : new String[] {HOOKS, HANDLER}) {
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
