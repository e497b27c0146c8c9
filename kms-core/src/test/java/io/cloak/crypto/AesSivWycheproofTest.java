package io.cloak.crypto;

import static io.cloak.crypto.Wycheproof.hex;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AesSivWycheproofTest {

  @Test
  void allVectorsBehaveAsExpected() {
    Wycheproof.load("aes_siv_cmac_test.json")
        .runAll(
            (group, vector, outcome) -> {
              byte[] key = hex(vector, "key");
              byte[] aad = hex(vector, "aad");
              byte[] msg = hex(vector, "msg");
              byte[] ct = hex(vector, "ct");
              String result = vector.get("result").asText();

              AesSiv siv;
              try {
                siv = new AesSiv(key);
              } catch (GeneralSecurityException e) {
                if (result.equals("valid")) {
                  outcome.fail("construction rejected a valid key: " + e.getMessage());
                }
                return;
              }
              byte[] encrypted = siv.encryptDeterministically(msg, aad);
              byte[] decrypted = null;
              try {
                decrypted = siv.decryptDeterministically(ct, aad);
              } catch (GeneralSecurityException e) {
                // Checked below according to the expected result.
              }

              switch (result) {
                case "valid" -> {
                  if (!Arrays.equals(encrypted, ct)) {
                    outcome.fail("encryption did not reproduce ct");
                  }
                  if (!Arrays.equals(decrypted, msg)) {
                    outcome.fail("decryption did not return msg");
                  }
                }
                case "invalid" -> {
                  if (Arrays.equals(encrypted, ct)) {
                    outcome.fail("encryption produced the invalid ct");
                  }
                  if (decrypted != null) {
                    outcome.fail("decryption accepted an invalid ciphertext");
                  }
                }
                default -> {
                  // "acceptable": either outcome is fine; the vector is counted.
                }
              }
            });
  }
}
