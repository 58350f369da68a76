import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detailTypes, eventSource } from '#events/catalogue.ts';
import { partnershipById } from '#partnerships/index.ts';
import { toEventDetail } from '#shared/domain/referral.ts';
import {
  asReceived,
  decideRoute,
  routeReferral,
  rulesFor,
  UnroutableReferralError,
} from '#shared/routing/decide.ts';
import { eventsForInsertedItem } from '#shared/services/publish.ts';
import { exampleFileNames, examplesDir } from '#test/helpers/examples.ts';
import { fridayEvening, partnershipId, referralFromExample } from '../functions/builders.ts';

const partnership = partnershipById(partnershipId);
const expectations = JSON.parse(
  readFileSync(path.join(examplesDir, 'expectations.json'), 'utf8'),
) as Record<string, { destination: string; escalated: boolean }>;
const referralId = '0b7f4c5e-3c1a-4d59-9a43-2f6d1c1e5a01';

const destinationText = (destination: { kind: string; providerId?: string; spoke?: string }) =>
  `${destination.kind}:${destination.providerId ?? destination.spoke ?? ''}`.replace(/:$/, '');

describe('routeReferral: the route is decided at intake', () => {
  it.each(exampleFileNames())(
    'routes %s where the contract says, recorded on the referral at the moment it was received',
    (fileName) => {
      // Prepare
      const received = referralFromExample(fileName, referralId);

      // Act
      const routed = routeReferral(received, partnership);

      // Assess
      const expected = expectations[fileName]!;
      expect(destinationText(routed.routing!.destination)).toBe(expected.destination);
      expect(routed).toMatchObject({
        status: 'routed',
        updatedAt: fridayEvening.toISOString(),
        milestones: { routedAt: fridayEvening.toISOString() },
        routing: { decidedAt: fridayEvening.toISOString() },
      });
      expect(routed.routing!.reasons.length).toBeGreaterThan(0);
      expect(routed.providerId).toBe(
        routed.routing!.destination.kind === 'provider'
          ? routed.routing!.destination.providerId
          : undefined,
      );
    },
  );

  it('says which routes a referral matched when it matches none', () => {
    // Prepare
    const received = referralFromExample('admit-friday-night.json', referralId);
    const detail = toEventDetail(received);
    const rules = rulesFor(partnership).filter(
      (rule) => rule.id !== 'somerset-turning-point-admit',
    );

    // Act
    const deciding = () => decideRoute(rules, eventSource(partnership.id), detail);

    // Assess
    expect(deciding).toThrow(UnroutableReferralError);
    expect(deciding).toThrow('matches no route');
  });

  it('names every route a referral matched when it matches more than one', () => {
    // Prepare
    const received = referralFromExample('admit-friday-night.json', referralId);
    const rules = rulesFor(partnership);
    const admit = rules.find((rule) => rule.id === 'somerset-turning-point-admit')!;

    // Act
    const deciding = () =>
      decideRoute(
        [...rules, { ...admit, id: 'somerset-admit-again' }],
        eventSource(partnership.id),
        toEventDetail(received),
      );

    // Assess
    expect(deciding).toThrow('somerset-turning-point-admit, somerset-admit-again');
  });
});

describe('a referral stored routed leaves as received and routed together', () => {
  it('publishes referral.received as the rules saw it, then referral.routed with its destination', () => {
    // Prepare
    const routed = routeReferral(
      referralFromExample('admit-friday-night.json', referralId),
      partnership,
    );

    // Act
    const events = eventsForInsertedItem({ entity: 'referral', ...routed });

    // Assess
    expect(events.map((event) => event.detailType)).toEqual([
      detailTypes.referralReceived,
      detailTypes.referralRouted,
    ]);
    const [received, routedEvent] = events.map((event) => event.detail);
    expect(received).toEqual(toEventDetail(asReceived(routed)));
    expect(received).toMatchObject({ status: 'received' });
    expect(received).not.toHaveProperty('providerId');
    expect(received).not.toHaveProperty('destination');
    expect(received).not.toHaveProperty('milestones');
    expect(routedEvent).toMatchObject({
      status: 'routed',
      providerId: 'turning-point-admit',
      destination: { kind: 'provider', providerId: 'turning-point-admit' },
      milestones: { routedAt: fridayEvening.toISOString() },
    });
  });

  it('adds referral.escalated, as received, when a weapon was used or threatened', () => {
    // Prepare
    const routed = routeReferral(
      referralFromExample('weapons-threatened-bristol.json', referralId),
      partnership,
    );

    // Act
    const events = eventsForInsertedItem({ entity: 'referral', ...routed });

    // Assess
    expect(events.map((event) => event.detailType)).toEqual([
      detailTypes.referralReceived,
      detailTypes.referralRouted,
      detailTypes.referralEscalated,
    ]);
    expect(events[2]!.detail).toEqual(events[0]!.detail);
    expect(events[1]!.detail).toMatchObject({ destination: { kind: 'triage', spoke: 'bristol' } });
  });

  it('gives a referral as it was before routing: its routing attributes, nobody’s yet', () => {
    // Prepare
    const received = referralFromExample('project28-bath.json', referralId);

    // Act
    const again = asReceived(routeReferral(received, partnership));

    // Assess
    expect(again).toEqual(received);
  });
});
