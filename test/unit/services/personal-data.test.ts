import { describe, expect, it } from 'vitest';
import { PersonalDataUnreadableError } from '#shared/adapters/personal-data-cipher.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { GoneError } from '#shared/errors.ts';
import { erasedError, revealReferral } from '#shared/services/personal-data.ts';
import { sealedReferral } from '#test/helpers/fakes.ts';
import { referralFromExample, testCipher } from '#test/unit/functions/builders.ts';

const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const otherId = '9b2f7c4e-1d3a-4e5f-8a6b-7c8d9e0f1a2b';
const details = 'Already known to our detached youth work team';
const cipher = testCipher();

const received = (id = referralId) => referralFromExample('admit-friday-night.json', id);

describe('revealReferral', () => {
  it('opens the sealed personal data and a decline’s sealed details, each from its own seal', async () => {
    // Prepare
    const revealed = {
      ...received(),
      status: 'declined' as const,
      decline: { reason: 'other' as const, details },
    };
    const stored = await sealedReferral(revealed, cipher);

    // Act
    const opened = await revealReferral(stored, cipher);

    // Assess
    expect(stored).not.toHaveProperty('personal');
    expect(stored.decline).toEqual({ reason: 'other' });
    expect(opened.personal).toEqual(received().personal);
    expect(opened.decline).toEqual({ reason: 'other', details });
  });

  it('leaves a decline without details as it is, opening nothing more', async () => {
    // Prepare
    const stored = await sealedReferral(
      { ...received(), status: 'declined', decline: { reason: 'no-capacity' } },
      cipher,
    );

    // Act
    const opened = await revealReferral(stored, cipher);

    // Assess
    expect(opened.decline).toEqual({ reason: 'no-capacity' });
  });

  it('never trusts personal data in the clear on the item: nothing sealed is unreadable', async () => {
    // Prepare: personal data in the clear and no seal, as no store writes it.
    const inTheClear = { ...received() } as Referral;

    // Act
    const revealing = revealReferral(inTheClear, cipher);

    // Assess
    await expect(revealing).rejects.toBeInstanceOf(PersonalDataUnreadableError);
  });

  it('refuses a seal made for another referral', async () => {
    // Prepare
    const other = await sealedReferral(received(otherId), cipher);
    const own = await sealedReferral(received(), cipher);

    // Act
    const revealing = revealReferral({ ...own, personalSealed: other.personalSealed }, cipher);

    // Assess
    await expect(revealing).rejects.toBeInstanceOf(PersonalDataUnreadableError);
  });

  it('answers Gone, saying when, for a referral whose personal data was erased', async () => {
    // Prepare
    const { personal: _personal, ...anonymous } = received();
    const erased: Referral = { ...anonymous, erasedAt: '2029-11-21T03:00:00.000Z' };

    // Act
    const revealing = revealReferral(erased, cipher);

    // Assess
    await expect(revealing).rejects.toBeInstanceOf(GoneError);
    await expect(revealing).rejects.toThrow(/erased on 2029-11-21/);
  });
});

describe('erasedError', () => {
  it('names the referral and the day it was erased, and what is kept', () => {
    // Act
    const error = erasedError(referralId, '2029-11-21T03:00:00.000Z');

    // Assess
    expect(error).toBeInstanceOf(GoneError);
    expect(error.message).toContain(referralId);
    expect(error.message).toContain('erased on 2029-11-21,');
    expect(error.message).toContain('Its status, dates and codes are kept');
  });
});
