package io.cloak.crypto;

import static io.cloak.crypto.Wycheproof.hex;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AesKeyWrapPaddedWycheproofTest {

  @Test
  void allVectorsBehaveAsExpected() {
    Wycheproof.load("aes_kwp_test.json")
        .runAll(
            (group, vector, outcome) -> {
              byte[] kek = hex(vector, "key");
              byte[] msg = hex(vector, "msg");
              byte[] ct = hex(vector, "ct");
              String result = vector.get("result").asText();

              byte[] wrapped = null;
              try {
                wrapped = AesKeyWrapPadded.wrap(kek, msg);
              } catch (GeneralSecurityException e) {
                // Checked below according to the expected result.
              }
              byte[] unwrapped = null;
              try {
                unwrapped = AesKeyWrapPadded.unwrap(kek, ct);
              } catch (GeneralSecurityException e) {
                // Checked below according to the expected result.
              }

              switch (result) {
                case "valid" -> {
                  if (!Arrays.equals(wrapped, ct)) {
                    outcome.fail("wrap did not reproduce ct");
                  }
                  if (!Arrays.equals(unwrapped, msg)) {
                    outcome.fail("unwrap did not return msg");
                  }
                }
                case "invalid" -> {
                  if (Arrays.equals(wrapped, ct)) {
                    outcome.fail("wrap produced the invalid ct");
                  }
                  if (unwrapped != null) {
                    outcome.fail("unwrap accepted an invalid wrapped key");
                  }
                }
                default -> {
                  // "acceptable": either outcome is fine; the vector is counted.
                }
              }
            });
  }
}
