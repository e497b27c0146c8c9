package io.cloak.crypto;

import static io.cloak.crypto.Wycheproof.hex;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AesGcmWycheproofTest {

  @Test
  void allVectorsBehaveAsExpected() {
    Wycheproof.load("aes_gcm_test.json")
        .runAll(
            (group, vector, outcome) -> {
              int tagBits = group.get("tagSize").asInt();
              byte[] key = hex(vector, "key");
              byte[] iv = hex(vector, "iv");
              byte[] aad = hex(vector, "aad");
              byte[] msg = hex(vector, "msg");
              byte[] ctAndTag = Bytes.concat(hex(vector, "ct"), hex(vector, "tag"));
              String result = vector.get("result").asText();
              AesGcm gcm = new AesGcm(key);

              byte[] encrypted = null;
              try {
                encrypted = gcm.encryptWithNonce(iv, tagBits, msg, aad);
              } catch (GeneralSecurityException e) {
                // Checked below according to the expected result.
              }
              byte[] decrypted = null;
              try {
                decrypted = gcm.decryptWithNonce(iv, tagBits, ctAndTag, aad);
              } catch (GeneralSecurityException e) {
                // Checked below according to the expected result.
              }
              // The public API (12-byte nonce, 128-bit tag) must agree on the same vector.
              boolean publicLayout = iv.length == AesGcm.NONCE_LENGTH && tagBits == 128;
              byte[] publicDecrypted = null;
              if (publicLayout) {
                try {
                  publicDecrypted = gcm.decrypt(Bytes.concat(iv, ctAndTag), aad);
                } catch (GeneralSecurityException e) {
                  // Checked below according to the expected result.
                }
              }

              switch (result) {
                case "valid" -> {
                  if (!Arrays.equals(encrypted, ctAndTag)) {
                    outcome.fail("encryption did not reproduce ct|tag");
                  }
                  if (!Arrays.equals(decrypted, msg)) {
                    outcome.fail("decryption did not return msg");
                  }
                  if (publicLayout && !Arrays.equals(publicDecrypted, msg)) {
                    outcome.fail("public decrypt did not return msg");
                  }
                }
                case "invalid" -> {
                  if (Arrays.equals(encrypted, ctAndTag)) {
                    outcome.fail("encryption produced the invalid ct|tag");
                  }
                  if (decrypted != null) {
                    outcome.fail("decryption accepted an invalid ciphertext");
                  }
                  if (publicDecrypted != null) {
                    outcome.fail("public decrypt accepted an invalid ciphertext");
                  }
                }
                default -> {
                  // "acceptable": either outcome is fine; the vector is counted.
                }
              }
            });
  }
}
