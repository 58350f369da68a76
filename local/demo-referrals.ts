/**
 * Who refers in the demo, and what the referrals say: obviously synthetic people (family name
 * Example or Sample, made-up postcodes of the right area, "Synthetic demo referral" summaries),
 * each a valid submission of the intake contract for its pathway.
 */
import { ageInYears } from '#shared/domain/age.ts';
import type { ReferralSubmission } from '#shared/domain/intake.ts';
import { inStaffedWindow } from '#shared/domain/staffed-window.ts';
import { wallClockOf } from '#shared/domain/working-days.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { dayMs, dayOf, isoDateOf, minuteMs, onMinute, zone, type Dice } from './demo-calendar.ts';
import type { PathwayKind } from '#events/vocabulary.ts';

const givenNames = [
  'Alex',
  'Jordan',
  'Riley',
  'Casey',
  'Morgan',
  'Taylor',
  'Jamie',
  'Sam',
  'Charlie',
  'Robin',
  'Frankie',
  'Avery',
  'Rowan',
  'Quinn',
  'Harley',
  'Reese',
  'Dakota',
  'Emery',
  'Finley',
  'Sky',
] as const;
const familyNames = ['Example', 'Sample'] as const;

/** Outward codes of each spoke's area; the inward part is made up. */
const outwardCodes: Record<string, readonly string[]> = {
  bristol: ['BS1', 'BS2', 'BS3', 'BS4', 'BS5', 'BS7', 'BS11', 'BS13', 'BS14'],
  somerset: ['TA1', 'TA2', 'TA6', 'TA21', 'BA20', 'BA16', 'TA18'],
  'north-somerset': ['BS23', 'BS22', 'BS24', 'BS21', 'BS48'],
  'south-gloucestershire': ['BS37', 'BS32', 'BS34', 'BS35', 'BS30'],
  'bath-ne-somerset': ['BA1', 'BA2', 'BS31', 'BA3'],
};
const inwardLetters = 'ABDEFGHJLNPQRSTUWXYZ';

/** Registered referrer organisations, with a role and switchboard-like number each. */
const organisations: Record<string, { role: string; phone: string }> = {
  'musgrove-park-hospital-ae': { role: 'Emergency department nurse', phone: '01823 000000' },
  'example-academy-bristol': { role: 'Designated safeguarding lead', phone: '0117 000 0000' },
  'example-college-taunton': { role: 'Headteacher', phone: '01823 111111' },
  'north-somerset-youth-offending-service': { role: 'Youth justice worker', phone: '01934 000000' },
  'dhi-detached-youth-work': { role: 'Detached youth worker', phone: '01225 000000' },
  'south-glos-leaving-care-team': { role: 'Personal adviser', phone: '01454 000000' },
};

/**
 * Who submits each stream. The partnership registers one or two organisations per spoke: the
 * multi-agency meetings' referrals come from the registered organisation of their spoke, and
 * Bristol's A&E referrals from the one registered hospital.
 */
const referrerOf: Record<PathwayKind, (spoke: string) => string> = {
  'targeted-intervention': (spoke) =>
    ({
      bristol: 'example-academy-bristol',
      somerset: 'example-college-taunton',
      'north-somerset': 'north-somerset-youth-offending-service',
      'south-gloucestershire': 'south-glos-leaving-care-team',
      'bath-ne-somerset': 'dhi-detached-youth-work',
    })[spoke] ?? 'example-academy-bristol',
  'weapons-in-schools': () => 'example-academy-bristol',
  'ae-teachable-moment': () => 'musgrove-park-hospital-ae',
  admit: () => 'musgrove-park-hospital-ae',
  'sos-mentoring': (spoke) =>
    ({
      bristol: 'example-academy-bristol',
      somerset: 'example-college-taunton',
      'north-somerset': 'north-somerset-youth-offending-service',
      'south-gloucestershire': 'south-glos-leaving-care-team',
      'bath-ne-somerset': 'dhi-detached-youth-work',
    })[spoke] ?? 'north-somerset-youth-offending-service',
  'care-leaver-mentoring': () => 'south-glos-leaving-care-team',
  'drug-alcohol-young-people': () => 'dhi-detached-youth-work',
};

const summaries: Record<PathwayKind, readonly string[]> = {
  'targeted-intervention': [
    'Agreed at the operational meeting: escalating risk, linked to older peers.',
    'Agreed at the operational meeting: repeated missing episodes and a recent assault.',
    'Agreed at the operational meeting: school exclusion risk and weapon-carrying concerns.',
  ],
  'weapons-in-schools': [
    'Knife found in bag during a search; says it was for the walk home.',
    'Blade found in a coat pocket at registration.',
    'Pupils reported a weapon; found in a locker.',
  ],
  'ae-teachable-moment': [
    'Attended with an assault injury after a fight in town; discharged with friends.',
    'Cut to the hand; will not say how it happened.',
    'Assaulted at a bus stop; frightened of going home the same way.',
  ],
  admit: [
    'Brought in by friends after drinking at a party; minor head injury.',
    'Found unwell in a park after taking pills; now alert.',
    'Injured in a fight after drinking; first attendance.',
  ],
  'sos-mentoring': [
    'Missing twice this month, found out of county with unexplained cash.',
    'New phone and clothes; older contacts collecting from school.',
    'Disengaged from school and youth work; concerns of county lines.',
  ],
  'care-leaver-mentoring': [
    'Moved into own flat; isolated and approached by older peers.',
    'Left care this year; struggling with the tenancy and money.',
  ],
  'drug-alcohol-young-people': [
    'Met during outreach; asked for help cutting down.',
    'Met in the park with friends; drinking most evenings.',
    'Met during outreach; using nitrous oxide at weekends.',
  ],
};

const outreachPlaces = [
  'Keynsham',
  'Bath city centre',
  'Midsomer Norton',
  'Radstock',
  'Twerton',
  'Peasedown St John',
];

/** A date of birth that makes the young person `age` on the London date of `at`. */
function dateOfBirthFor(age: number, at: number, dice: Dice): string {
  const wall = wallClockOf(new Date(at), zone);
  for (;;) {
    const back = dice.int(2, 360);
    const date = new Date(Date.UTC(wall.year - age, wall.month - 1, wall.day - back));
    const iso = date.toISOString().slice(0, 10);
    if (ageInYears(iso, new Date(at)) === age) return iso;
  }
}

function postcodeIn(spoke: string, dice: Dice): string {
  const outward = dice.pick(outwardCodes[spoke] ?? ['BS1']);
  const letter = () => dice.pick([...inwardLetters]);
  return `${outward} ${dice.int(1, 9)}${letter()}${letter()}`;
}

/** A referral as its referrer would submit it, received at `receivedAt`. */
export function submissionFor(
  pathway: PathwayKind,
  spoke: string,
  receivedAt: number,
  age: number,
  dice: Dice,
  extra: { meetingDay?: number; escalate?: boolean },
): ReferralSubmission {
  const organisationId = referrerOf[pathway](spoke);
  const organisation = organisations[organisationId] ?? {
    role: 'Referrer',
    phone: '0117 000 0000',
  };
  const staff = dice.pick(givenNames);
  const minutesBefore = (min: number, max: number) =>
    new Date(onMinute(receivedAt - dice.int(min, max) * minuteMs) - minuteMs).toISOString();
  const common = {
    spoke,
    referrer: {
      organisationId,
      name: `${staff} Sample`,
      role: organisation.role,
      email: `${staff.toLowerCase()}.sample@example.org`,
      phone: organisation.phone,
    },
    subject: {
      givenName: dice.pick(givenNames),
      familyName: dice.pick(familyNames),
      dateOfBirth: dateOfBirthFor(age, receivedAt, dice),
      postcode: postcodeIn(spoke, dice),
    },
    consent: {
      subjectAgreed: dice.chance(0.92),
      parentOrCarerInformed: age < 18 ? dice.chance(0.85) : dice.chance(0.25),
    },
    summary: `Synthetic demo referral. ${dice.pick(summaries[pathway])}`,
  };
  switch (pathway) {
    case 'targeted-intervention':
      return {
        ...common,
        pathway,
        details: {
          meetingDate: isoDateOf(extra.meetingDay ?? dayOf(receivedAt)),
          riskLevel: dice.chance(0.35) ? 'high' : 'medium',
        },
      };
    case 'weapons-in-schools': {
      const threatened = extra.escalate === true;
      return {
        ...common,
        pathway,
        details: {
          foundAt: minutesBefore(30, 150),
          weapon: dice.weighted({
            knife: 55,
            'bladed-article': 30,
            other: 10,
            'imitation-firearm': 5,
          }),
          used: threatened && dice.chance(0.3),
          threatened,
          aggravatingFactors: threatened || dice.chance(0.15),
        },
      };
    }
    case 'ae-teachable-moment':
      return {
        ...common,
        pathway,
        details: {
          attendedAt: minutesBefore(30, 120),
          injury: [dice.weighted({ assault: 70, 'stab-wound': 15, 'other-violence': 15 })],
          stillInDepartment: dice.chance(0.5),
        },
      };
    case 'admit': {
      const staffed = inAdmitWindow(receivedAt);
      const injury = dice.weighted({ alcohol: 55, drugs: 20, violence: 25 });
      const second = dice.chance(0.25)
        ? dice.weighted({ alcohol: 1, drugs: 1, violence: 1 })
        : injury;
      return {
        ...common,
        pathway,
        details: {
          attendedAt: minutesBefore(20, 90),
          injury: [...new Set([injury, second])],
          stillInDepartment: staffed ? dice.chance(0.9) : dice.chance(0.3),
        },
      };
    }
    case 'sos-mentoring': {
      const concerns = new Set<DetailsOf<'sos-mentoring'>['concerns'][number]>([
        dice.weighted({
          'county-lines': 40,
          'criminal-exploitation': 35,
          'sexual-exploitation': 10,
        }),
      ]);
      if (dice.chance(0.5)) concerns.add('missing-episodes');
      if (dice.chance(0.3)) concerns.add('gang-association');
      return {
        ...common,
        pathway,
        details: { concerns: [...concerns], disengagedFromServices: dice.chance(0.6) },
      };
    }
    case 'care-leaver-mentoring': {
      // Left care at 16 or later.
      const daysSince = dice.int(30, Math.max(60, Math.min(500, (age - 16) * 365)));
      const leftCare = new Date(receivedAt - daysSince * dayMs).toISOString().slice(0, 10);
      return {
        ...common,
        pathway,
        details: { leftCareOn: leftCare, livingIndependently: dice.chance(0.7) },
      };
    }
    case 'drug-alcohol-young-people': {
      const substances = new Set<DetailsOf<'drug-alcohol-young-people'>['substances'][number]>([
        dice.weighted({ cannabis: 45, alcohol: 35, 'nitrous-oxide': 12, ketamine: 5, cocaine: 3 }),
      ]);
      if (dice.chance(0.4)) substances.add(dice.weighted({ alcohol: 2, cannabis: 1 }));
      return {
        ...common,
        pathway,
        details: { metAt: dice.pick(outreachPlaces), substances: [...substances] },
      };
    }
  }
}

type DetailsOf<K extends PathwayKind> = Extract<ReferralSubmission, { pathway: K }>['details'];

const admitPathway = avonAndSomerset.pathways.find((p) => p.id === 'admit');
/** Inside Musgrove Park A&E's staffed window, when Turning Point's workers are there. */
export function inAdmitWindow(at: number): boolean {
  return (admitPathway?.staffedWindows ?? []).some((w) => inStaffedWindow(new Date(at), w));
}
