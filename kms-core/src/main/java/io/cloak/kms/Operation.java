package io.cloak.kms;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** Every KMS operation a key policy can allow. Names follow AWS KMS ({@code kms:Encrypt}). */
public enum Operation {
  CREATE_KEY("kms:CreateKey"),
  DESCRIBE_KEY("kms:DescribeKey"),
  LIST_KEYS("kms:ListKeys"),
  ENABLE_KEY("kms:EnableKey"),
  DISABLE_KEY("kms:DisableKey"),
  SCHEDULE_KEY_DELETION("kms:ScheduleKeyDeletion"),
  CANCEL_KEY_DELETION("kms:CancelKeyDeletion"),
  CREATE_ALIAS("kms:CreateAlias"),
  UPDATE_ALIAS("kms:UpdateAlias"),
  DELETE_ALIAS("kms:DeleteAlias"),
  LIST_ALIASES("kms:ListAliases"),
  ENCRYPT("kms:Encrypt"),
  DECRYPT("kms:Decrypt"),
  GENERATE_DATA_KEY("kms:GenerateDataKey"),
  GENERATE_DATA_KEY_WITHOUT_PLAINTEXT("kms:GenerateDataKeyWithoutPlaintext"),
  RE_ENCRYPT_FROM("kms:ReEncryptFrom"),
  RE_ENCRYPT_TO("kms:ReEncryptTo"),
  GENERATE_RANDOM("kms:GenerateRandom"),
  ENABLE_KEY_ROTATION("kms:EnableKeyRotation"),
  DISABLE_KEY_ROTATION("kms:DisableKeyRotation"),
  ROTATE_KEY_ON_DEMAND("kms:RotateKeyOnDemand"),
  LIST_KEY_ROTATIONS("kms:ListKeyRotations"),
  GET_KEY_POLICY("kms:GetKeyPolicy"),
  PUT_KEY_POLICY("kms:PutKeyPolicy"),
  /** Destruction of a key whose deletion date has passed; performed by the engine itself. */
  DELETE_KEY("kms:DeleteKey");

  /** Operations that use key material; a disabled key or one pending deletion refuses them. */
  public static final Set<Operation> CRYPTOGRAPHIC =
      EnumSet.of(
          ENCRYPT,
          DECRYPT,
          GENERATE_DATA_KEY,
          GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
          RE_ENCRYPT_FROM,
          RE_ENCRYPT_TO);

  private final String actionName;

  Operation(String actionName) {
    this.actionName = actionName;
  }

  /** The policy action name, for example {@code kms:Encrypt}. */
  public String actionName() {
    return actionName;
  }

  /**
   * Parses an action name ({@code kms:Encrypt}) or an enum name ({@code ENCRYPT}).
   *
   * @throws KmsValidationException for an unknown name
   */
  public static Operation parse(String name) {
    for (Operation op : values()) {
      if (op.actionName.equalsIgnoreCase(name) || op.name().equalsIgnoreCase(name)) {
        return op;
      }
    }
    throw new KmsValidationException(
        "unknown KMS operation '"
            + name
            + "'; known: "
            + Arrays.stream(values()).map(Operation::actionName).toList());
  }
}
