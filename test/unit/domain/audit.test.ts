import { describe, expect, it } from 'vitest';
import {
  auditEntrySchema,
  auditExpiresAt,
  changeEntry,
  compareEntries,
  decodeTrailCursor,
  defaultAuditRetentionDays,
  encodeTrailCursor,
  mergeTrail,
  readRecords,
  arrivalEntries,
  type AuditEntry,
  type KeyedEntry,
  type ReadContext,
  type TransitionFacts,
} from '#shared/domain/audit.ts';
import { ValidationError } from '#shared/errors.ts';

const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const day = 24 * 60 * 60;
const receivedAt = new Date('2026-11-20T22:45:00.000Z');
/** The referral's own expiry: three years after receipt. */
const referralExpiresAt = Math.floor(receivedAt.getTime() / 1000) + 3 * 365 * day;

const provider: ReadContext = {
  actor: { role: 'provider', id: 'turning-point-admit', subject: 'jo.bloggs' },
  purpose: 'provider-casework',
  correlationId: 'request-1',
};

const transition = (fields: Partial<TransitionFacts> = {}): TransitionFacts => ({
  referralId,
  at: '2026-11-20T23:00:00.000Z',
  from: 'routed',
  to: 'accepted',
  actor: { kind: 'provider', id: 'turning-point-admit' },
  ...fields,
});

const keyed = (key: string, at: string, kind: AuditEntry['kind']): KeyedEntry => ({
  key,
  entry: {
    referralId,
    at,
    kind,
    action: kind === 'read' ? 'referral.read' : 'referral.accepted',
    actor: { role: 'provider', id: 'turning-point-admit' },
    purpose: 'provider-casework',
  },
});

describe('auditExpiresAt', () => {
  it('keeps a record the retention period after the referral itself expires', () => {
    // Prepare
    const readAt = new Date('2027-01-05T10:00:00.000Z');

    // Act
    const expiresAt = auditExpiresAt(referralExpiresAt, readAt, defaultAuditRetentionDays);

    // Assess
    expect(expiresAt).toBe(referralExpiresAt + 6 * 365 * day);
    expect(expiresAt).toBeGreaterThan(referralExpiresAt);
  });

  it('counts from the record when it is written after the referral’s expiry (a late export)', () => {
    // Prepare
    const readAt = new Date((referralExpiresAt + 30 * day) * 1000);

    // Act
    const expiresAt = auditExpiresAt(referralExpiresAt, readAt, 10);

    // Assess
    expect(expiresAt).toBe(referralExpiresAt + 30 * day + 10 * day);
  });
});

describe('readRecords', () => {
  it('makes one record per referral shown, each with who, when, what, why and the request', () => {
    // Prepare
    const otherId = '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
    const at = new Date('2026-11-21T09:00:00.000Z');
    const shown = [
      { referralId, expiresAt: referralExpiresAt },
      { referralId: otherId, expiresAt: referralExpiresAt + day },
    ];

    // Act
    const records = readRecords(shown, { action: 'referral.listed' }, provider, {
      at,
      retentionDays: 30,
    });

    // Assess
    expect(records).toEqual([
      {
        referralId,
        at: at.toISOString(),
        action: 'referral.listed',
        actor: provider.actor,
        purpose: 'provider-casework',
        correlationId: 'request-1',
        expiresAt: referralExpiresAt + 30 * day,
      },
      expect.objectContaining({ referralId: otherId, expiresAt: referralExpiresAt + 31 * day }),
    ]);
  });

  it('names the command a command’s answer followed', () => {
    // Act
    const [record] = readRecords(
      [{ referralId, expiresAt: referralExpiresAt }],
      { action: 'referral.command-answered', detail: 'accept' },
      provider,
      { at: receivedAt, retentionDays: 1 },
    );

    // Assess
    expect(record).toMatchObject({ action: 'referral.command-answered', detail: 'accept' });
  });
});

describe('changeEntry', () => {
  it.each([
    {
      case: 'a provider’s acceptance',
      facts: transition({ actor: { kind: 'provider', id: 'turning-point-admit', subject: 'jo' } }),
      expected: {
        action: 'referral.accepted',
        actor: { role: 'provider', id: 'turning-point-admit', subject: 'jo' },
        purpose: 'provider-casework',
      },
    },
    {
      case: 'routing',
      facts: transition({
        from: 'received',
        to: 'routed',
        actor: { kind: 'system', id: 'route:somerset-turning-point-admit' },
        why: 'routed to turning-point-admit',
      }),
      expected: {
        action: 'referral.routed',
        actor: { role: 'system', id: 'route:somerset-turning-point-admit' },
        purpose: 'routing',
        detail: 'routed to turning-point-admit',
      },
    },
    {
      case: 'a missed deadline flagged by the sweep',
      facts: transition({
        from: 'routed',
        to: 'routed',
        actor: { kind: 'system', id: 'sla-sweep' },
        why: 'overdue: accept',
        eventType: 'referral.overdue',
      }),
      expected: {
        action: 'referral.overdue',
        actor: { role: 'system', id: 'sla-sweep' },
        purpose: 'deadline-monitoring',
        detail: 'overdue: accept',
      },
    },
    {
      case: 'the referrer’s withdrawal',
      facts: transition({
        from: 'routed',
        to: 'withdrawn',
        actor: { kind: 'referrer', id: 'musgrove-park-hospital-ae', subject: 'nurse-7' },
      }),
      expected: {
        action: 'referral.withdrawn',
        actor: { role: 'organisation', id: 'musgrove-park-hospital-ae', subject: 'nurse-7' },
        purpose: 'referral-management',
      },
    },
  ])('says who, what and why for $case, in the trail’s one shape', ({ facts, expected }) => {
    // Act
    const entry = changeEntry(facts);

    // Assess
    expect(entry).toEqual({
      referralId,
      at: facts.at,
      kind: 'change',
      from: facts.from,
      to: facts.to,
      ...expected,
    });
    expect(auditEntrySchema.safeParse(entry).success).toBe(true);
  });
});

describe('arrivalEntries', () => {
  const arrival = {
    referralId,
    receivedAt: receivedAt.toISOString(),
    referrerOrganisationId: 'musgrove-park-hospital-ae',
  };
  const received = {
    referralId,
    at: receivedAt.toISOString(),
    kind: 'change',
    action: 'referral.received',
    actor: { role: 'organisation', id: 'musgrove-park-hospital-ae' },
    purpose: 'referral-management',
    to: 'received',
  };

  it('opens the trail with the referral’s arrival, from the organisation that sent it', () => {
    // Act
    const entries = arrivalEntries(arrival);

    // Assess
    expect(entries).toEqual([received]);
  });

  it('follows it with the routing decided in the same write, by the rule that decided it', () => {
    // Act
    const entries = arrivalEntries({
      ...arrival,
      routing: {
        routeId: 'somerset-turning-point-admit',
        destination: { kind: 'provider', providerId: 'turning-point-admit' },
        decidedAt: receivedAt.toISOString(),
      },
    });

    // Assess
    expect(entries).toEqual([
      received,
      {
        referralId,
        at: receivedAt.toISOString(),
        kind: 'change',
        action: 'referral.routed',
        actor: { role: 'system', id: 'route:somerset-turning-point-admit' },
        purpose: 'routing',
        from: 'received',
        to: 'routed',
        detail: 'routed to turning-point-admit',
      },
    ]);
    for (const entry of entries) expect(auditEntrySchema.safeParse(entry).success).toBe(true);
  });

  it('leaves a routing decided later to its own transition record', () => {
    // Act
    const entries = arrivalEntries({
      ...arrival,
      routing: {
        routeId: 'bristol-triage',
        destination: { kind: 'triage', spoke: 'bristol' },
        decidedAt: new Date(receivedAt.getTime() + 2000).toISOString(),
      },
    });

    // Assess
    expect(entries).toEqual([received]);
  });
});

describe('the trail’s order and pages', () => {
  it('puts a change before the read that answered it at the same moment', () => {
    // Prepare
    const at = '2026-11-20T23:00:00.000Z';
    const read = keyed(`${at}#0000`, at, 'read');
    const change = keyed(`TRANSITION#${at}#accepted`, at, 'change');

    // Act
    const ordered = [read, change].sort(compareEntries);

    // Assess
    expect(ordered.map((k) => k.entry.kind)).toEqual(['change', 'read']);
  });

  it('merges the arrival, changes and reads by time and takes at most a page', () => {
    // Prepare
    const arrival = arrivalEntries({
      referralId,
      receivedAt: '2026-11-20T22:45:00.000Z',
      referrerOrganisationId: 'musgrove-park-hospital-ae',
    });
    const changes = [
      keyed('TRANSITION#2026-11-20T22:45:02.000Z#routed', '2026-11-20T22:45:02.000Z', 'change'),
      keyed('TRANSITION#2026-11-20T23:00:00.000Z#accepted', '2026-11-20T23:00:00.000Z', 'change'),
    ];
    const reads = [
      keyed('2026-11-20T22:50:00.000Z#a', '2026-11-20T22:50:00.000Z', 'read'),
      keyed('2026-11-20T23:05:00.000Z#b', '2026-11-20T23:05:00.000Z', 'read'),
    ];

    // Act
    const page = mergeTrail({ arrival, changes, reads, limit: 3 });

    // Assess
    expect(page.entries.map((e) => e.at)).toEqual([
      '2026-11-20T22:45:00.000Z',
      '2026-11-20T22:45:02.000Z',
      '2026-11-20T22:50:00.000Z',
    ]);
    expect(page.position).toEqual({ changes: changes[0]!.key, reads: reads[0]!.key });
    expect(page.leftOver).toBe(true);
  });

  it('keeps a stream’s place when a page takes nothing from it', () => {
    // Prepare
    const changes = [
      keyed('TRANSITION#2026-11-21T10:00:00.000Z#engaged', '2026-11-21T10:00:00.000Z', 'change'),
    ];

    // Act
    const page = mergeTrail({
      changes,
      reads: [],
      limit: 5,
      after: { changes: 'TRANSITION#2026-11-21T09:00:00.000Z#x', reads: '2026-11-21T09:30#r' },
    });

    // Assess
    expect(page.position).toEqual({ changes: changes[0]!.key, reads: '2026-11-21T09:30#r' });
    expect(page.leftOver).toBe(false);
  });
});

describe('trail cursors', () => {
  it('hold where each stream stood, and nothing a caller can read as a key', () => {
    // Prepare
    const position = { changes: 'TRANSITION#2026-11-20T23:00:00.000Z#accepted', reads: 'x#y' };

    // Act
    const cursor = encodeTrailCursor(position);

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTrailCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['JSON of another shape', Buffer.from('{"PK":"REFERRAL#x"}').toString('base64url')],
    ['a list', Buffer.from('["a"]').toString('base64url')],
  ])('refuse %s with a 400 naming /cursor', (_case, cursor) => {
    // Act
    const thrown = (() => {
      try {
        decodeTrailCursor(cursor);
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    // Assess
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).problems).toEqual([
      { pointer: '/cursor', detail: 'must be a cursor from a previous page' },
    ]);
  });
});

describe('the audit entry schema', () => {
  it.each([
    ['free text in the detail', { detail: 'Mum said (on the phone) “not now”' }],
    ['a sentence in the subject', { actor: { role: 'admin', id: 'x', subject: 'Hi, Jo!' } }],
    ['a field entries do not have', { summary: 'anything' }],
  ])('refuses %s: entries hold ids, roles and codes', (_case, fields) => {
    // Prepare
    const entry = { ...keyed('k', '2026-11-20T23:00:00.000Z', 'read').entry, ...fields };

    // Act
    const parsed = auditEntrySchema.safeParse(entry);

    // Assess
    expect(parsed.success).toBe(false);
  });
});
