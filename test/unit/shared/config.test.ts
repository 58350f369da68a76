import { afterEach, describe, expect, it, vi } from 'vitest';
import { intEnv } from '#shared/config.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('intEnv', () => {
  it('uses the fallback when the setting is absent, and the value when it is a whole number', () => {
    // Prepare
    vi.stubEnv('LEASE_SECONDS', '120');

    // Act
    const set = intEnv('LEASE_SECONDS', 900, { min: 60 });
    const absent = intEnv('NOT_SET_ANYWHERE', 900);

    // Assess
    expect(set).toBe(120);
    expect(absent).toBe(900);
  });

  it.each(['', ' ', 'ten', '1.5', '30', '43201'])('refuses %j by name', (raw) => {
    // Prepare
    vi.stubEnv('LEASE_SECONDS', raw);

    // Act
    const read = () => intEnv('LEASE_SECONDS', 900, { min: 60, max: 43_200 });

    // Assess
    expect(read).toThrow(
      'Environment variable LEASE_SECONDS must be a whole number from 60 to 43200',
    );
  });
});
