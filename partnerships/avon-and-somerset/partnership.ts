import { definePartnership } from '#shared/partnership/schema.ts';

const allSpokes = [
  'bristol',
  'somerset',
  'north-somerset',
  'south-gloucestershire',
  'bath-ne-somerset',
];
// Default retention of personal data: three years from receipt, until the data protection
// officer sets a pathway's own period.
const threeYears = 3 * 365;

/**
 * Avon and Somerset VRP: a hub (the PCC's office) and five local-authority spokes, with the
 * pathways and providers of ../shared/DOMAIN.md. Sources are seeds/ file:line.
 */
export const avonAndSomerset = definePartnership({
  id: 'avon-and-somerset',
  name: 'Avon and Somerset Violence Reduction Partnership',
  spokes: [
    { id: 'bristol', name: 'Bristol', scope: 'Serious violence; excludes domestic abuse' },
    { id: 'somerset', name: 'Somerset', scope: 'Serious violence' },
    { id: 'north-somerset', name: 'North Somerset', scope: 'Serious violence' },
    {
      id: 'south-gloucestershire',
      name: 'South Gloucestershire',
      scope: 'Serious violence; excludes domestic abuse',
    },
    {
      id: 'bath-ne-somerset',
      name: 'Bath and North East Somerset',
      scope: 'Youth violence, domestic abuse and street-community violence',
    },
  ],
  pathways: [
    {
      id: 'weapons-in-schools',
      name: 'Weapons in schools',
      spokes: ['bristol'],
      referrerTypes: ['school'],
      eligibleAge: { min: 4, max: 19 },
      retentionDays: threeYears,
      source: '000:475-477, 000:1005, 000:1425',
    },
    {
      id: 'ae-teachable-moment',
      name: 'A&E teachable moment',
      spokes: ['bristol', 'somerset'],
      referrerTypes: ['hospital'],
      eligibleAge: { min: 10, max: 24 },
      retentionDays: threeYears,
      source: '000:1017',
    },
    {
      id: 'admit',
      name: 'Admit (Musgrove Park Hospital A&E)',
      spokes: ['somerset'],
      referrerTypes: ['hospital'],
      eligibleAge: { min: 10, max: 24 },
      retentionDays: threeYears,
      staffedWindows: [
        { days: ['fri', 'sat'], from: '18:00', to: '24:00', timeZone: 'Europe/London' },
      ],
      source: '000:1019-1033',
    },
    {
      id: 'sos-mentoring',
      name: 'SOS mentoring (exploitation)',
      spokes: allSpokes,
      referrerTypes: ['school', 'hospital', 'social-care', 'youth-justice', 'police', 'voluntary'],
      eligibleAge: { min: 10, max: 24 },
      retentionDays: threeYears,
      source: '000:944-948',
    },
    {
      id: 'care-leaver-mentoring',
      name: 'Care leaver peer mentoring',
      spokes: ['south-gloucestershire'],
      referrerTypes: ['social-care'],
      eligibleAge: { min: 16, max: 25 },
      retentionDays: threeYears,
      source: '000:1089-1099',
    },
    {
      id: 'drug-alcohol-young-people',
      name: 'Drug and alcohol support for young people (Project 28)',
      spokes: ['bath-ne-somerset'],
      referrerTypes: ['voluntary'],
      eligibleAge: { min: 10, max: 24 },
      retentionDays: threeYears,
      source: '000:1053-1070',
    },
    {
      id: 'targeted-intervention',
      name: 'Targeted intervention (multi-agency operational meeting)',
      spokes: allSpokes,
      referrerTypes: ['multi-agency-meeting', 'police', 'school', 'social-care'],
      eligibleAge: { min: 11, max: 17 },
      retentionDays: threeYears,
      source: '000:1080',
    },
  ],
  providers: [
    {
      id: 'turning-point-admit',
      name: 'Turning Point (Admit Young People Recovery workers)',
      spokes: ['somerset'],
      pathways: ['admit'],
      capacity: 'open',
    },
    {
      id: 'bristol-safer-options',
      name: 'Bristol Safer Options',
      spokes: ['bristol'],
      pathways: ['weapons-in-schools'],
      capacity: 'open',
    },
    {
      id: 'st-giles-sos',
      name: 'St Giles Trust (SOS project)',
      spokes: allSpokes,
      pathways: ['sos-mentoring'],
      capacity: 'waitlist',
    },
    {
      id: 'project-28',
      name: 'Project 28',
      spokes: ['bath-ne-somerset'],
      pathways: ['drug-alcohol-young-people'],
      capacity: 'open',
    },
    {
      id: 'south-glos-care-leaver-mentoring',
      name: 'South Gloucestershire care leaver peer mentoring',
      spokes: ['south-gloucestershire'],
      pathways: ['care-leaver-mentoring'],
      capacity: 'open',
    },
  ],
  referrerOrganisations: [
    {
      id: 'musgrove-park-hospital-ae',
      name: 'Musgrove Park Hospital A&E',
      type: 'hospital',
      spoke: 'somerset',
    },
    {
      id: 'example-academy-bristol',
      name: 'Example Academy, Bristol',
      type: 'school',
      spoke: 'bristol',
    },
    {
      id: 'example-college-taunton',
      name: 'Example College, Taunton',
      type: 'school',
      spoke: 'somerset',
    },
    {
      id: 'north-somerset-youth-offending-service',
      name: 'North Somerset Youth Offending Service',
      type: 'youth-justice',
      spoke: 'north-somerset',
    },
    {
      id: 'dhi-detached-youth-work',
      name: 'DHI detached youth work',
      type: 'voluntary',
      spoke: 'bath-ne-somerset',
    },
    {
      id: 'south-glos-leaving-care-team',
      name: 'South Gloucestershire leaving care team',
      type: 'social-care',
      spoke: 'south-gloucestershire',
    },
  ],
});
