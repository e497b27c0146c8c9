package io.cloak.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs every vector of a Project Wycheproof JSON file from the test classpath ({@code
 * /wycheproof/}), tallies results, and asserts that every vector ran and none failed.
 */
final class Wycheproof {

  /** Checks one vector; returns normally if it behaved as expected, otherwise throws. */
  interface VectorCheck {
    void check(JsonNode group, JsonNode vector, Outcome outcome) throws Exception;
  }

  /** Collects failures for one vector. */
  static final class Outcome {
    private final List<String> messages = new ArrayList<>();

    void fail(String message) {
      messages.add(message);
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  private final String fileName;
  private final JsonNode root;
  private int valid;
  private int invalid;
  private int acceptable;
  private final List<String> failures = new ArrayList<>();

  private Wycheproof(String fileName, JsonNode root) {
    this.fileName = fileName;
    this.root = root;
  }

  static Wycheproof load(String fileName) {
    String resource = "/wycheproof/" + fileName;
    try (InputStream in = Wycheproof.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return new Wycheproof(fileName, MAPPER.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new IllegalArgumentException("vector has no field " + field);
    }
    return HEX.parseHex(value.asText());
  }

  /** Runs {@code check} on every vector of every group, then prints a summary and asserts. */
  void runAll(VectorCheck check) {
    for (JsonNode group : root.get("testGroups")) {
      for (JsonNode vector : group.get("tests")) {
        String result = vector.get("result").asText();
        int tcId = vector.get("tcId").asInt();
        switch (result) {
          case "valid" -> valid++;
          case "invalid" -> invalid++;
          case "acceptable" -> acceptable++;
          default -> failures.add("tcId " + tcId + ": unknown result " + result);
        }
        Outcome outcome = new Outcome();
        try {
          check.check(group, vector, outcome);
        } catch (Exception e) {
          outcome.fail("unexpected " + e);
        }
        for (String message : outcome.messages) {
          failures.add(
              "tcId "
                  + tcId
                  + " ("
                  + result
                  + ", "
                  + vector.path("comment").asText()
                  + "): "
                  + message);
        }
      }
    }
    int run = valid + invalid + acceptable;
    System.out.printf(
        "wycheproof %s: %d vectors run (valid %d, invalid %d, acceptable %d), %d failures%n",
        fileName, run, valid, invalid, acceptable, failures.size());
    assertEquals(
        root.get("numberOfTests").asInt(),
        run,
        fileName + ": number of vectors run differs from numberOfTests");
    assertTrue(
        failures.isEmpty(),
        () ->
            fileName
                + ": "
                + failures.size()
                + " failing vectors:\n"
                + String.join("\n", failures));
  }
}
