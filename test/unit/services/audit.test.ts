import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditLog, TrailStreamPage } from '#shared/table/audit-log.ts';
import {
  compareEntries,
  arrivalEntries,
  type AuditEntry,
  type KeyedEntry,
} from '#shared/domain/audit.ts';
import { NotFoundError, ValidationError } from '#shared/errors.ts';
import { auditTrail } from '#shared/services/audit.ts';

const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const receivedAt = Date.parse('2026-11-20T22:45:00.000Z');

type Log = Pick<AuditLog, 'arrival' | 'changes' | 'reads'>;

/**
 * An audit log in memory that pages as DynamoDB does: each stream in key order, after the key
 * given, `limit` at most, and "more" whenever a page is full, even when nothing follows.
 */
function logHolding({
  arrival = [],
  changes,
  reads,
}: {
  arrival?: AuditEntry[];
  changes: KeyedEntry[];
  reads: KeyedEntry[];
}): Log {
  const page = (stream: KeyedEntry[], after: string | undefined, limit: number) => {
    const sorted = [...stream].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const items = sorted.filter((k) => after === undefined || k.key > after).slice(0, limit);
    return { items, more: items.length === limit } satisfies TrailStreamPage;
  };
  return {
    arrival: async () => arrival,
    changes: async (_id, { after, limit }) => page(changes, after, limit),
    reads: async (_id, { after, limit }) => page(reads, after, limit),
  };
}

const entryAt = (ms: number, kind: AuditEntry['kind'], n: number): AuditEntry => ({
  referralId,
  at: new Date(ms).toISOString(),
  kind,
  action: kind === 'read' ? 'referral.read' : `referral.step-${n}`,
  actor: { role: 'provider', id: 'turning-point-admit' },
  purpose: 'provider-casework',
});

/** A trail's streams: changes and reads at whole seconds after receipt, some at one moment. */
const streams = fc
  .record({
    changeSeconds: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 25 }),
    readSeconds: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 25 }),
    received: fc.boolean(),
    routedAtIntake: fc.boolean(),
  })
  .map(({ changeSeconds, readSeconds, received, routedAtIntake }) => ({
    arrival: received
      ? arrivalEntries({
          referralId,
          receivedAt: new Date(receivedAt).toISOString(),
          referrerOrganisationId: 'musgrove-park-hospital-ae',
          ...(routedAtIntake
            ? {
                routing: {
                  routeId: 'somerset-turning-point-admit',
                  destination: { kind: 'provider' as const, providerId: 'turning-point-admit' },
                  decidedAt: new Date(receivedAt).toISOString(),
                },
              }
            : {}),
        })
      : [],
    changes: changeSeconds.map((s, n) => {
      const entry = entryAt(receivedAt + s * 1000, 'change', n);
      return { key: `TRANSITION#${entry.at}#step-${String(n).padStart(2, '0')}`, entry };
    }),
    reads: readSeconds.map((s, n) => {
      const entry = entryAt(receivedAt + s * 1000, 'read', n);
      return { key: `${entry.at}#${String(n).padStart(4, '0')}`, entry };
    }),
  }));

async function everyPage(log: Log, limit: number) {
  const pages: AuditEntry[][] = [];
  let cursor: string | undefined;
  do {
    const page = await auditTrail(referralId, { limit, ...(cursor ? { cursor } : {}) }, { log });
    pages.push(page.entries);
    cursor = page.cursor;
  } while (cursor && pages.length < 200);
  return pages;
}

describe('auditTrail', () => {
  it('pages through every change and read exactly once, in time order, whatever the page size', async () => {
    await fc.assert(
      fc.asyncProperty(streams, fc.integer({ min: 1, max: 7 }), async (held, limit) => {
        // Prepare
        fc.pre(held.arrival.length + held.changes.length + held.reads.length > 0);
        const expected = [
          ...held.arrival,
          ...[...held.changes, ...held.reads].sort(compareEntries).map((k) => k.entry),
        ];

        // Act
        const pages = await everyPage(logHolding(held), limit);

        // Assess
        expect(pages.flat()).toEqual(expected);
        expect(pages.every((page) => page.length <= limit)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('answers 404 for a referral that is not held and that no record names', async () => {
    // Prepare
    const log = logHolding({ changes: [], reads: [] });

    // Act
    const thrown = await auditTrail(referralId, {}, { log }).catch((error: unknown) => error);

    // Assess
    expect(thrown).toBeInstanceOf(NotFoundError);
  });

  it('still answers the trail of a referral whose own item has expired', async () => {
    // Prepare
    const read = entryAt(receivedAt + 1000, 'read', 0);
    const log = logHolding({ changes: [], reads: [{ key: `${read.at}#0`, entry: read }] });

    // Act
    const trail = await auditTrail(referralId, {}, { log });

    // Assess
    expect(trail).toEqual({ referralId, entries: [read] });
  });

  it('refuses a cursor it did not make with a 400 naming it', async () => {
    // Prepare
    const log = logHolding({ changes: [], reads: [] });

    // Act
    const thrown = await auditTrail(referralId, { cursor: 'bm90LWEtY3Vyc29y' }, { log }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).problems[0]?.pointer).toBe('/cursor');
  });
});
