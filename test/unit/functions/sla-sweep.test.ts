import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as slaSweep from '#shared/services/sla-sweep.ts';
import { captureOutput, lambdaContext, tableName } from './builders.ts';

// The handler's part: the sweep run as of now, its result returned and logged with the Lambda
// context. What the sweep flags is tested in test/unit/services/sla-sweep.test.ts.
vi.mock('#shared/services/sla-sweep.ts', () => ({ sweepDeadlines: vi.fn() }));
const service = vi.mocked(slaSweep);

vi.stubEnv('TABLE_NAME', tableName);
const { handler } = await import('#functions/sla-sweep/handler.ts');

const schedule: ScheduledEvent = {
  version: '0',
  id: 'd2f1c0b9-8a7e-4d6c-9b5a-4e3f2a1b0c9d',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-21T00:05:00Z',
  region: 'eu-west-2',
  resources: ['arn:aws:events:eu-west-2:123456789012:rule/sla-sweep'],
  detail: {},
};
const context = lambdaContext('reachable-sla-sweep');
const now = new Date('2026-11-21T00:05:00.000Z');

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  vi.resetAllMocks();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

describe('sla-sweep handler', () => {
  it('sweeps as of now and returns and logs what it flagged, with the Lambda context', async () => {
    // Prepare
    service.sweepDeadlines.mockResolvedValue({ checked: 3, flagged: 1 });

    // Act
    const result = await handler(schedule, context);

    // Assess
    expect(result).toEqual({ checked: 3, flagged: 1 });
    expect(service.sweepDeadlines).toHaveBeenCalledOnce();
    const [{ now: clock }] = service.sweepDeadlines.mock.calls[0]!;
    expect(clock()).toEqual(now);
    const logged = output.text();
    expect(logged).toContain('Deadline sweep done');
    expect(logged).toContain('"flagged":1');
    expect(logged).toContain('"function_name":"reachable-sla-sweep"');
  });

  it('lets a failure of the sweep through, so the scheduled run is retried', async () => {
    // Prepare
    const failure = new Error('Service unavailable');
    service.sweepDeadlines.mockRejectedValue(failure);

    // Act
    const sweeping = handler(schedule, context);

    // Assess
    await expect(sweeping).rejects.toBe(failure);
  });
});
