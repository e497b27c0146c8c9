package io.cloak.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Helpers for reading JSON with Jackson's streaming API. Internal to Cloak (kms-core and the
 * agent); not a supported API. Stateless and thread-safe.
 */
public final class JsonValues {
  private JsonValues() {}

  /**
   * Moves past the value starting at {@code t}, decoding every string and number in it as a tree
   * reader would, so that content the parser only finds invalid when decoding is refused too
   * ({@link JsonParser#skipChildren()} does not decode).
   *
   * @throws IOException if the parser finds the value malformed
   */
  public static void skipValue(JsonParser p, JsonToken t) throws IOException {
    int depth = 0;
    do {
      if (t.isStructStart()) {
        depth++;
      } else if (t.isStructEnd()) {
        depth--;
      } else if (t == JsonToken.VALUE_STRING) {
        p.getText();
      } else if (t.isNumeric()) {
        p.getNumberType();
      }
    } while (depth > 0 && (t = p.nextToken()) != null);
  }
}
