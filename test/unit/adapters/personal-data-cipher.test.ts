import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EnvelopeCipher,
  localKeyring,
  personalDataCipherFromEnv,
  PersonalDataUnreadableError,
} from '#shared/adapters/personal-data-cipher.ts';

const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const otherReferralId = '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const partnership = 'avon-and-somerset';
const personal = {
  subject: { givenName: 'Jordan', familyName: 'Example', dateOfBirth: '2010-03-27' },
  summary: 'Seen at A&E after a fight outside the Cross Keys',
};
const key = randomBytes(32);
const cipher = () => new EnvelopeCipher({ keyring: localKeyring(key), partnership });
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('EnvelopeCipher (local AES keyring)', () => {
  it('seals a value that opens again for the same referral and field, and shows none of it', async () => {
    // Prepare
    const sealing = cipher();

    // Act
    const sealed = await sealing.seal('personal', referralId, personal);
    const opened = await cipher().open('personal', referralId, sealed);

    // Assess
    expect(opened).toEqual(personal);
    for (const value of ['Jordan', 'Example', '2010-03-27', 'Cross Keys']) {
      expect(latin1(sealed)).not.toContain(value);
      expect(Buffer.from(sealed).toString('base64')).not.toContain(value);
    }
  });

  it('gives the same value a different seal each time (a fresh data key per message)', async () => {
    // Prepare
    const sealing = cipher();

    // Act
    const first = await sealing.seal('personal', referralId, personal);
    const second = await sealing.seal('personal', referralId, personal);

    // Assess
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('refuses to open a seal moved onto another referral', async () => {
    // Prepare
    const sealed = await cipher().seal('personal', referralId, personal);

    // Act
    const opening = cipher().open('personal', otherReferralId, sealed);

    // Assess
    await expect(opening).rejects.toThrow(PersonalDataUnreadableError);
    await expect(opening).rejects.toThrow(/sealed for another referral or field/);
  });

  it('refuses to open a seal moved onto another field of the same referral', async () => {
    // Prepare
    const sealed = await cipher().seal('decline-details', referralId, 'Known to our team');

    // Act
    const opening = cipher().open('personal', referralId, sealed);

    // Assess
    await expect(opening).rejects.toThrow(PersonalDataUnreadableError);
  });

  it("refuses to open another partnership's seal", async () => {
    // Prepare
    const sealed = await new EnvelopeCipher({
      keyring: localKeyring(key),
      partnership: 'northumbria',
    }).seal('personal', referralId, personal);

    // Act
    const opening = cipher().open('personal', referralId, sealed);

    // Assess
    await expect(opening).rejects.toThrow(PersonalDataUnreadableError);
  });

  it('refuses a seal changed by one byte, or made under another key', async () => {
    // Prepare
    const sealed = await cipher().seal('personal', referralId, personal);
    const tampered = new Uint8Array(sealed);
    tampered[tampered.length - 40]! ^= 0x01;
    const otherKey = new EnvelopeCipher({ keyring: localKeyring(randomBytes(32)), partnership });

    // Act
    const [openedTampered, openedUnderOtherKey] = await Promise.allSettled([
      cipher().open('personal', referralId, tampered),
      otherKey.open('personal', referralId, sealed),
    ]);

    // Assess
    expect(openedTampered).toMatchObject({ status: 'rejected' });
    expect(openedUnderOtherKey).toMatchObject({ status: 'rejected' });
    for (const outcome of [openedTampered, openedUnderOtherKey]) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(PersonalDataUnreadableError);
    }
  });
});

describe('personalDataCipherFromEnv', () => {
  const kms = mockClient(KMSClient);
  const keyArn = 'arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  afterEach(() => {
    kms.reset();
  });

  it('uses the local key when the embedded runtime gives one', async () => {
    // Prepare
    const env = {
      PARTNERSHIP: partnership,
      PERSONAL_DATA_LOCAL_KEY: key.toString('base64url'),
      PERSONAL_DATA_KEY_ARN: keyArn,
    };

    // Act
    const sealed = await personalDataCipherFromEnv(env).seal('personal', referralId, personal);

    // Assess
    expect(await cipher().open('personal', referralId, sealed)).toEqual(personal);
    expect(kms.calls()).toHaveLength(0);
  });

  it('asks KMS for a data key under the key named, bound to partnership, referral and field, and back to open it', async () => {
    // Prepare
    // A fake KMS holding one data key; the SDK zeroes each plaintext key it is given, so each
    // answer carries a copy.
    const dataKey = randomBytes(32);
    const wrapped = new Uint8Array(randomBytes(64));
    kms.on(GenerateDataKeyCommand).callsFake(() => ({
      KeyId: keyArn,
      Plaintext: new Uint8Array(dataKey),
      CiphertextBlob: wrapped,
    }));
    kms.on(DecryptCommand).callsFake(() => ({ KeyId: keyArn, Plaintext: new Uint8Array(dataKey) }));
    const deployed = personalDataCipherFromEnv({
      PARTNERSHIP: partnership,
      PERSONAL_DATA_KEY_ARN: keyArn,
    });
    const context = {
      'reachable-partnership': partnership,
      'reachable-referral': referralId,
      'reachable-field': 'personal',
    };

    // Act
    const sealed = await deployed.seal('personal', referralId, personal);
    const opened = await deployed.open('personal', referralId, sealed);

    // Assess
    expect(opened).toEqual(personal);
    const generated = kms.commandCalls(GenerateDataKeyCommand).map((call) => call.args[0].input);
    const decrypted = kms.commandCalls(DecryptCommand).map((call) => call.args[0].input);
    expect(generated).toEqual([
      expect.objectContaining({ KeyId: keyArn, EncryptionContext: context }),
    ]);
    expect(decrypted).toEqual([
      expect.objectContaining({ KeyId: keyArn, EncryptionContext: context }),
    ]);
    expect(latin1(sealed)).not.toContain('Jordan');
  });

  it.each([
    [{ PARTNERSHIP: partnership }, /PERSONAL_DATA_KEY_ARN \(or PERSONAL_DATA_LOCAL_KEY\)/],
    [{ PERSONAL_DATA_KEY_ARN: keyArn }, /PARTNERSHIP/],
    [{ PARTNERSHIP: partnership, PERSONAL_DATA_LOCAL_KEY: 'c2hvcnQ' }, /32 bytes/],
  ])('fails loudly, naming what is missing or wrong: %j', (env, message) => {
    // Prepare
    const build = () => personalDataCipherFromEnv(env);

    // Act
    // Assess
    expect(build).toThrow(message);
  });
});
