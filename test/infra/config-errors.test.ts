import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { parseDeploymentConfig } from '#infra/config.ts';
import { ReachableStack, type ReachableStackProps } from '#infra/reachable-stack.ts';
import { routesFor } from '#partnerships/index.ts';
import { InvalidRoutesError, providerRoute, type Route } from '#shared/routing/routes.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { InvalidPartnershipError, definePartnership } from '#shared/partnership/schema.ts';
import { oidcTestConfig, testConfig } from './synth.ts';

// Every App needs an output directory; without one each makes its own temporary directory.
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'reachable-infra-'));
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** What a function throws; fails the test if it throws nothing. */
function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('Expected an error, but nothing was thrown');
}

/**
 * Builds the stack in a fresh app with bundling skipped. Routes are checked before any
 * function is declared, so a bad config fails here without synthesizing anything.
 */
const buildStack = (props: Partial<ReachableStackProps>) =>
  new ReachableStack(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad', {
    config: testConfig,
    ...props,
  });

describe('a bad deployment config', () => {
  it('is refused with the bad context key named', () => {
    // Prepare
    const raw = { ...testConfig, partnership: 'Avon' };

    // Act
    const act = () => parseDeploymentConfig(raw);

    // Assess
    expect(act).toThrow(/reachable:partnership must be a lower-case identifier/);
    expect(act).not.toThrow(/reachable:(stage|auth)/);
  });

  it('is refused without the identity provider, naming reachable:auth', () => {
    // Prepare
    const { auth: _auth, ...raw } = testConfig;

    // Act
    const act = () => parseDeploymentConfig(raw);

    // Assess
    expect(act).toThrow(/^Invalid deployment config: reachable:auth /);
    expect(act).not.toThrow(/reachable:(partnership|stage)/);
  });

  it.each(['0', '2.5', 'six years', -1, 36501])(
    'is refused when the audit retention is not a whole number of days from 1 to 36500 (%s)',
    (auditRetentionDays) => {
      // Prepare
      const raw = { ...testConfig, auditRetentionDays };

      // Act
      const act = () => parseDeploymentConfig(raw);

      // Assess
      expect(act).toThrow(/^Invalid deployment config: reachable:auditRetentionDays /);
    },
  );

  it('takes the audit retention from context as a number, or as a number written as text', () => {
    // Prepare
    const given = [3650, '3650', undefined];

    // Act
    const parsed = given.map(
      (auditRetentionDays) =>
        parseDeploymentConfig({ ...testConfig, auditRetentionDays }).auditRetentionDays,
    );

    // Assess
    expect(parsed).toEqual([3650, 3650, undefined]);
  });

  it('is refused when the identity provider is neither cognito nor oidc, naming reachable:auth.kind', () => {
    // Prepare
    const legacy = {
      jwksUrl: 'https://auth.example.org/.well-known/jwks.json',
      issuer: 'https://auth.example.org/',
      audience: 'reachable',
    };

    // Act
    const act = () => parseDeploymentConfig({ ...testConfig, auth: legacy });

    // Assess
    expect(act).toThrow(/^Invalid deployment config: reachable:auth\.kind /);
  });

  it('is refused when the OIDC JWKS URL is not a URL, naming reachable:auth.jwksUrl alone', () => {
    // Prepare
    const raw = {
      ...oidcTestConfig,
      auth: { ...oidcTestConfig.auth, jwksUrl: 'auth.example.org/jwks' },
    };

    // Act
    const act = () => parseDeploymentConfig(raw);

    // Assess
    expect(act).toThrow(/^Invalid deployment config: reachable:auth\.jwksUrl /);
    expect(act).not.toThrow(/reachable:auth\.(issuer|audience)/);
  });

  it.each([
    ['an issuer that is not https', { issuer: 'http://login.example.org' }, 'issuer'],
    ['no audience', { audience: [] }, 'audience'],
    ['an audience as one string', { audience: 'reachable' }, 'audience'],
  ])('is refused for an OIDC issuer with %s, naming the key', (_case, change, key) => {
    // Prepare
    const raw = { ...oidcTestConfig, auth: { ...oidcTestConfig.auth, ...change } };

    // Act
    const act = () => parseDeploymentConfig(raw);

    // Assess
    expect(act).toThrow(new RegExp(`^Invalid deployment config: reachable:auth\\.${key} `));
  });

  it('is refused naming every part of an OIDC issuer that is missing', () => {
    // Prepare
    const raw = { ...testConfig, auth: { kind: 'oidc', jwksUrl: 'https://login.example.org/' } };

    // Act
    const act = () => parseDeploymentConfig(raw);

    // Assess
    expect(act).toThrow(/reachable:auth\.issuer .*; reachable:auth\.audience /);
  });

  it.each([
    ['a callback over http to another host', { callbackUrls: ['http://reachable.example.org/'] }],
    ['an empty list of callbacks', { callbackUrls: [] }],
    ['a setting of an OIDC issuer', { issuer: 'https://login.example.org' }],
  ])('is refused for a Cognito user pool with %s', (_case, change) => {
    // Prepare
    const raw = { ...testConfig, auth: { kind: 'cognito', ...change } };

    // Act
    const act = () => parseDeploymentConfig(raw);

    // Assess
    expect(act).toThrow(/^Invalid deployment config: reachable:auth/);
  });

  it.each([
    ['a Cognito user pool', testConfig],
    ['an OIDC issuer', oidcTestConfig],
    [
      'a Cognito user pool with its own callbacks',
      {
        ...testConfig,
        auth: {
          kind: 'cognito',
          callbackUrls: ['https://reachable.example.org/provider', 'http://localhost:3000/hub'],
        },
      },
    ],
  ])('accepts %s', (_case, config) => {
    // Prepare
    const raw: unknown = structuredClone(config);

    // Act
    const parsed = parseDeploymentConfig(raw);

    // Assess
    expect(parsed).toEqual(config);
  });

  it("accepts the project's own cdk.json context", () => {
    // Prepare
    const cdkJson = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8'),
    ) as { context: Record<string, unknown> };
    const { context } = cdkJson;

    // Act
    const parsed = parseDeploymentConfig({
      partnership: context['reachable:partnership'],
      stage: context['reachable:stage'],
      auth: context['reachable:auth'],
    });

    // Assess
    expect(parsed.auth).toEqual({ kind: 'cognito' });
  });

  it('fails the synth of the app read from CDK context', () => {
    // Prepare
    const app = new App({
      outdir,
      context: {
        'reachable:partnership': 'Avon',
        'reachable:stage': 'dev',
        'reachable:auth': testConfig.auth,
        'aws:cdk:bundling-stacks': [],
      },
    });

    // Act
    const act = () => buildApp(app);

    // Assess
    expect(act).toThrow(/Invalid deployment config: reachable:partnership/);
    expect(act).not.toThrow(/reachable:auth/);
  });

  it('fails the synth of an app whose context has no identity provider, naming reachable:auth', () => {
    // Prepare
    const app = new App({
      outdir,
      context: {
        'reachable:partnership': testConfig.partnership,
        'reachable:stage': 'dev',
        'aws:cdk:bundling-stacks': [],
      },
    });

    // Act
    const act = () => buildApp(app);

    // Assess
    expect(act).toThrow(/^Invalid deployment config: reachable:auth /);
  });

  it('fails the synth for a well-formed partnership that is not registered, naming it', () => {
    // Prepare
    const app = new App({
      outdir,
      context: {
        'reachable:partnership': 'northumbria',
        'reachable:stage': 'dev',
        'reachable:auth': testConfig.auth,
        'aws:cdk:bundling-stacks': [],
      },
    });

    // Act
    const act = () => buildApp(app);

    // Assess
    expect(act).toThrow(/Unknown partnership "northumbria"/);
  });
});

describe('routes that disagree with the partnership config', () => {
  it('fail the synth naming a route to an unknown provider', () => {
    // Prepare
    const badRoute: Route = providerRoute({
      spoke: 'bristol',
      pathways: ['weapons-in-schools'],
      providerId: 'no-such-provider',
      description: 'A provider nobody commissioned.',
    });
    const routes = [...routesFor(avonAndSomerset.id), badRoute];

    // Act
    const error = thrownBy(() => buildStack({ routes }));

    // Assess
    expect(error).toBeInstanceOf(InvalidRoutesError);
    expect((error as InvalidRoutesError).problems).toEqual([
      'route bristol-no-such-provider: unknown provider "no-such-provider"',
    ]);
    expect((error as Error).message).toContain('bristol-no-such-provider');
  });

  it('fail the synth naming a route on a pathway its spoke has not switched on', () => {
    // Prepare
    // Bristol Safer Options also serves North Somerset here, so the only fault left is that
    // weapons-in-schools is switched on in Bristol alone.
    const partnership = definePartnership({
      ...avonAndSomerset,
      providers: avonAndSomerset.providers.map((provider) =>
        provider.id === 'bristol-safer-options'
          ? { ...provider, spokes: [...provider.spokes, 'north-somerset'] }
          : provider,
      ),
    });
    const badRoute = providerRoute({
      spoke: 'north-somerset',
      pathways: ['weapons-in-schools'],
      providerId: 'bristol-safer-options',
      description: 'Weapons in North Somerset schools, before the pathway is switched on there.',
    });
    const routes = [...routesFor(avonAndSomerset.id), badRoute];

    // Act
    const error = thrownBy(() => buildStack({ partnership, routes }));

    // Assess
    expect(error).toBeInstanceOf(InvalidRoutesError);
    expect((error as InvalidRoutesError).problems).toEqual([
      'route north-somerset-bristol-safer-options: pathway weapons-in-schools is not switched on in north-somerset',
    ]);
  });

  it('fail the synth when a spoke has no triage route, naming the spoke', () => {
    // Prepare
    const routes = routesFor(avonAndSomerset.id).filter((route) => route.id !== 'somerset-triage');

    // Act
    const error = thrownBy(() => buildStack({ routes }));

    // Assess
    expect(error).toBeInstanceOf(InvalidRoutesError);
    expect((error as InvalidRoutesError).problems).toEqual([
      'spoke somerset: no triage route, so some referrals would go nowhere',
    ]);
  });

  it("are accepted when they are the partnership's own routes", () => {
    // Prepare
    const routes = routesFor(avonAndSomerset.id);

    // Act
    const act = () => buildStack({ routes });

    // Assess
    expect(act).not.toThrow();
  });
});

describe('a partnership config that does not hold together', () => {
  it('is refused naming the provider that references an unknown spoke', () => {
    // Prepare
    const raw = {
      ...avonAndSomerset,
      providers: avonAndSomerset.providers.map((provider) =>
        provider.id === 'st-giles-sos' ? { ...provider, spokes: ['bristol', 'bristl'] } : provider,
      ),
    };
    const index = avonAndSomerset.providers.findIndex((p) => p.id === 'st-giles-sos');

    // Act
    const error = thrownBy(() => definePartnership(raw));

    // Assess
    expect(error).toBeInstanceOf(InvalidPartnershipError);
    expect((error as InvalidPartnershipError).problems).toEqual([
      `providers[${index}] (st-giles-sos).spokes: unknown spoke "bristl"`,
    ]);
    expect((error as Error).message).toContain('Partnership config "avon-and-somerset" is invalid');
  });

  it('is refused naming the provider whose shape is wrong', () => {
    // Prepare
    const raw = {
      ...avonAndSomerset,
      providers: [{ ...avonAndSomerset.providers[0]!, capacity: 'unlimited' }],
    };

    // Act
    const error = thrownBy(() => definePartnership(raw));

    // Assess
    expect(error).toBeInstanceOf(InvalidPartnershipError);
    expect((error as InvalidPartnershipError).problems).toEqual([
      expect.stringMatching(/^providers\[0\] \(turning-point-admit\)\.capacity: /),
    ]);
  });
});
