package io.cloak.cli;

import io.cloak.kms.AliasEntry;
import io.cloak.kms.KeyMetadata;
import io.cloak.kms.KeyState;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Text output for humans: aligned tables and key descriptions. */
final class Format {
  private Format() {}

  /** ISO-8601 UTC to the second, or {@code -} for null. */
  static String instant(Instant t) {
    return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** {@code s} on one line (control characters become spaces), or {@code -} when empty. */
  static String text(String s) {
    if (s == null || s.isBlank()) {
      return "-";
    }
    return s.replaceAll("\\p{Cntrl}", " ");
  }

  /** Aliases grouped by the key they point at, each list sorted. */
  static Map<String, List<String>> aliasesByKey(List<AliasEntry> aliases) {
    Map<String, List<String>> byKey = new TreeMap<>();
    for (AliasEntry a : aliases) {
      byKey.computeIfAbsent(a.keyId(), k -> new ArrayList<>()).add(a.alias());
    }
    byKey.values().forEach(l -> l.sort(null));
    return byKey;
  }

  static String rotation(KeyMetadata m) {
    return m.rotationPeriodDays() == null ? "off" : m.rotationPeriodDays() + "d";
  }

  /** Prints a table with a header row, columns padded to their widest cell. */
  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        line.append(cell);
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - cell.length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** Prints one key's metadata as labelled lines. */
  static void describe(PrintWriter out, KeyMetadata m, List<String> aliases) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"Key ID", m.keyId()});
    lines.add(new String[] {"Aliases", aliases.isEmpty() ? "-" : String.join(", ", aliases)});
    lines.add(new String[] {"Description", text(m.description())});
    lines.add(new String[] {"State", m.state().name()});
    lines.add(new String[] {"Origin", m.origin().name()});
    lines.add(new String[] {"Created", instant(m.createdAt())});
    lines.add(new String[] {"Current version", String.valueOf(m.currentVersion())});
    lines.add(
        new String[] {
          "Rotation",
          m.rotationPeriodDays() == null
              ? "off"
              : "every " + m.rotationPeriodDays() + " days, next " + instant(m.nextRotationAt())
        });
    if (m.state() == KeyState.PENDING_DELETION || m.deletionDate() != null) {
      lines.add(new String[] {"Deletion date", instant(m.deletionDate())});
    }
    lines.add(new String[] {"Creator", text(m.creator())});
    for (String[] l : lines) {
      out.printf("%-17s%s%n", l[0] + ":", l[1]);
    }
  }
}
