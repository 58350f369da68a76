import { describe, expect, it } from 'vitest';
import { partnershipById } from '#partnerships/index.ts';
import { loadLocalTemplate } from '#local/template.ts';
import { templateRoutes, type TemplateRoute } from '#local/routing-table.ts';
import { proveExactlyOneRoute } from '#test/helpers/routing-proof.ts';
import { pathwayKinds, referrerTypes } from '#events/vocabulary.ts';

const partnership = partnershipById('avon-and-somerset');
const routes = templateRoutes(loadLocalTemplate().template);
const combinationsPerSpoke = pathwayKinds.length * 26 * referrerTypes.length * 2 ** 4;

describe('routing proof on the synthesized template', () => {
  it('sends every combination of routing attributes to exactly one route of its own spoke', () => {
    // Prepare
    const spokes = partnership.spokes.length;

    // Act
    const proof = proveExactlyOneRoute(partnership, routes);

    // Assess
    expect(proof.failures).toEqual([]);
    expect(proof.checked).toBe(spokes * combinationsPerSpoke);
  });

  it('has a route rule in the template for every spoke and the escalation route', () => {
    // Prepare
    const expected = [...partnership.spokes.map((spoke) => spoke.id), undefined];

    // Act
    const spokesWithRoutes = new Set(routes.map((route) => route.spoke));

    // Assess
    expect([...spokesWithRoutes].sort()).toEqual(expected.sort());
  });

  it('names the combination that shows a gap when a spoke loses its triage route', () => {
    // Prepare
    const withoutTriage = routes.filter((route) => route.id !== 'somerset-triage');

    // Act
    const proof = proveExactlyOneRoute(partnership, withoutTriage, 1);

    // Assess
    expect(proof.failures).toHaveLength(1);
    expect(proof.failures[0]).toMatch(/^\{"spoke":"somerset",.*\} matched no route$/);
  });

  it('names the combination where the deployed rules and the decision intake records would disagree', () => {
    // Prepare
    const drifted = routes.map((route) =>
      route.id === 'somerset-turning-point-admit'
        ? { ...route, id: 'somerset-admit-elsewhere' }
        : route,
    );

    // Act
    const proof = proveExactlyOneRoute(partnership, drifted, 1);

    // Assess
    expect(proof.failures[0]).toMatch(
      /"pathway":"admit".*intake decides somerset-turning-point-admit, the template's rules deliver to somerset-admit-elsewhere$/,
    );
  });

  it('names the combination that shows an overlap when two routes take the same referrals', () => {
    // Prepare
    const admit = routes.find((route) => route.id === 'somerset-turning-point-admit');
    if (!admit) throw new Error('the Somerset Admit route is missing');
    const overlapping: TemplateRoute = { ...admit, id: 'somerset-admit-again' };

    // Act
    const proof = proveExactlyOneRoute(partnership, [...routes, overlapping], 1);

    // Assess
    expect(proof.failures[0]).toMatch(
      /"pathway":"admit".*matched somerset-turning-point-admit, somerset-admit-again$/,
    );
  });

  it('names a route sent to another spoke as a failure, even when it is the only match', () => {
    // Prepare
    const bristolTriage = routes.find((route) => route.id === 'bristol-triage');
    if (!bristolTriage) throw new Error('the Bristol triage route is missing');
    const mislabelled = routes.map((route) =>
      route.id === 'bristol-triage' ? { ...route, spoke: 'somerset' } : route,
    );

    // Act
    const proof = proveExactlyOneRoute(partnership, mislabelled, 1);

    // Assess
    expect(proof.failures[0]).toMatch(/^\{"spoke":"bristol",.*\} matched bristol-triage$/);
  });

  it('refuses to vouch for a route that tests a field the proof does not enumerate', () => {
    // Prepare
    const byOrganisation: TemplateRoute = {
      ...routes[0]!,
      id: 'by-organisation',
      eventPattern: { ...routes[0]!.eventPattern, detail: { referrerOrganisationId: ['x'] } },
    };

    // Act
    const proof = proveExactlyOneRoute(partnership, [byOrganisation, ...routes], 1);

    // Assess
    expect(proof.failures[0]).toBe(
      'route by-organisation tests detail.referrerOrganisationId, which the proof does not enumerate',
    );
  });
});
