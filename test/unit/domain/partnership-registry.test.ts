import { describe, expect, it } from 'vitest';
import { partnershipById, registerPartnership } from '#partnerships/index.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { InvalidPartnershipError } from '#shared/partnership/schema.ts';
import { idSchema } from '#events/vocabulary.ts';

describe('the partnership registry', () => {
  it('knows Avon and Somerset by its id', () => {
    // Prepare
    const id = 'avon-and-somerset';

    // Act
    const partnership = partnershipById(id);

    // Assess
    expect(partnership).toBe(avonAndSomerset);
  });

  it('fails loudly on an unknown partnership, listing the known ones', () => {
    // Prepare
    const id = 'gotham';

    // Act
    const lookUp = () => partnershipById(id);

    // Assess
    expect(lookUp).toThrow('Unknown partnership "gotham"; known: avon-and-somerset');
  });

  it('registers another partnership only once it is valid', () => {
    // Prepare
    const valid = { ...structuredClone(avonAndSomerset), id: 'registry-test-valid' };
    const invalid = {
      ...structuredClone(avonAndSomerset),
      id: 'registry-test-invalid',
      spokes: [],
    };

    // Act
    const registered = registerPartnership(valid);
    const refused = () => registerPartnership(invalid);

    // Assess
    expect(partnershipById('registry-test-valid')).toBe(registered);
    expect(refused).toThrow(InvalidPartnershipError);
    expect(() => partnershipById('registry-test-invalid')).toThrow(/Unknown partnership/);
  });
});

describe('idSchema', () => {
  it.each(['bristol', 'north-somerset', 'st-giles-sos', 'project-28', 'a'.repeat(80)])(
    'accepts the identifier %s',
    (id) => {
      // Prepare
      const input = id;

      // Act
      const result = idSchema.safeParse(input);

      // Assess
      expect(result.success).toBe(true);
    },
  );

  it.each([
    'Bristol',
    'north_somerset',
    '-bristol',
    'bristol-',
    'north--somerset',
    '',
    'a'.repeat(81),
  ])('refuses %j', (id) => {
    // Prepare
    const input = id;

    // Act
    const result = idSchema.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });
});
