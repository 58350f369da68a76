import { describe, expect, it } from 'vitest';
import { pathwayForm, valuesFrom } from '#shared/forms/fields.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import {
  formFor,
  pathwaysFor,
  registeredOrganisation,
  sentReferral,
  submitForm,
} from '#shared/services/referral-forms.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { InMemoryReferralStore, sealedReferral } from '#test/helpers/fakes.ts';
import { fridayEvening, referralFromExample, testCipher } from '#test/unit/functions/builders.ts';

const hospital = 'musgrove-park-hospital-ae';
const school = 'example-academy-bristol';
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const admitForm = pathwayForm(avonAndSomerset, 'admit');
const organisationOf = (id: string) => registeredOrganisation(avonAndSomerset, id)!;

/** The intake a form goes through, over an in-memory store. */
function intake() {
  const store = new InMemoryReferralStore({ cipher: testCipher() });
  return {
    store,
    deps: {
      partnership: avonAndSomerset,
      store,
      now: () => fridayEvening,
      newId: () => referralId,
    },
  };
}

describe('who may use which form', () => {
  it('knows only the organisations registered with the partnership', () => {
    // Act
    const known = registeredOrganisation(avonAndSomerset, hospital);
    const unknown = registeredOrganisation(avonAndSomerset, 'nobody-we-know');

    // Assess
    expect(known).toMatchObject({ id: hospital, type: 'hospital' });
    expect(unknown).toBeUndefined();
  });

  it('offers an organisation the pathways that take referrals from its type, and only their forms', () => {
    // Act
    const forHospital = pathwaysFor(avonAndSomerset, organisationOf(hospital)).map((p) => p.id);
    const forSchool = pathwaysFor(avonAndSomerset, organisationOf(school)).map((p) => p.id);

    // Assess
    expect(forHospital).toEqual(expect.arrayContaining(['ae-teachable-moment', 'admit']));
    expect(forHospital).not.toContain('weapons-in-schools');
    expect(forSchool).toEqual(expect.arrayContaining(['weapons-in-schools']));
    expect(forSchool).not.toContain('ae-teachable-moment');
    expect(formFor(avonAndSomerset, organisationOf(hospital), 'admit')?.pathway.id).toBe('admit');
    expect(formFor(avonAndSomerset, organisationOf(school), 'ae-teachable-moment')).toBeUndefined();
    expect(formFor(avonAndSomerset, organisationOf(hospital), 'no-such-pathway')).toBeUndefined();
  });
});

describe('submitForm', () => {
  it('takes a valid form through the intake, as sent by the signed-in organisation', async () => {
    // Prepare
    const { store, deps } = intake();
    const values = valuesFrom(admitForm, exampleReferral('admit-friday-night.json'));

    // Act
    const outcome = await submitForm(admitForm, values, hospital, deps);

    // Assess
    expect(outcome).toMatchObject({ ok: true, receipt: { referralId } });
    expect(store.stored(referralId)).toMatchObject({
      referrerOrganisationId: hospital,
      pathway: 'admit',
    });
  });

  it('answers the problems as form errors linked to their fields, storing nothing', async () => {
    // Prepare
    const { store, deps } = intake();
    const values = {
      ...valuesFrom(admitForm, exampleReferral('admit-friday-night.json')),
      'referrer.email': 'not-an-email',
      'subject.familyName': '',
    };

    // Act
    const outcome = await submitForm(admitForm, values, hospital, deps);

    // Assess
    expect(outcome.ok).toBe(false);
    const errors = outcome.ok ? [] : outcome.errors;
    expect(errors.map((error) => error.href)).toEqual(
      expect.arrayContaining(['#subject-familyName', '#referrer-email']),
    );
    expect(store.stored(referralId)).toBeUndefined();
  });

  it('lets any other failure of the intake through', async () => {
    // Prepare: the id is taken already.
    const { store, deps } = intake();
    await store.create(referralFromExample('admit-friday-night.json', referralId));
    const values = valuesFrom(admitForm, exampleReferral('admit-friday-night.json'));

    // Act
    const submitting = submitForm(admitForm, values, hospital, deps);

    // Assess
    await expect(submitting).rejects.toThrow(`Referral ${referralId} already exists.`);
  });
});

describe('sentReferral', () => {
  it("gives the organisation its own referral, and nothing of another's or of none", async () => {
    // Prepare
    const cipher = testCipher();
    const store = new InMemoryReferralStore({ cipher });
    store.holds(
      await sealedReferral(referralFromExample('admit-friday-night.json', referralId), cipher),
    );

    // Act
    const own = await sentReferral(store, hospital, referralId);
    const others = await sentReferral(store, school, referralId);
    const none = await sentReferral(store, hospital, '9b2f7c4e-1d3a-4e5f-8a6b-7c8d9e0f1a2b');

    // Assess
    expect(own?.referralId).toBe(referralId);
    expect(others).toBeUndefined();
    expect(none).toBeUndefined();
  });
});
