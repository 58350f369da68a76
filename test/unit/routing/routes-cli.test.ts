import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { explainReferral, routingTable } from '#local/routes.ts';
import { templateRoutes } from '#local/routing-table.ts';
import { loadLocalTemplate, projectRoot } from '#local/template.ts';
import { partnershipById } from '#partnerships/index.ts';
import { exampleFileNames, exampleReferral, examplesDir } from '#test/helpers/examples.ts';

const partnership = partnershipById('avon-and-somerset');
const routes = templateRoutes(loadLocalTemplate().template);
const expectations = JSON.parse(
  readFileSync(path.join(examplesDir, 'expectations.json'), 'utf8'),
) as Record<string, { destination: string; escalated: boolean }>;
const names = new Map<string, string>([
  ...partnership.spokes.map((s) => [`triage:${s.id}`, `${s.name} triage`] as const),
  ...partnership.providers.map((p) => [`provider:${p.id}`, `provider ${p.name}`] as const),
]);
// A Friday evening in November, London time: inside Admit's staffed window.
const fridayEvening = new Date('2026-11-27T19:30:00Z');

describe('npm run routes', () => {
  it("prints each spoke's routes under its name, with the conditions in plain words", () => {
    // Act
    const table = routingTable(partnership, routes);

    // Assess
    for (const spoke of partnership.spokes) expect(table).toContain(`\n${spoke.name}\n`);
    for (const route of routes) expect(table).toContain(`  ${route.id} -> `);
    expect(table).toContain(
      "when: pathway is admit; no weapon used or threatened; age within the pathway's range",
    );
  });

  it.each(exampleFileNames())('explains %s going where expectations.json says', (file) => {
    // Prepare
    const expected = expectations[file]!;

    // Act
    const explanation = explainReferral(exampleReferral(file), fridayEvening, partnership, routes);

    // Assess
    expect(explanation.ok).toBe(true);
    expect(explanation.text).toContain(`Goes to: ${names.get(expected.destination)} (route `);
    expect(explanation.text.includes('call the police now (999)')).toBe(expected.escalated);
  });

  it('says why a pathway a spoke does not run goes to triage, and what response Admit expects', () => {
    // Act
    const somerset = explainReferral(
      exampleReferral('weapons-possession-somerset.json'),
      fridayEvening,
      partnership,
      routes,
    );
    const admitInside = explainReferral(
      exampleReferral('admit-friday-night.json'),
      fridayEvening,
      partnership,
      routes,
    );
    const admitMonday = explainReferral(
      exampleReferral('admit-friday-night.json'),
      new Date('2026-11-30T10:00:00Z'),
      partnership,
      routes,
    );

    // Assess
    expect(somerset.text).toContain('The Weapons in schools pathway is not run in Somerset.');
    expect(admitInside.text).toContain('Response expected: same-shift');
    expect(admitMonday.text).toContain('Response expected: next-day-aftercare');
  });

  it('names each field intake would refuse, and fails', () => {
    // Prepare
    const referral = { ...exampleReferral('admit-friday-night.json'), spoke: 'gotham', extra: 1 };

    // Act
    const explanation = explainReferral(referral, fridayEvening, partnership, routes);

    // Assess
    expect(explanation.ok).toBe(false);
    expect(explanation.text).toMatch(/^Intake would refuse this referral:/);
    expect(explanation.text).toContain('/spoke: ');
    expect(explanation.text).toContain('/extra: ');
  });

  it('runs as a command: explains a file and exits 0, exits 1 on a referral intake would refuse', async () => {
    // Prepare
    const run = promisify(execFile);
    const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');
    const script = path.join(projectRoot, 'local', 'routes.ts');
    const good = path.join(examplesDir, 'project28-bath.json');

    // Act
    const explained = await run(tsx, [script, good], { cwd: projectRoot });
    const refused = await run(tsx, [script, path.join(examplesDir, 'expectations.json')], {
      cwd: projectRoot,
    }).catch((error: { code: number; stdout: string }) => error);

    // Assess
    expect(explained.stdout).toContain(
      'Goes to: provider Project 28 (route bath-ne-somerset-project-28)',
    );
    expect('code' in refused ? refused.code : 0).toBe(1);
    expect(refused.stdout).toContain('Intake would refuse this referral:');
  });
});
