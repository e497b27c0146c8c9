package io.cloak.kms.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.kms.KeystoreException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the JSON inside the encrypted keystore: the bytes written for representative contents (as
 * captured from the Jackson-databind implementation) and what reading accepts, so that keystores
 * written by older and newer versions read with each other.
 */
class KeystoreDataTest {
  private static final String ID_B64 = "AQIDBAUGBwgJCgsMDQ4PEA==";

  static final String FULL =
      "{\"keystoreId\":\"yM/W3eTr8vkABw4VHCMqMQ==\",\"keys\":{"
          + "\"11111111-2222-3333-4444-555555555555\":{"
          + "\"keyId\":\"11111111-2222-3333-4444-555555555555\","
          + "\"description\":\"caf\u00e9 \\\"quoted\\\" \\\\ / \\n\\t\\u0001 \\uD83D\\uDD11 \u4e2d\","
          + "\"state\":\"Enabled\",\"origin\":\"CLOAK\",\"creator\":\"user:admin\","
          + "\"createdAt\":1735787045123,\"rotationPeriodDays\":90,\"nextRotationAt\":1743563045123,"
          + "\"versions\":[{\"version\":1,\"material\":\"AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dw=\","
          + "\"createdAt\":1735787045123},{\"version\":2,"
          + "\"material\":\"+gEIDxYdJCsyOUBHTlVcY2pxeH+GjZSboqmwt77FzNM=\","
          + "\"createdAt\":1743563045123,\"rotation\":\"AUTOMATIC\"}],"
          + "\"policy\":[{\"principals\":[\"user:admin\",\"app:*\"],"
          + "\"operations\":[\"Decrypt\",\"Encrypt\"]},{\"principals\":[],\"operations\":[]}]},"
          + "\"k2\":{\"keyId\":\"k2\",\"state\":\"PendingDeletion\",\"stateBeforeDeletion\":\"Disabled\","
          + "\"createdAt\":-1,\"deletionDate\":0,\"versions\":[],\"policy\":[]}},"
          + "\"aliases\":{\"alias/cloak/default\":\"11111111-2222-3333-4444-555555555555\","
          + "\"alias/z\":\"k2\"},"
          + "\"provided\":{\"a\":{\"name\":\"a\",\"registeredAt\":0},"
          + "\"hsm-key\":{\"name\":\"hsm-key\",\"salt\":\"CRAXHiUsMzpBSE9WXWRrcg==\",\"fingerprint\":\"\","
          + "\"registeredAt\":5,\"registeredBy\":\"user:\u00e9\"}}}";

  private static byte[] bytes(int n, int start) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (start + i * 7);
    }
    return b;
  }

  /** Every field set at least once, null fields, empty lists and maps, escapes, non-ASCII. */
  static KeystoreData full() {
    KeystoreData d = new KeystoreData();
    d.keystoreId = bytes(16, 200);
    KeystoreData.KeyEntry k = new KeystoreData.KeyEntry();
    k.keyId = "11111111-2222-3333-4444-555555555555";
    k.description = "caf\u00e9 \"quoted\" \\ / \n\t\u0001 \ud83d\udd11 \u4e2d";
    k.state = "Enabled";
    k.origin = "CLOAK";
    k.creator = "user:admin";
    k.createdAt = 1735787045123L;
    k.rotationPeriodDays = 90;
    k.nextRotationAt = 1743563045123L;
    KeystoreData.KeyVersion v1 = new KeystoreData.KeyVersion();
    v1.version = 1;
    v1.material = bytes(32, 3);
    v1.createdAt = 1735787045123L;
    KeystoreData.KeyVersion v2 = new KeystoreData.KeyVersion();
    v2.version = 2;
    v2.material = bytes(32, 250);
    v2.createdAt = 1743563045123L;
    v2.rotation = "AUTOMATIC";
    k.versions.add(v1);
    k.versions.add(v2);
    KeystoreData.PolicyStatement ps = new KeystoreData.PolicyStatement();
    ps.principals.add("user:admin");
    ps.principals.add("app:*");
    ps.operations.add("Decrypt");
    ps.operations.add("Encrypt");
    k.policy.add(ps);
    k.policy.add(new KeystoreData.PolicyStatement());
    d.keys.put(k.keyId, k);
    KeystoreData.KeyEntry deleted = new KeystoreData.KeyEntry();
    deleted.keyId = "k2";
    deleted.state = "PendingDeletion";
    deleted.stateBeforeDeletion = "Disabled";
    deleted.deletionDate = 0L;
    deleted.createdAt = -1;
    d.keys.put("k2", deleted);
    d.aliases.put("alias/z", "k2");
    d.aliases.put("alias/cloak/default", k.keyId);
    KeystoreData.ProvidedKeyEntry p = new KeystoreData.ProvidedKeyEntry();
    p.name = "hsm-key";
    p.salt = bytes(16, 9);
    p.fingerprint = new byte[0];
    p.registeredAt = 5;
    p.registeredBy = "user:\u00e9";
    d.provided.put("hsm-key", p);
    KeystoreData.ProvidedKeyEntry bare = new KeystoreData.ProvidedKeyEntry();
    bare.name = "a";
    d.provided.put("a", bare);
    return d;
  }

  private static String json(KeystoreData d) {
    return new String(d.toJson(), StandardCharsets.UTF_8);
  }

  private static KeystoreData read(String json) {
    return KeystoreData.fromJson(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writesAFreshKeystore() {
    KeystoreData d = new KeystoreData();
    d.keystoreId = bytes(16, 1);
    assertEquals(
        "{\"keystoreId\":\"AQgPFh0kKzI5QEdOVVxjag==\",\"keys\":{},\"aliases\":{},\"provided\":{}}",
        json(d));
  }

  @Test
  void writesEveryField() {
    assertEquals(FULL, json(full()));
    assertArrayEquals(FULL.getBytes(StandardCharsets.UTF_8), full().toJson());
  }

  @Test
  void readsBackWhatItWrote() {
    KeystoreData d = read(FULL);
    assertEquals(FULL, json(d));
    assertArrayEquals(bytes(16, 200), d.keystoreId);
    KeystoreData.KeyEntry k = d.keys.get("11111111-2222-3333-4444-555555555555");
    assertEquals("caf\u00e9 \"quoted\" \\ / \n\t\u0001 \ud83d\udd11 \u4e2d", k.description);
    assertEquals(90, k.rotationPeriodDays);
    assertNull(k.deletionDate);
    assertArrayEquals(bytes(32, 250), k.newest().material);
    assertEquals(List.of("user:admin", "app:*"), k.policy.get(0).principals);
    assertEquals(0L, d.keys.get("k2").deletionDate);
    assertEquals(0, d.provided.get("hsm-key").fingerprint.length);
    assertNull(d.provided.get("a").salt);
  }

  @Test
  void loadedMapsKeepFileOrderAndAppendNewEntries() {
    // As with Jackson: a loaded map is a LinkedHashMap, so entries added after loading come last.
    KeystoreData d = read(FULL);
    d.aliases.put("alias/a", "k2");
    String written = json(d);
    assertTrue(
        written.contains(
            "\"aliases\":{\"alias/cloak/default\":\"11111111-2222-3333-4444-555555555555\","
                + "\"alias/z\":\"k2\",\"alias/a\":\"k2\"}"),
        written);
  }

  @Test
  void ignoresUnknownPropertiesAtEveryLevel() {
    KeystoreData d =
        read(
            "{\"keystoreId\":\""
                + ID_B64
                + "\",\"future\":{\"x\":[1,null,{\"y\":true}]},\"keys\":{\"k\":{\"keyId\":\"k\","
                + "\"createdAt\":3,\"unknown\":5,\"versions\":[{\"version\":1,\"material\":\"AAAA\","
                + "\"extra\":[],\"createdAt\":4}],\"policy\":[{\"principals\":[\"a\"],"
                + "\"operations\":[],\"more\":null}]}},\"aliases\":{},\"provided\":{\"p\":{"
                + "\"name\":\"p\",\"salt\":\"AQ==\",\"new\":1}},\"trailing\":\"x\"}");
    assertEquals(
        "{\"keystoreId\":\""
            + ID_B64
            + "\",\"keys\":{\"k\":{\"keyId\":\"k\",\"createdAt\":3,\"versions\":[{\"version\":1,"
            + "\"material\":\"AAAA\",\"createdAt\":4}],\"policy\":[{\"principals\":[\"a\"],"
            + "\"operations\":[]}]}},\"aliases\":{},\"provided\":{\"p\":{\"name\":\"p\","
            + "\"salt\":\"AQ==\",\"registeredAt\":0}}}",
        json(d));
  }

  @Test
  void readsMinimalAndLenientInput() {
    String empty = "{\"keystoreId\":\"" + ID_B64 + "\",\"keys\":{},\"aliases\":{},\"provided\":{}}";
    assertEquals(empty, json(read("{\"keystoreId\":\"" + ID_B64 + "\"}")));
    assertEquals(empty, json(read("{\"keystoreId\":\"" + ID_B64 + "\"} trailing garbage")));
    assertEquals(
        empty.replace(ID_B64, "AQIDBAUGBwgJCgsMDQ4PEQ=="),
        json(
            read(
                "{\"keystoreId\":\""
                    + ID_B64
                    + "\",\"keystoreId\":\"AQIDBAUGBwgJCgsMDQ4PEQ==\"}")));
    KeystoreData nulls =
        read(
            "{\"keystoreId\":\""
                + ID_B64
                + "\",\"keys\":{\"k\":{\"rotationPeriodDays\":null,\"description\":null,"
                + "\"createdAt\":null}}}");
    assertEquals(0, nulls.keys.get("k").createdAt);
    assertNull(nulls.keys.get("k").description);
    assertEquals(
        "{\"keystoreId\":\""
            + ID_B64
            + "\",\"keys\":{\"k\":{\"createdAt\":0,\"versions\":[],\"policy\":[]}},"
            + "\"aliases\":{},\"provided\":{}}",
        json(nulls));
  }

  @Test
  void refusesAPayloadWithoutAValidKeystoreId() {
    for (String json : new String[] {"{}", "{\"keystoreId\":null}", "{\"keystoreId\":\"AQID\"}"}) {
      KeystoreException e = assertThrows(KeystoreException.class, () -> read(json));
      assertEquals("keystore payload has no valid keystore id", e.getMessage());
    }
  }

  @Test
  void refusesMalformedPayloads() {
    for (String json :
        new String[] {
          "",
          "nope",
          "[]",
          "{\"keystoreId\":\"!!!\"}",
          "{\"keystoreId\":5}",
          "{\"keystoreId\":\"" + ID_B64 + "\",\"keys\":[]}",
          "{\"keystoreId\":\"" + ID_B64 + "\",\"keys\":{\"k\":{\"keyId\":\"abc}}}",
          "{\"keystoreId\":\"" + ID_B64 + "\" abc"
        }) {
      KeystoreException e = assertThrows(KeystoreException.class, () -> read(json), json);
      assertTrue(e.getMessage().startsWith("keystore payload is not valid: "), e.getMessage());
    }
  }
}
