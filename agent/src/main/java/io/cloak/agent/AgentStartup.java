package io.cloak.agent;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isExtensionClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import io.cloak.agent.file.FileFeature;
import io.cloak.agent.jdbc.JdbcFeature;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfigException;
import io.cloak.config.VolumeRule;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Loads and checks the configuration, prepares each {@link AgentFeature} and installs their
 * transformations. Every failure before the application starts is fatal: a one-line message on
 * standard error and exit status {@value #EXIT_BAD_CONFIG}.
 */
public final class AgentStartup {
  /** Exit status when the agent cannot start (bad arguments, config, keys or KMS). */
  public static final int EXIT_BAD_CONFIG = 2;

  /** Prefix of every line the agent prints. */
  public static final String LOG_PREFIX = "cloak-agent: ";

  /**
   * The class implementing {@code io.cloak.agent.boot.FileHooks.Handler} that encrypts the files of
   * volumes (with a public static {@code create(CloakConfig)}), or {@code null} while there is
   * none: file encryption is then not active. Named, not referenced (no lambda, no factory class
   * that mentions it either), so that nothing loads {@code FileHooks.Handler} through the system
   * class loader before {@link FileFeature} defined it in the bootstrap loader; start-up fails if
   * that happens.
   */
  static final String FILE_HANDLER_CLASS = "io.cloak.agent.file.VolumeFileHandler";

  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private AgentStartup() {}

  /** {@link CloakAgent#premain}: starts the agent or stops the JVM. */
  static void startOrExit(String args, Instrumentation inst) {
    if (!STARTED.compareAndSet(false, true)) {
      System.err.println(LOG_PREFIX + "already loaded; ignoring the second -javaagent");
      return;
    }
    try {
      System.err.println(LOG_PREFIX + start(args, inst));
    } catch (Exception | LinkageError e) {
      System.err.println(LOG_PREFIX + "FATAL, the application is not started: " + describe(e));
      System.err.flush();
      System.exit(EXIT_BAD_CONFIG);
    }
  }

  /**
   * Starts the agent and returns the start-up log line.
   *
   * @throws Exception whose message says what is wrong
   */
  static String start(String args, Instrumentation inst) throws Exception {
    return start(args, inst, features());
  }

  /**
   * {@link #start(String, Instrumentation)} with the given features (tests pass a test handler).
   */
  static String start(String args, Instrumentation inst, List<AgentFeature> all) throws Exception {
    long started = System.nanoTime();
    // Cloak's advice is inlined and never needs Byte Buddy's "nexus" (injected type
    // initializers); preparing it injects a class with reflection and costs 0.5 to 0.8 s of
    // start-up. The property name is relocated with Byte Buddy, so the application's own Byte
    // Buddy, if any, is not affected.
    System.setProperty(Nexus.PROPERTY, "true");
    // The config parse keeps one core busy; the other warms up the crypto and JSON code that the
    // preparation below runs first.
    StartupWarmup warmup = StartupWarmup.start();
    AgentArguments arguments = AgentArguments.parse(args);
    CloakConfig config =
        CallGuard.internal(
            () -> CloakConfig.discover(arguments.config(), ClassLoader.getSystemClassLoader()));
    long configLoaded = System.nanoTime();
    List<AgentFeature> features = new ArrayList<>();
    for (AgentFeature feature : all) {
      if (feature.enabled(config)) {
        features.add(feature);
      }
    }
    if (features.isEmpty()) {
      warmup.cancel();
    }
    // Preparing (KMS, keys, volume keys) and instrumenting are independent and each mostly loads
    // and runs cold code: doing them on two threads takes about the time of the longer one. Both
    // finish before premain returns, so the application never runs half-protected.
    Preparation preparation = new Preparation(features, config, inst);
    Thread preparer = new Thread(preparation, "cloak-agent-prepare");
    preparer.setDaemon(true);
    preparer.start();
    long installed;
    try {
      if (usesSharedBuilder(features)) {
        installSharedBuilder(features, arguments, inst);
      }
      for (AgentFeature feature : features) {
        feature.installSeparately(inst);
      }
      installed = System.nanoTime();
    } finally {
      preparer.join();
    }
    preparation.rethrow();
    long finished = System.nanoTime();
    if (arguments.verbose()) {
      System.err.println(
          LOG_PREFIX
              + "start-up: config "
              + (configLoaded - started) / 1_000_000
              + " ms, then in parallel: KMS and keys "
              + preparation.millis
              + " ms, instrumentation "
              + (installed - configLoaded) / 1_000_000
              + " ms");
    }
    installed = finished;
    long millis = (installed - started) / 1_000_000;
    return summary(config, features) + " (started in " + millis + " ms)";
  }

  private static boolean usesSharedBuilder(List<AgentFeature> features) {
    for (AgentFeature feature : features) {
      if (feature.usesSharedBuilder()) {
        return true;
      }
    }
    return false;
  }

  /** Installs the Byte Buddy builder shared by the features (JDBC drivers and pools). */
  private static void installSharedBuilder(
      List<AgentFeature> features, AgentArguments arguments, Instrumentation inst) {
    AgentBuilder builder =
        new AgentBuilder.Default()
            .disableClassFormatChanges()
            // premain runs before any JDBC class is loaded: no need to scan loaded classes
            .with(AgentBuilder.RedefinitionStrategy.DISABLED)
            .with(AgentBuilder.TypeStrategy.Default.DECORATE)
            .with(new Listener(arguments.verbose()))
            .ignore(any(), isBootstrapClassLoader().or(isExtensionClassLoader()))
            .or(ignoredTypes());
    boolean transforms = false;
    for (AgentFeature feature : features) {
      AgentBuilder next = feature.install(builder);
      // builders are immutable: a feature that adds nothing returns the same one
      transforms |= next != builder;
      builder = next;
    }
    if (transforms) {
      builder.installOn(inst);
    }
  }

  /** Runs every feature's {@link AgentFeature#prepare} on its own thread, as Cloak's own work. */
  private static final class Preparation implements Runnable {
    private final List<AgentFeature> features;
    private final CloakConfig config;
    private final Instrumentation inst;
    private volatile Throwable failure;
    private volatile long millis;

    Preparation(List<AgentFeature> features, CloakConfig config, Instrumentation inst) {
      this.features = features;
      this.config = config;
      this.inst = inst;
    }

    @Override
    public void run() {
      long start = System.nanoTime();
      try {
        for (AgentFeature feature : features) {
          CallGuard.internal(
              () -> {
                feature.prepare(config, inst);
                return null;
              });
        }
      } catch (Throwable e) {
        failure = e;
      }
      millis = (System.nanoTime() - start) / 1_000_000;
    }

    void rethrow() throws Exception {
      Throwable e = failure;
      if (e instanceof Exception) {
        throw (Exception) e;
      }
      if (e instanceof Error) {
        throw (Error) e;
      }
    }
  }

  /** Every feature the agent knows, enabled or not. */
  static List<AgentFeature> features() {
    List<AgentFeature> all = new ArrayList<>();
    all.add(new JdbcFeature());
    if (FILE_HANDLER_CLASS != null) {
      all.add(new FileFeature(FileFeature.handlerClass(FILE_HANDLER_CLASS)));
    }
    return all;
  }

  /** Classes no hook is ever put into: the JDK, Byte Buddy, and Cloak itself. */
  static ElementMatcher.Junction<TypeDescription> ignoredTypes() {
    return nameStartsWith("java.")
        .or(nameStartsWith("javax."))
        .or(nameStartsWith("jdk."))
        .or(nameStartsWith("sun."))
        .or(nameStartsWith("com.sun."))
        .or(nameStartsWith("net.bytebuddy."))
        .or(nameStartsWith("io.cloak.shaded."))
        .or(nameStartsWith("io.cloak.agent."))
        .or(nameStartsWith("io.cloak.kms."))
        .or(nameStartsWith("io.cloak.config."))
        .or(nameStartsWith("io.cloak.jdbc.internal."))
        .or(isSynthetic());
  }

  static String summary(CloakConfig config, List<AgentFeature> features) {
    StringBuilder line = new StringBuilder("config ").append(config.source()).append(": ");
    line.append("databases ")
        .append(config.databases().isEmpty() ? "all" : String.join(", ", config.databases()));
    line.append("; ").append(config.columns().size()).append(" encrypted column(s)");
    line.append("; ").append(config.volumes().size()).append(" volume(s)");
    if (!config.volumes().isEmpty()) {
      List<String> paths = new ArrayList<>();
      for (VolumeRule v : config.volumes()) {
        paths.add(v.path().toString());
      }
      line.append(": ").append(String.join(", ", paths));
      if (features.stream().noneMatch(f -> f instanceof FileFeature)) {
        line.append(" (file encryption is not active in this version)");
      }
    }
    List<String> names = new ArrayList<>();
    for (AgentFeature f : features) {
      String details = f.details();
      names.add(details.isEmpty() ? f.name() : f.name() + " (" + details + ")");
    }
    line.append("; hooks: ").append(names.isEmpty() ? "none" : String.join(", ", names));
    return line.toString();
  }

  private static String describe(Throwable e) {
    if (e instanceof ConfigException) {
      return e.getMessage();
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getName();
    }
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
      message += " (" + cause.getMessage() + ")";
    }
    return message.replace('\n', ' ');
  }

  /** Reports instrumentation failures (never fatal) and, when verbose, each transformed class. */
  private static final class Listener extends AgentBuilder.Listener.Adapter {
    private final boolean verbose;

    Listener(boolean verbose) {
      this.verbose = verbose;
    }

    @Override
    public void onTransformation(
        TypeDescription type,
        ClassLoader loader,
        JavaModule module,
        boolean loaded,
        DynamicType dynamicType) {
      if (verbose) {
        System.err.println(LOG_PREFIX + "instrumented " + type.getName());
      }
    }

    @Override
    public void onError(
        String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      System.err.println(
          LOG_PREFIX + "cannot instrument " + typeName + ", left unchanged: " + error);
    }
  }
}
