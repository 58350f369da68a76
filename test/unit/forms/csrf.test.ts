import { describe, expect, it } from 'vitest';
import { csrfToken, csrfTokenMatches, sameOrigin } from '#web/kit/csrf.ts';

const key = 'k'.repeat(43);

describe('the referral forms’ CSRF tokens', () => {
  it('accepts the session’s own token', () => {
    // Prepare
    const token = csrfToken(key, 'session-a');

    // Act
    const matches = csrfTokenMatches(key, 'session-a', token);

    // Assess
    expect(matches).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['of another session', csrfToken(key, 'session-b')],
    ['made with another key', csrfToken('x'.repeat(43), 'session-a')],
    ['cut short', csrfToken(key, 'session-a').slice(0, -1)],
    ['a list', [csrfToken(key, 'session-a')]],
  ])('refuses a token that is %s', (_, posted) => {
    // Act
    const matches = csrfTokenMatches(key, 'session-a', posted);

    // Assess
    expect(matches).toBe(false);
  });

  it.each([
    [undefined, 'localhost:3000', true],
    ['http://localhost:3000', 'localhost:3000', true],
    ['https://refer.example.org', 'refer.example.org', true],
    ['https://evil.example', 'refer.example.org', false],
    ['null', 'refer.example.org', false],
    ['http://localhost:3001', 'localhost:3000', false],
  ])('takes Origin %s on host %s as same origin: %s', (origin, host, expected) => {
    // Act
    const same = sameOrigin(origin, host);

    // Assess
    expect(same).toBe(expected);
  });
});
