package io.cloak.kms.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.cloak.kms.KeystoreException;
import io.cloak.kms.local.KeystoreData.KeyEntry;
import io.cloak.kms.local.KeystoreData.KeyVersion;
import io.cloak.kms.local.KeystoreData.PolicyStatement;
import io.cloak.kms.local.KeystoreData.ProvidedKeyEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads {@link KeystoreData} with Jackson's streaming API, in the format Jackson's
 * {@code ObjectMapper} used for it (field visibility, {@code NON_NULL}, unknown properties
 * ignored):
 *
 * <ul>
 *   <li>fields in declaration order; a null field, and a map entry with a null value, is left out;
 *       byte arrays are base64 strings (Jackson's default variant);
 *   <li>reading ignores unknown properties at every level, keeps the last of duplicate properties
 *       and ignores what follows the root object; a JSON null gives null (0 for a primitive); a map
 *       read from the file is a {@link LinkedHashMap} in file order, a list an {@link ArrayList}.
 * </ul>
 *
 * <p>Error messages name the field, never a value: the payload holds key material.
 */
final class KeystoreJson {
  static final JsonFactory FACTORY = new JsonFactory();

  private KeystoreJson() {}

  // ------------------------------------------------------------------------------------ writing

  static void write(JsonGenerator g, KeystoreData d) throws IOException {
    g.writeStartObject();
    binaryField(g, "keystoreId", d.keystoreId);
    if (d.keys != null) {
      g.writeObjectFieldStart("keys");
      for (Map.Entry<String, KeyEntry> e : d.keys.entrySet()) {
        if (e.getValue() != null) {
          g.writeFieldName(e.getKey());
          writeKey(g, e.getValue());
        }
      }
      g.writeEndObject();
    }
    if (d.aliases != null) {
      g.writeObjectFieldStart("aliases");
      for (Map.Entry<String, String> e : d.aliases.entrySet()) {
        stringField(g, e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    if (d.provided != null) {
      g.writeObjectFieldStart("provided");
      for (Map.Entry<String, ProvidedKeyEntry> e : d.provided.entrySet()) {
        if (e.getValue() != null) {
          g.writeFieldName(e.getKey());
          writeProvided(g, e.getValue());
        }
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeKey(JsonGenerator g, KeyEntry k) throws IOException {
    g.writeStartObject();
    stringField(g, "keyId", k.keyId);
    stringField(g, "description", k.description);
    stringField(g, "state", k.state);
    stringField(g, "stateBeforeDeletion", k.stateBeforeDeletion);
    stringField(g, "origin", k.origin);
    stringField(g, "creator", k.creator);
    g.writeNumberField("createdAt", k.createdAt);
    if (k.rotationPeriodDays != null) {
      g.writeNumberField("rotationPeriodDays", k.rotationPeriodDays.intValue());
    }
    longField(g, "nextRotationAt", k.nextRotationAt);
    longField(g, "deletionDate", k.deletionDate);
    if (k.versions != null) {
      g.writeArrayFieldStart("versions");
      for (KeyVersion v : k.versions) {
        writeVersion(g, v);
      }
      g.writeEndArray();
    }
    if (k.policy != null) {
      g.writeArrayFieldStart("policy");
      for (PolicyStatement s : k.policy) {
        writeStatement(g, s);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void writeVersion(JsonGenerator g, KeyVersion v) throws IOException {
    if (v == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    g.writeNumberField("version", v.version);
    binaryField(g, "material", v.material);
    g.writeNumberField("createdAt", v.createdAt);
    stringField(g, "rotation", v.rotation);
    g.writeEndObject();
  }

  private static void writeStatement(JsonGenerator g, PolicyStatement s) throws IOException {
    if (s == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    stringsField(g, "principals", s.principals);
    stringsField(g, "operations", s.operations);
    g.writeEndObject();
  }

  private static void writeProvided(JsonGenerator g, ProvidedKeyEntry p) throws IOException {
    g.writeStartObject();
    stringField(g, "name", p.name);
    binaryField(g, "salt", p.salt);
    binaryField(g, "fingerprint", p.fingerprint);
    g.writeNumberField("registeredAt", p.registeredAt);
    stringField(g, "registeredBy", p.registeredBy);
    g.writeEndObject();
  }

  private static void stringField(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static void longField(JsonGenerator g, String name, Long value) throws IOException {
    if (value != null) {
      g.writeNumberField(name, value.longValue());
    }
  }

  private static void binaryField(JsonGenerator g, String name, byte[] value) throws IOException {
    if (value != null) {
      g.writeFieldName(name);
      g.writeBinary(value);
    }
  }

  private static void stringsField(JsonGenerator g, String name, List<String> values)
      throws IOException {
    if (values != null) {
      g.writeArrayFieldStart(name);
      for (String s : values) {
        g.writeString(s); // null is written as null
      }
      g.writeEndArray();
    }
  }

  // ------------------------------------------------------------------------------------ reading

  /** Reads the root object; the parser is before its first token. */
  static KeystoreData read(JsonParser p) throws IOException {
    if (p.nextToken() == null) {
      throw invalid("it is empty");
    }
    startObject(p, "the payload");
    KeystoreData d = new KeystoreData();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "keystoreId" -> d.keystoreId = binary(p, name);
        case "keys" -> d.keys = readKeys(p);
        case "aliases" -> d.aliases = readAliases(p);
        case "provided" -> d.provided = readProvided(p);
        default -> p.skipChildren();
      }
    }
    return d;
  }

  private static Map<String, KeyEntry> readKeys(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startObject(p, "\"keys\"");
    Map<String, KeyEntry> keys = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String keyId = p.currentName();
      keys.put(keyId, p.nextToken() == JsonToken.VALUE_NULL ? null : readKey(p));
    }
    return keys;
  }

  private static Map<String, String> readAliases(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startObject(p, "\"aliases\"");
    Map<String, String> aliases = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String alias = p.currentName();
      p.nextToken();
      aliases.put(alias, string(p, "aliases"));
    }
    return aliases;
  }

  private static Map<String, ProvidedKeyEntry> readProvided(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startObject(p, "\"provided\"");
    Map<String, ProvidedKeyEntry> provided = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      provided.put(name, p.nextToken() == JsonToken.VALUE_NULL ? null : readProvidedEntry(p));
    }
    return provided;
  }

  private static KeyEntry readKey(JsonParser p) throws IOException {
    startObject(p, "a key");
    KeyEntry k = new KeyEntry();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "keyId" -> k.keyId = string(p, name);
        case "description" -> k.description = string(p, name);
        case "state" -> k.state = string(p, name);
        case "stateBeforeDeletion" -> k.stateBeforeDeletion = string(p, name);
        case "origin" -> k.origin = string(p, name);
        case "creator" -> k.creator = string(p, name);
        case "createdAt" -> k.createdAt = primitiveLong(p, name);
        case "rotationPeriodDays" -> k.rotationPeriodDays = boxedInt(p, name);
        case "nextRotationAt" -> k.nextRotationAt = boxedLong(p, name);
        case "deletionDate" -> k.deletionDate = boxedLong(p, name);
        case "versions" -> k.versions = readVersions(p);
        case "policy" -> k.policy = readPolicy(p);
        default -> p.skipChildren();
      }
    }
    return k;
  }

  private static List<KeyVersion> readVersions(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startArray(p, "\"versions\"");
    List<KeyVersion> versions = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      versions.add(p.currentToken() == JsonToken.VALUE_NULL ? null : readVersion(p));
    }
    return versions;
  }

  private static KeyVersion readVersion(JsonParser p) throws IOException {
    startObject(p, "a key version");
    KeyVersion v = new KeyVersion();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "version" -> v.version = primitiveInt(p, name);
        case "material" -> v.material = binary(p, name);
        case "createdAt" -> v.createdAt = primitiveLong(p, name);
        case "rotation" -> v.rotation = string(p, name);
        default -> p.skipChildren();
      }
    }
    return v;
  }

  private static List<PolicyStatement> readPolicy(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    startArray(p, "\"policy\"");
    List<PolicyStatement> statements = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      statements.add(p.currentToken() == JsonToken.VALUE_NULL ? null : readStatement(p));
    }
    return statements;
  }

  private static PolicyStatement readStatement(JsonParser p) throws IOException {
    startObject(p, "a policy statement");
    PolicyStatement s = new PolicyStatement();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "principals" -> s.principals = strings(p, name);
        case "operations" -> s.operations = strings(p, name);
        default -> p.skipChildren();
      }
    }
    return s;
  }

  private static ProvidedKeyEntry readProvidedEntry(JsonParser p) throws IOException {
    startObject(p, "a provided key");
    ProvidedKeyEntry e = new ProvidedKeyEntry();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "name" -> e.name = string(p, name);
        case "salt" -> e.salt = binary(p, name);
        case "fingerprint" -> e.fingerprint = binary(p, name);
        case "registeredAt" -> e.registeredAt = primitiveLong(p, name);
        case "registeredBy" -> e.registeredBy = string(p, name);
        default -> p.skipChildren();
      }
    }
    return e;
  }

  private static List<String> strings(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw invalid("\"" + field + "\" is not an array"); // not built before it is needed
    }
    List<String> values = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      values.add(string(p, field));
    }
    return values;
  }

  private static String string(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw invalid("\"" + field + "\" is not a string");
    }
    return p.getText();
  }

  private static byte[] binary(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw invalid("\"" + field + "\" is not a base64 string");
    }
    try {
      return p.getBinaryValue();
    } catch (JsonProcessingException e) {
      throw invalid("\"" + field + "\" is not a base64 string"); // the cause would quote it
    }
  }

  private static long primitiveLong(JsonParser p, String field) throws IOException {
    Long value = boxedLong(p, field);
    return value == null ? 0 : value;
  }

  private static Long boxedLong(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw invalid("\"" + field + "\" is not an integer");
    }
    return p.getLongValue();
  }

  private static int primitiveInt(JsonParser p, String field) throws IOException {
    Integer value = boxedInt(p, field);
    return value == null ? 0 : value;
  }

  private static Integer boxedInt(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw invalid("\"" + field + "\" is not an integer");
    }
    return p.getIntValue();
  }

  private static void startObject(JsonParser p, String what) {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw invalid(what + " is not an object");
    }
  }

  private static void startArray(JsonParser p, String what) {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw invalid(what + " is not an array");
    }
  }

  private static KeystoreException invalid(String what) {
    return new KeystoreException("keystore payload is not valid: " + what);
  }
}
