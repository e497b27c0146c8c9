package io.cloak.kms.local;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.cloak.kms.KeyPolicy;
import io.cloak.kms.KeystoreException;
import io.cloak.kms.Operation;
import java.io.ByteArrayOutputStream;
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
 *
 * <p>The JSON is the one Jackson's {@code ObjectMapper} made of these fields (in declaration order,
 * nulls left out, byte arrays as base64, unknown properties ignored on reading), written and read
 * with the streaming API: the agent opens the keystore while it starts, and jackson-databind would
 * cost that start-up the loading of hundreds of classes. {@link KeystoreJson} does the work.
 */
final class KeystoreData {

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
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = KeystoreJson.FACTORY.createGenerator(out)) {
      KeystoreJson.write(g, this);
    } catch (IOException e) {
      throw new KeystoreException("cannot serialize keystore: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  static KeystoreData fromJson(byte[] json) {
    KeystoreData data;
    try (JsonParser p = KeystoreJson.FACTORY.createParser(json)) {
      data = KeystoreJson.read(p);
    } catch (JsonProcessingException e) {
      // The parser's own message can quote the payload: name only where it went wrong.
      JsonLocation at = e.getLocation();
      throw new KeystoreException(
          "keystore payload is not valid: "
              + (at == null
                  ? "malformed JSON"
                  : "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr()));
    } catch (IOException e) {
      throw new KeystoreException("keystore payload is not valid: " + e.getMessage(), e);
    }
    if (data.keystoreId == null || data.keystoreId.length != 16) {
      throw new KeystoreException("keystore payload has no valid keystore id");
    }
    return data;
  }
}
