package org.example.cloakfiles;

import io.cloak.agent.file.FileHooksTestAgent;
import io.cloak.agent.file.TestVolumeHandler;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs in a child JVM under {@code FileHooksTestAgent}: uses every hooked JDK method on files of
 * the volume (args[0]) and outside it (args[1]) and prints {@code OK name} or {@code FAIL name:
 * detail} per check, then the handler's call counts.
 */
public final class FileHooksApp {
  private static int failures;

  private FileHooksApp() {}

  static void check(String name, boolean ok, Object detail) {
    if (ok) {
      System.out.println("OK " + name);
    } else {
      failures++;
      System.out.println("FAIL " + name + ": " + detail);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The raw bytes must be the header plus the XOR-ed plaintext. */
  static void checkEncrypted(String name, Path p, String plaintext) throws IOException {
    byte[] raw = TestVolumeHandler.raw(p);
    byte[] expected = TestVolumeHandler.encode(utf8(plaintext), utf8(plaintext).length);
    check(name + " encrypted on disk", Arrays.equals(raw, expected), str(raw));
  }

  public static void main(String[] args) throws Exception {
    Path vol = Path.of(args[0]);
    Path out = Path.of(args[1]);

    // ----- FileOutputStream / FileInputStream in the volume
    Path a = vol.resolve("a.txt");
    try (FileOutputStream fos = new FileOutputStream(a.toFile())) {
      fos.write('H');
      fos.write(utf8("ello"));
      fos.write(utf8("xx world!xx"), 2, 7);
      FileChannel ch = fos.getChannel();
      check("fos.getChannel is the handler's", ch.getClass().getName().contains("MemChannel"), ch);
      check("fos.getChannel same channel", ch == fos.getChannel(), ch);
      ch.write(ByteBuffer.wrap(utf8("?")));
    }
    checkEncrypted("fos", a, "Hello world!?");
    try (FileOutputStream fos = new FileOutputStream(a.toFile(), true)) {
      fos.write(utf8(" more"));
    }
    checkEncrypted("fos append", a, "Hello world!? more");
    try (FileInputStream fis = new FileInputStream(a.toFile())) {
      check("fis.read()", fis.read() == 'H', "");
      byte[] four = new byte[4];
      check("fis.read(byte[])", fis.read(four) == 4 && str(four).equals("ello"), str(four));
      check("fis.skip", fis.skip(1) == 1, "");
      check("fis.available", fis.available() == 12, fis.available());
      byte[] b = new byte[5];
      int n = fis.read(b, 1, 3);
      check("fis.read(b,off,len)", n == 3 && str(b).equals("\0wor\0"), str(b));
      check("fis.readNBytes", str(fis.readNBytes(2)).equals("ld"), "");
      FileChannel ch = fis.getChannel();
      check("fis.getChannel position shared", ch.position() == 11, ch.position());
      check("fis.readAllBytes", str(fis.readAllBytes()).equals("!? more"), "");
      check("fis.read() at end", fis.read() == -1, "");
    }
    // truncating open of an encrypted file: the native open must not truncate (header kept)
    try (FileOutputStream fos = new FileOutputStream(a.toString())) {
      check("fos truncate keeps the header natively", TestVolumeHandler.raw(a).length > 16, "");
      fos.write(utf8("Hello world!"));
    }
    checkEncrypted("fos truncate", a, "Hello world!");
    // java.io.File
    check("File.length plaintext", a.toFile().length() == 12, a.toFile().length());
    check(
        "File.renameTo out of the volume refused",
        !a.toFile().renameTo(out.resolve("stolen.txt").toFile()) && Files.exists(a),
        "");
    Path a2 = vol.resolve("a2.txt");
    check("File.renameTo inside the volume", a.toFile().renameTo(a2.toFile()), "");
    Files.move(a2, a);

    // ----- RandomAccessFile in the volume
    Path r = vol.resolve("r.bin");
    try (RandomAccessFile raf = new RandomAccessFile(r.toFile(), "rw")) {
      raf.write('A');
      raf.write(utf8("BC"));
      raf.write(utf8("xDEx"), 1, 2);
      raf.writeBytes("FG");
      raf.writeChars("H");
      raf.writeInt(0x494A4B4C);
      check("raf length via rewritten call site", RafUser.length(raf) == 13, RafUser.length(raf));
      RafUser.setLength(raf, 12);
      check("raf setLength via rewritten call site", RafUser.length(raf) == 12, "");
      FileChannel ch = raf.getChannel();
      check("raf.getChannel is the handler's", ch.getClass().getName().contains("MemChannel"), ch);
    }
    checkEncrypted("raf", r, "ABCDEFG\0HIJK");
    try (RandomAccessFile raf = new RandomAccessFile(r.toFile(), "r")) {
      check("raf.read()", raf.read() == 'A', "");
      byte[] two = new byte[2];
      check("raf.read(byte[])", raf.read(two) == 2 && str(two).equals("BC"), str(two));
      check("raf.skipBytes", raf.skipBytes(1) == 1, "");
      byte[] b = new byte[4];
      check("raf.read(b,off,len)", raf.read(b, 0, 3) == 3 && str(b).startsWith("EFG"), str(b));
      raf.skipBytes(1);
      check("raf.readInt", raf.readInt() == 0x48494A4B, "");
      check("raf.read() at end", raf.read() == -1, "");
    }

    // ----- java.nio.file in the volume
    Path n = vol.resolve("n.txt");
    Files.write(n, utf8("nio text\nline 2\n"));
    checkEncrypted("Files.write", n, "nio text\nline 2\n");
    check("Files.readAllBytes", str(Files.readAllBytes(n)).equals("nio text\nline 2\n"), "");
    check("Files.readString", Files.readString(n).equals("nio text\nline 2\n"), "");
    try (Stream<String> lines = Files.lines(n)) {
      List<String> l = lines.collect(Collectors.toList());
      check("Files.lines", l.equals(List.of("nio text", "line 2")), l);
    }
    try (InputStream in = Files.newInputStream(n)) {
      check("Files.newInputStream", str(in.readAllBytes()).startsWith("nio text"), "");
    }
    try (OutputStream o = Files.newOutputStream(n, StandardOpenOption.APPEND)) {
      o.write(utf8("appended"));
    }
    checkEncrypted("Files.newOutputStream APPEND", n, "nio text\nline 2\nappended");
    try (FileChannel ch = FileChannel.open(n, StandardOpenOption.READ)) {
      check("FileChannel.open", ch.getClass().getName().contains("MemChannel"), ch);
      check("FileChannel.size", ch.size() == 24, ch.size());
    }
    check("Files.size", Files.size(n) == 24, Files.size(n));
    BasicFileAttributes basic = Files.readAttributes(n, BasicFileAttributes.class);
    check("basic attributes size", basic.size() == 24, basic.size());
    PosixFileAttributes posix = Files.readAttributes(n, PosixFileAttributes.class);
    check("posix attributes size", posix.size() == 24, posix.size());
    check("posix attributes still posix", posix.permissions() != null, "");
    PosixFileAttributeView view = Files.getFileAttributeView(n, PosixFileAttributeView.class);
    check("posix view readAttributes size", view.readAttributes().size() == 24, "");
    BasicFileAttributeView asBasic = view;
    check("posix view as basic view size", asBasic.readAttributes().size() == 24, "");
    check(
        "basic view size",
        Files.getFileAttributeView(n, BasicFileAttributeView.class).readAttributes().size() == 24,
        "");
    check(
        "outside: posix view of a folder",
        Files.getFileAttributeView(
                out.resolve("copied.txt").getParent(), PosixFileAttributeView.class)
            .readAttributes()
            .isDirectory(),
        "");
    Map<String, Object> map = Files.readAttributes(n, "size,isRegularFile");
    check("basic attribute map size", Long.valueOf(24).equals(map.get("size")), map);
    Map<String, Object> pmap = Files.readAttributes(n, "posix:size,permissions");
    check("posix attribute map size", Long.valueOf(24).equals(pmap.get("size")), pmap);
    Path c = out.resolve("copied.txt");
    Files.copy(n, c, StandardCopyOption.REPLACE_EXISTING);
    check(
        "Files.copy out of the volume decrypts",
        str(Files.readAllBytes(c)).equals("nio text\nline 2\nappended"),
        str(Files.readAllBytes(c)));
    Path m = vol.resolve("moved.txt");
    Files.move(c, m);
    checkEncrypted("Files.move into the volume encrypts", m, "nio text\nline 2\nappended");
    check("Files.move removed the source", !Files.exists(c), "");

    // ----- failures reach the application as IOException
    Path refused = vol.resolve("refuse-open.txt");
    check("refused file created", refused.toFile().createNewFile(), "");
    try {
      new FileInputStream(refused.toFile()).close();
      check("afterOpen failure", false, "no exception");
    } catch (IOException e) {
      check("afterOpen failure", e.getMessage().contains("refused by the test handler"), e);
    }
    try {
      new FileOutputStream(refused.toFile()).close();
      check("afterOpen failure (fos)", false, "no exception");
    } catch (IOException e) {
      check("afterOpen failure (fos)", e.getMessage().contains("refused"), e);
    }
    try {
      Files.newByteChannel(refused).close();
      check("beforeChannelOpen failure", false, "no exception");
    } catch (IOException e) {
      check("beforeChannelOpen failure", e.getMessage().contains("refused"), e);
    }
    Path bad = vol.resolve("bad-read.txt");
    Files.write(bad, utf8("x"));
    try (FileInputStream fis = new FileInputStream(bad.toFile())) {
      fis.read();
      check("read failure", false, "no exception");
    } catch (IOException e) {
      check("read failure", e.getMessage().contains("integrity check failed"), e);
    }

    try (FileInputStream fis = new FileInputStream(bad.toFile())) {
      fis.getChannel();
      check("getChannel failure", false, "no exception");
    } catch (java.io.UncheckedIOException e) {
      check("getChannel failure", e.getCause().getMessage().contains("integrity"), e);
    }
    Path badChannel = vol.resolve("bad-channel.txt");
    try {
      Files.write(badChannel, utf8("x"));
      check("afterChannelOpen failure", false, "no exception");
    } catch (IOException e) {
      check("afterChannelOpen failure", e.getMessage().contains("channel refused"), e);
    }

    // ----- files outside the volume are untouched
    Path p = out.resolve("plain.txt");
    try (FileOutputStream fos = new FileOutputStream(p.toFile())) {
      fos.write(utf8("plain"));
    }
    try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
      raf.seek(5);
      raf.write(utf8("!"));
      check("outside: raf length", RafUser.length(raf) == 6, "");
    }
    Files.write(out.resolve("plain2.txt"), utf8("also plain"));
    check("outside: raw fos/raf", str(TestVolumeHandler.raw(p)).equals("plain!"), "");
    check(
        "outside: raw Files.write",
        str(TestVolumeHandler.raw(out.resolve("plain2.txt"))).equals("also plain"),
        "");
    check("outside: File.length", p.toFile().length() == 6, "");
    check("outside: Files.size", Files.size(p) == 6, "");
    try (FileInputStream fis = new FileInputStream(p.toFile())) {
      check("outside: fis", str(fis.readAllBytes()).equals("plain!"), "");
    }

    // ----- class loading from a jar with the hooks active (fresh loader, nothing cached)
    URL jar = FileHooksTestAgent.class.getProtectionDomain().getCodeSource().getLocation();
    URL agentJar =
        io.cloak.agent.CallGuard.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {agentJar, jar}, null)) {
      Class<?> k = loader.loadClass("io.cloak.config.CloakConfig");
      check("class loading from a jar", k.getClassLoader() == loader, k.getClassLoader());
    }
    // a JDK class loaded after start-up in another module (java.desktop) with RAF.length
    try {
      Class<?> fiis = Class.forName("javax.imageio.stream.FileImageInputStream");
      try (RandomAccessFile raf = new RandomAccessFile(vol.resolve("n.txt").toFile(), "r")) {
        Object s = fiis.getConstructor(RandomAccessFile.class).newInstance(raf);
        long len = (Long) fiis.getMethod("length").invoke(s);
        check("java.desktop RAF.length call site rewritten", len == 24, len);
      }
    } catch (ClassNotFoundException e) {
      System.out.println("SKIP java.desktop not present");
    }
    check("NoRaf loads", NoRaf.hello().equals("hello"), "");

    // ----- threads using volume files while others load classes from jars
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.concurrent.ConcurrentLinkedQueue<String> problems =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int t = 0; t < 6; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 20; i++) {
                    Path f = vol.resolve("t" + id + "-" + i + ".txt");
                    String text = "thread " + id + " round " + i;
                    try (FileOutputStream fos = new FileOutputStream(f.toFile())) {
                      fos.write(utf8(text));
                    }
                    if (!str(Files.readAllBytes(f)).equals(text)
                        || Files.size(f) != utf8(text).length) {
                      problems.add("thread " + id + " read back wrong bytes");
                    }
                    try (URLClassLoader loader =
                        new URLClassLoader(new URL[] {agentJar, jar}, null)) {
                      loader.loadClass("io.cloak.config.ConfigParser");
                    }
                  }
                } catch (Throwable e) {
                  problems.add(e.toString());
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(60_000);
      if (thread.isAlive()) {
        problems.add("a thread is stuck");
      }
    }
    check("concurrent use with class loading", problems.isEmpty(), problems);

    System.out.println("REWRITTEN=" + FileHooksTestAgent.REWRITTEN);
    System.out.println("CALLS=" + TestVolumeHandler.calls());
    System.out.println(failures == 0 ? "ALL-OK" : "FAILURES=" + failures);
  }
}
