package io.cloak.cli.volume;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloak.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The digests of the plaintext files an in-place migration encrypted, kept in {@value #FILE_NAME}
 * under the volume root as JSON lines <code>{"path":"a/b.txt","size":123,"sha256":"..."}</code>.
 *
 * <p>Each line is appended and fsynced <em>before</em> its file is replaced, so after a crash the
 * digest of every encrypted file is known. When opened, the manifest is compacted (the last line
 * for each path wins; a line torn by a crash is dropped) and rewritten atomically with {@link
 * DurableFiles#replace}, so appends always start on a fresh line. Not thread-safe.
 */
final class Manifest {
  /** Name of the manifest file in the volume root. */
  static final String FILE_NAME = ".cloak-migrate-manifest";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the manifest knows about one plaintext file. */
  record Entry(long size, String sha256) {}

  private final Path file;
  private final Map<String, Entry> entries;

  private Manifest(Path file, Map<String, Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  /** Reads (and compacts) the manifest of {@code root}; an absent manifest is empty. */
  static Manifest open(Path root) throws IOException {
    Path file = root.resolve(FILE_NAME);
    Map<String, Entry> entries = new LinkedHashMap<>();
    if (Files.isRegularFile(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        parse(line, entries);
      }
      StringBuilder sb = new StringBuilder();
      entries.forEach((path, e) -> sb.append(line(path, e)));
      DurableFiles.replace(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return new Manifest(file, entries);
  }

  /** The entry for {@code path} (relative, with {@code /}), or null. */
  Entry get(String path) {
    return entries.get(path);
  }

  /** Appends an entry and makes it durable before returning. */
  void record(String path, long size, byte[] sha256) throws IOException {
    Entry e = new Entry(size, HexFormat.of().formatHex(sha256));
    boolean created = !Files.exists(file);
    byte[] bytes = line(path, e).getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    if (created) {
      DurableFiles.fsyncDirectory(file.toAbsolutePath().getParent());
    }
    entries.remove(path);
    entries.put(path, e);
  }

  private static String line(String path, Entry e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("path", path);
    n.put("size", e.size());
    n.put("sha256", e.sha256());
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static void parse(String line, Map<String, Entry> into) {
    if (line.isBlank()) {
      return;
    }
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException ex) {
      return; // torn by a crash: that file was not replaced yet, so it is encrypted again
    }
    if (n == null
        || !n.path("path").isTextual()
        || !n.path("size").canConvertToLong()
        || !n.path("sha256").isTextual()
        || n.path("sha256").textValue().length() != 64) {
      return;
    }
    String path = n.get("path").textValue();
    into.remove(path);
    into.put(path, new Entry(n.get("size").longValue(), n.get("sha256").textValue()));
  }
}
