package io.cloak.kms.local;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloak.kms.KeyPolicy;
import io.cloak.kms.KeystoreException;
import io.cloak.kms.Operation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The decrypted contents of a keystore, as serialized to JSON inside the encrypted file. Mutable;
 * guarded by the keystore lock.
 */
final class KeystoreData {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
          .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Random id stamped into every ciphertext blob, so a blob from another keystore is named. */
  byte[] keystoreId;

  Map<String, KeyEntry> keys = new LinkedHashMap<>();
  Map<String, String> aliases = new TreeMap<>();
  Map<String, ProvidedKeyEntry> provided = new TreeMap<>();

  static final class KeyEntry {
    String keyId;
    String description;
    String state;
    String stateBeforeDeletion;
    String origin;
    String creator;
    long createdAt;
    Integer rotationPeriodDays;
    Long nextRotationAt;
    Long deletionDate;
    List<KeyVersion> versions = new ArrayList<>();
    List<PolicyStatement> policy = new ArrayList<>();

    KeyVersion newest() {
      return versions.get(versions.size() - 1);
    }

    KeyVersion version(int v) {
      return v >= 1 && v <= versions.size() ? versions.get(v - 1) : null;
    }
  }

  static final class KeyVersion {
    int version;
    byte[] material;
    long createdAt;
    String rotation;
  }

  static final class PolicyStatement {
    List<String> principals = new ArrayList<>();
    List<String> operations = new ArrayList<>();

    static List<PolicyStatement> from(KeyPolicy policy) {
      List<PolicyStatement> out = new ArrayList<>();
      for (KeyPolicy.Statement s : policy.statements()) {
        PolicyStatement ps = new PolicyStatement();
        ps.principals.addAll(new TreeMap<>(toMap(s.principals())).keySet());
        s.operations().stream().sorted().forEach(op -> ps.operations.add(op.actionName()));
        out.add(ps);
      }
      return out;
    }

    static KeyPolicy toPolicy(List<PolicyStatement> statements) {
      List<KeyPolicy.Statement> out = new ArrayList<>();
      for (PolicyStatement ps : statements) {
        Set<Operation> ops = new LinkedHashSet<>();
        ps.operations.forEach(name -> ops.add(Operation.parse(name)));
        out.add(new KeyPolicy.Statement(new LinkedHashSet<>(ps.principals), ops));
      }
      return new KeyPolicy(out);
    }

    private static Map<String, Boolean> toMap(Set<String> set) {
      Map<String, Boolean> m = new TreeMap<>();
      set.forEach(s -> m.put(s, Boolean.TRUE));
      return m;
    }
  }

  static final class ProvidedKeyEntry {
    String name;
    byte[] salt;
    byte[] fingerprint;
    long registeredAt;
    String registeredBy;
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new KeystoreException("cannot serialize keystore: " + e.getMessage(), e);
    }
  }

  static KeystoreData fromJson(byte[] json) {
    try {
      KeystoreData data = JSON.readValue(json, KeystoreData.class);
      if (data.keystoreId == null || data.keystoreId.length != 16) {
        throw new KeystoreException("keystore payload has no valid keystore id");
      }
      return data;
    } catch (IOException e) {
      throw new KeystoreException("keystore payload is not valid: " + e.getMessage(), e);
    }
  }
}
