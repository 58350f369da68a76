import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  type KeyringNode,
} from '@aws-crypto/client-node';
import { ReachableError } from '../errors.ts';

/**
 * Envelope encryption of a referral's personal data with the AWS Encryption SDK: each sealed
 * value is an Encryption SDK message with its own data key, wrapped by the partnership's KMS key
 * on AWS (a local AES key in the embedded runtime). The encryption context binds a message to
 * its partnership, referral and field: opened anywhere else it is refused.
 */

/** The sealed fields of a referral. */
export type SealedField = 'personal' | 'decline-details';

/** Seals and opens personal data; `open` fails unless the value was sealed for this very place. */
export interface PersonalDataCipher {
  /** Seals a JSON value for one field of one referral. */
  seal(field: SealedField, referralId: string, value: unknown): Promise<Uint8Array>;
  /** Opens what `seal` made for the same field of the same referral, or throws. */
  open(field: SealedField, referralId: string, sealed: Uint8Array): Promise<unknown>;
}

/** A sealed value that cannot be opened here: tampered with, moved, or sealed with another key. */
export class PersonalDataUnreadableError extends ReachableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PersonalDataUnreadableError';
  }
}

/** The encryption context's keys (names beginning `aws-crypto-` are the SDK's own). */
export const contextKeys = {
  partnership: 'reachable-partnership',
  referral: 'reachable-referral',
  field: 'reachable-field',
} as const;

// Key commitment on both sides; one wrapped data key per message, so a message cannot make us
// try keys it names. No message signature: every function that opens personal data may also
// seal it (provider-api), so a signature would not separate who writes from who reads.
const { encrypt, decrypt } = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});
const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/** A cipher over any Encryption SDK keyring, for one partnership. */
export class EnvelopeCipher implements PersonalDataCipher {
  readonly #keyring: KeyringNode;
  readonly #partnership: string;

  constructor({ keyring, partnership }: { keyring: KeyringNode; partnership: string }) {
    this.#keyring = keyring;
    this.#partnership = partnership;
  }

  async seal(field: SealedField, referralId: string, value: unknown): Promise<Uint8Array> {
    const { result } = await encrypt(this.#keyring, JSON.stringify(value), {
      encryptionContext: this.#context(field, referralId),
      suiteId,
    });
    return new Uint8Array(result);
  }

  async open(field: SealedField, referralId: string, sealed: Uint8Array): Promise<unknown> {
    const expected = this.#context(field, referralId);
    let opened;
    try {
      opened = await decrypt(this.#keyring, sealed);
    } catch (error) {
      throw new PersonalDataUnreadableError(
        `The sealed ${field} of referral ${referralId} cannot be opened.`,
        { cause: error },
      );
    }
    // The context is authenticated with the message; it must also be the one asked for, or a
    // ciphertext copied from another referral (or field) would open here.
    const context = opened.messageHeader.encryptionContext;
    const sameContext =
      Object.keys(context).length === Object.keys(expected).length &&
      Object.entries(expected).every(([key, value]) => context[key] === value);
    if (!sameContext) {
      throw new PersonalDataUnreadableError(
        `The sealed ${field} of referral ${referralId} was sealed for another referral or field.`,
      );
    }
    return JSON.parse(opened.plaintext.toString('utf8')) as unknown;
  }

  #context(field: SealedField, referralId: string): Record<string, string> {
    return {
      [contextKeys.partnership]: this.#partnership,
      [contextKeys.referral]: referralId,
      [contextKeys.field]: field,
    };
  }
}

/** The bytes of a local 256-bit key written as base64url, checked. */
export function localKeyBytes(encoded: string, name: string): Uint8Array {
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.length !== 32) throw new Error(`${name} must be 32 bytes, base64url-encoded`);
  return new Uint8Array(bytes);
}

/** The embedded runtime's keyring: AES-256-GCM with a key kept in `.local/`. */
export function localKeyring(key: Uint8Array): KeyringNode {
  return new RawAesKeyringNode({
    keyNamespace: 'reachable-local',
    keyName: 'personal-data',
    // The keyring takes the key and zeroes the array it was given: give it a copy.
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

/** The deployed keyring: data keys generated and unwrapped by the partnership's KMS key. */
export function kmsKeyring(keyArn: string): KeyringNode {
  return new KmsKeyringNode({ generatorKeyId: keyArn });
}

/**
 * The cipher of this function: `PERSONAL_DATA_LOCAL_KEY` (the embedded runtime's key) if set,
 * else the KMS key `PERSONAL_DATA_KEY_ARN`, for the partnership `PARTNERSHIP`. Fails loudly,
 * naming the variable, when neither is set: only functions that seal or open personal data
 * build one, and only they are granted the key.
 * @example const cipher = personalDataCipherFromEnv(); await cipher.seal('personal', id, personal)
 */
export function personalDataCipherFromEnv(env: NodeJS.ProcessEnv = process.env): EnvelopeCipher {
  const partnership = env.PARTNERSHIP;
  if (!partnership) throw new Error('Missing required environment variable PARTNERSHIP');
  const local = env.PERSONAL_DATA_LOCAL_KEY;
  if (local) {
    return new EnvelopeCipher({
      keyring: localKeyring(localKeyBytes(local, 'PERSONAL_DATA_LOCAL_KEY')),
      partnership,
    });
  }
  const arn = env.PERSONAL_DATA_KEY_ARN;
  if (!arn) {
    throw new Error(
      'Environment variable PERSONAL_DATA_KEY_ARN (or PERSONAL_DATA_LOCAL_KEY) is not set',
    );
  }
  return new EnvelopeCipher({ keyring: kmsKeyring(arn), partnership });
}
