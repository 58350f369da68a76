import { describe, expect, it, vi } from 'vitest';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';

vi.stubEnv('PARTNERSHIP', avonAndSomerset.id);
const { handler } = await import('#functions/api-docs/handler.ts');

describe('GET /openapi.json', () => {
  it("answers the OpenAPI 3.1 document with the intake's schema for every pathway the partnership runs", async () => {
    // Act
    const response = await handler();

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    const document = JSON.parse(String(response.body)) as {
      openapi: string;
      components: {
        schemas: Record<string, { oneOf?: { properties: Record<string, unknown> }[] }>;
      };
    };
    expect(document.openapi).toBe('3.1.0');
    const variants = document.components.schemas.ReferralSubmission?.oneOf ?? [];
    const pathways = variants.map((variant) => variant.properties.pathway);
    expect(pathways).toEqual(
      avonAndSomerset.pathways.map((pathway) => expect.objectContaining({ const: pathway.id })),
    );
    // Strict, as the intake is: unknown fields are refused at every depth.
    for (const variant of variants) {
      expect(variant).toMatchObject({ additionalProperties: false });
    }
  });
});

describe('GET /openapi.json: what pages need', () => {
  it("describes each provider referral's allowed commands and the names blocks of provider and hub answers", async () => {
    // Act
    const response = await handler();

    // Assess
    const document = JSON.parse(String(response.body)) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const { schemas } = document.components;
    expect(schemas.ProviderReferral?.properties.allowed).toMatchObject({
      type: 'array',
      items: { enum: ['accept', 'decline', 'attempt-contact', 'engage', 'close', 'reroute'] },
    });
    expect(Object.keys(schemas.ProviderNames?.properties ?? {}).sort()).toEqual([
      'organisations',
      'pathways',
      'providers',
      'spokes',
    ]);
    expect(Object.keys(schemas.HubNames?.properties ?? {}).sort()).toEqual([
      'partnership',
      'pathways',
      'providers',
      'spokes',
    ]);
    const accept = document.paths['/v1/providers/{providerId}/referrals/{referralId}/accept'];
    expect(JSON.stringify(accept?.post?.responses['200'])).toContain(
      '#/components/schemas/ProviderNames',
    );
    const metrics = document.paths['/v1/hub/metrics'];
    expect(JSON.stringify(metrics?.get?.responses['200'])).toContain(
      '#/components/schemas/HubNames',
    );
  });
});
