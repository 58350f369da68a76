import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRoutes } from '#partnerships/index.ts';
import { ReachableStack } from '#infra/reachable-stack.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { templateRoutes } from '#local/routing-table.ts';
import type { Template } from '#local/template.ts';
import { registerPartnership } from '#partnerships/index.ts';
import { testConfig } from '#test/infra/synth.ts';
import { northumbria, northumbriaRoutes } from '#test/fixtures/northumbria.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { proveExactlyOneRoute } from '#test/helpers/routing-proof.ts';
import {
  destinationQueueUrl,
  eventually,
  referralIdsInQueue,
  storedReferral,
} from '#test/helpers/runtime.ts';

// Handlers find the partnership and its routes by the PARTNERSHIP id in their environment.
registerPartnership(northumbria);
registerRoutes(northumbria.id, northumbriaRoutes);

const outdir = mkdtempSync(path.join(tmpdir(), 'reachable-northumbria-'));
let template: Template;
let runtime: Runtime;

beforeAll(async () => {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ReachableStack(app, 'Reachable-northumbria-test', {
    config: { ...testConfig, partnership: northumbria.id },
  });
  const assembly = app.synth();
  template = JSON.parse(
    readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8'),
  ) as Template;
  runtime = await startRuntime({ port: 0, template });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(outdir, { recursive: true, force: true });
});

/** A weapons-in-schools referral from a Northumbria school, built from the Bristol example. */
function northumbriaReferral(spoke: string, pathway: 'weapons-in-schools'): object {
  const example = exampleReferral('weapons-possession-bristol.json');
  const referrer = example.referrer as Record<string, unknown>;
  return {
    ...example,
    spoke,
    pathway,
    referrer: {
      ...referrer,
      organisationId:
        spoke === 'newcastle' ? 'example-school-newcastle' : 'example-school-northumberland',
    },
  };
}

async function submit(body: object): Promise<string> {
  const response = await postReferral(runtime, body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { referralId: string }).referralId;
}

describe('a second partnership, configured the same way', () => {
  it('synthesizes six spokes of routes, and each referral matches exactly one of its own spoke', () => {
    // Prepare
    const routes = templateRoutes(template);

    // Act
    const proof = proveExactlyOneRoute(northumbria, routes);

    // Assess
    expect(new Set(routes.map((route) => route.spoke)).size).toBe(6 + 1); // + escalation
    expect(proof.failures).toEqual([]);
    expect(proof.checked).toBeGreaterThan(0);
  });

  it('routes a Newcastle schools referral to school liaison, and a Northumberland one to triage', async () => {
    // Prepare
    const newcastle = northumbriaReferral('newcastle', 'weapons-in-schools');
    const northumberland = northumbriaReferral('northumberland', 'weapons-in-schools');

    // Act
    const newcastleId = await submit(newcastle);
    const northumberlandId = await submit(northumberland);
    const [newcastleRouted, northumberlandRouted] = await Promise.all(
      [newcastleId, northumberlandId].map((id) =>
        eventually(`routing of ${id}`, async () => {
          const item = await storedReferral(runtime, id);
          return item?.routing
            ? (item.routing as { destination: object; reasons: string[] })
            : undefined;
        }),
      ),
    );
    const liaisonQueue = await referralIdsInQueue(
      destinationQueueUrl(runtime, 'provider:northumbria-school-liaison'),
    );

    // Assess
    expect(newcastleRouted?.destination).toEqual({
      kind: 'provider',
      providerId: 'northumbria-school-liaison',
    });
    expect(liaisonQueue.has(newcastleId)).toBe(true);
    expect(northumberlandRouted?.destination).toEqual({ kind: 'triage', spoke: 'northumberland' });
    expect(northumberlandRouted?.reasons).toContain(
      'The School liaison (weapons in schools) pathway is not run in Northumberland.',
    );
  });
});
