package io.cloak.crypto;

import static io.cloak.crypto.Wycheproof.hex;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HkdfWycheproofTest {

  @Test
  void allVectorsBehaveAsExpected() {
    Wycheproof.load("hkdf_sha256_test.json")
        .runAll(
            (group, vector, outcome) -> {
              byte[] ikm = hex(vector, "ikm");
              byte[] salt = hex(vector, "salt");
              byte[] info = hex(vector, "info");
              int size = vector.get("size").asInt();
              byte[] okm = hex(vector, "okm");
              String result = vector.get("result").asText();

              byte[] derived = null;
              try {
                derived = Hkdf.sha256(ikm, salt, info, size);
              } catch (GeneralSecurityException e) {
                // Checked below according to the expected result.
              }

              switch (result) {
                case "valid" -> {
                  if (!Arrays.equals(derived, okm)) {
                    outcome.fail("derived output differs from okm");
                  }
                }
                case "invalid" -> {
                  if (derived != null) {
                    outcome.fail("derivation of " + size + " bytes was not rejected");
                  }
                }
                default -> {
                  // "acceptable": either outcome is fine; the vector is counted.
                }
              }
            });
  }
}
