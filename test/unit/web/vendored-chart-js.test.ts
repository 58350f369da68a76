import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);

describe('the Chart.js the hub dashboard serves', () => {
  it('is byte for byte the installed package’s dist/chart.umd.min.js, at the pinned version', () => {
    // Prepare
    // The package exports no package.json: find it from its main file, dist/chart.cjs.
    const dist = path.dirname(require.resolve('chart.js'));
    const installed = path.join(dist, 'chart.umd.min.js');
    const installedPackage = path.join(dist, '..', 'package.json');
    const { dependencies } = JSON.parse(
      readFileSync(path.join(projectRoot, 'package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };

    // Act
    const served = readFileSync(path.join(projectRoot, 'web', 'hub', 'vendor', 'chart.umd.min.js'));
    const expected = readFileSync(installed);
    const { version } = JSON.parse(readFileSync(installedPackage, 'utf8')) as { version: string };

    // Assess
    expect(served.equals(expected)).toBe(true);
    expect(dependencies['chart.js']).toBe(version);
    expect(served.subarray(0, 100).toString('utf8')).toContain(`Chart.js v${version}`);
  });
});
