package io.cloak.agent.file;

import io.cloak.agent.AgentFeature;
import io.cloak.agent.CallGuard;
import io.cloak.agent.boot.FileHooks;
import io.cloak.agent.file.instrument.BootstrapInjection;
import io.cloak.agent.file.instrument.JdkFileInstrumentation;
import io.cloak.agent.file.instrument.RandomAccessFileCallSites;
import io.cloak.config.CloakConfig;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encrypted volumes: defines {@link FileHooks} in the bootstrap class loader, installs the {@link
 * FileHooks.Handler} its factory creates, and retransforms the JDK's file classes ({@code
 * FileInputStream}, {@code FileOutputStream}, {@code RandomAccessFile}, {@code File}, the default
 * file system provider and its attribute views) so that they call the handler (see {@link
 * JdkFileInstrumentation}). Call sites of the native {@code RandomAccessFile.length()} / {@code
 * setLength(long)} in classes loaded later are rewritten by {@link RandomAccessFileCallSites}.
 *
 * <p>Order matters: nothing may load {@code FileHooks} (or a class implementing its {@code
 * Handler}) through the system class loader before {@link #prepare} injected it into the bootstrap
 * loader, or the JDK's advice and the handler would see two different {@code FileHooks} classes.
 * That is why the handler is created by a factory inside {@link #prepare}, and why {@link
 * #handlerClass} names the handler class instead of referring to it.
 */
public final class FileFeature implements AgentFeature {
  /** Creates the handler once {@code FileHooks} is a bootstrap class. */
  @FunctionalInterface
  public interface HandlerFactory {
    FileHooks.Handler create(CloakConfig config) throws Exception;
  }

  private final HandlerFactory factory;
  private volatile List<String> hooked = List.of();

  public FileFeature(HandlerFactory factory) {
    this.factory = factory;
  }

  /**
   * A factory that loads {@code className} (through this class's loader) and calls its public
   * static {@code create(CloakConfig)} method, or else its public constructor taking a {@link
   * CloakConfig}. The class is only loaded when the factory runs.
   *
   * <p>Use this, not a lambda or method reference, for a factory built before {@link #prepare}: the
   * JVM resolves a lambda's method type (which names {@code FileHooks.Handler}) when the lambda is
   * created, loading {@code FileHooks.Handler} through the system class loader too early.
   */
  public static HandlerFactory handlerClass(String className) {
    return new ByClassName(className);
  }

  /** See {@link #handlerClass}; a named class on purpose (see there). */
  private static final class ByClassName implements HandlerFactory {
    private final String className;

    ByClassName(String className) {
      this.className = className;
    }

    @Override
    public FileHooks.Handler create(CloakConfig config) throws Exception {
      Class<?> type = Class.forName(className, true, FileFeature.class.getClassLoader());
      Object handler;
      try {
        handler =
            hasStaticCreate(type)
                ? type.getMethod("create", CloakConfig.class).invoke(null, config)
                : type.getConstructor(CloakConfig.class).newInstance(config);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception) {
          throw (Exception) cause;
        }
        throw e;
      }
      return (FileHooks.Handler) handler;
    }
  }

  private static boolean hasStaticCreate(Class<?> type) {
    try {
      return java.lang.reflect.Modifier.isStatic(
          type.getMethod("create", CloakConfig.class).getModifiers());
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  @Override
  public String name() {
    return "files";
  }

  @Override
  public boolean usesSharedBuilder() {
    return false; // the JDK classes are retransformed by JdkFileInstrumentation alone
  }

  @Override
  public boolean enabled(CloakConfig config) {
    return !config.volumes().isEmpty();
  }

  @Override
  public void prepare(CloakConfig config, Instrumentation inst) throws Exception {
    // must run before anything below touches FileHooks
    BootstrapInjection.injectFileHooks(inst);
    // lets the handler make its shared raw channels uninterruptible: an interrupt of one
    // application thread must not close a file every other thread is using
    Module base = Object.class.getModule();
    inst.redefineModule(
        base,
        Set.of(),
        Map.of("sun.nio.ch", Set.of(FileFeature.class.getModule())),
        Map.of(),
        Set.of(),
        Map.of());
    FileHooks.Handler handler = CallGuard.internal(() -> factory.create(config));
    if (handler == null) {
      throw new IllegalStateException("the file volume handler factory returned null");
    }
    BootstrapInjection.checkBootstrapHandler(handler);
    FileHooks.install(handler);
  }

  @Override
  public void installSeparately(Instrumentation inst) throws Exception {
    // may run before prepare() on another thread: the advice needs FileHooks in the boot loader
    BootstrapInjection.injectFileHooks(inst);
    hooked = JdkFileInstrumentation.install(inst);
    RandomAccessFileCallSites.register(inst);
  }

  @Override
  public String details() {
    return hooked.isEmpty() ? "" : String.join(", ", hooked);
  }
}
