/**
 * EventBridge event-pattern conformance cases, written from AWS's own documentation: the
 * EventBridge user guide pages "Amazon EventBridge event patterns", "Matching null values and
 * empty strings", "Arrays in event patterns", "Content filtering in event patterns" and
 * "Comparison operators for use in event patterns", plus the README of aws/event-ruler (the
 * library EventBridge matches with) where the guide is silent. Each group names its source.
 *
 * Shared with bench/matcher.ts, which scores another matcher against the same table.
 */

/** One pattern/event pair and whether EventBridge matches them. */
export interface ConformanceCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly event: unknown;
  readonly expected: boolean;
}

/** A pattern EventBridge refuses, and what the refusal must mention. */
export interface InvalidPatternCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly reason: RegExp;
}

const ENVELOPE = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
} as const;

/** An event with the standard envelope around the given detail, optionally overriding envelope fields. */
function event(
  detail: Record<string, unknown> | undefined,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return detail === undefined
    ? { ...ENVELOPE, ...overrides }
    : { ...ENVELOPE, ...overrides, detail };
}

function c(name: string, pattern: unknown, evt: unknown, expected: boolean): ConformanceCase {
  return { name, pattern, event: evt, expected };
}

// --- "Amazon EventBridge event patterns": the EC2 example and the rules stated around it ---
const ec2Terminated = event({ 'instance-id': 'i-1234567890abcdef0', state: 'terminated' });
const ec2Pattern = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

const eventPatternBasics: ConformanceCase[] = [
  c('EC2 termination pattern matches the terminated event', ec2Pattern, ec2Terminated, true),
  c(
    'EC2 termination pattern does not match a running instance',
    ec2Pattern,
    event({ state: 'running' }),
    false,
  ),
  c(
    'a different source fails the whole pattern',
    ec2Pattern,
    event({ state: 'terminated' }, { source: 'aws.autoscaling' }),
    false,
  ),
  c(
    'a different detail-type fails the whole pattern',
    ec2Pattern,
    event({ state: 'terminated' }, { 'detail-type': 'EC2 Spot Instance Interruption Warning' }),
    false,
  ),
  c('fields not in the pattern are ignored', { source: ['aws.ec2'] }, ec2Terminated, true),
  c(
    'every field named in the pattern must be present',
    { detail: { 'instance-type': ['t2.micro'] } },
    ec2Terminated,
    false,
  ),
  c(
    'field names must appear with the same nesting',
    { state: ['terminated'] },
    ec2Terminated,
    false,
  ),
  c(
    'a value list matches any of its values',
    { source: ['aws.ec2', 'aws.fargate'] },
    ec2Terminated,
    true,
  ),
  c(
    'a value list with no matching value fails',
    { source: ['aws.s3', 'aws.fargate'] },
    ec2Terminated,
    false,
  ),
  c(
    'strings match character by character, without case-folding',
    { detail: { state: ['Terminated'] } },
    ec2Terminated,
    false,
  ),
  c(
    'strings are not normalised (trailing space)',
    { detail: { state: ['terminated '] } },
    ec2Terminated,
    false,
  ),
  c('account envelope field', { account: ['111122223333'] }, ec2Terminated, true),
  c('region envelope field, list', { region: ['us-east-1', 'us-west-1'] }, ec2Terminated, true),
  c('region envelope field, no match', { region: ['eu-west-2'] }, ec2Terminated, false),
  c('id envelope field', { id: ['6a7e8feb-b491-4cf7-a9f1-bf3703467718'] }, ec2Terminated, true),
  c('version envelope field', { version: ['0'] }, ec2Terminated, true),
  c('a number does not match the string "0"', { version: [0] }, ec2Terminated, false),
  c('time envelope field', { time: ['2017-12-22T18:43:48Z'] }, ec2Terminated, true),
  c(
    'resources envelope field',
    { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] },
    ec2Terminated,
    true,
  ),
  c(
    'deeply nested detail field',
    { detail: { a: { b: { c: ['deep'] } } } },
    event({ a: { b: { c: 'deep' } } }),
    true,
  ),
  c(
    'a pattern object does not match a string at that level',
    { detail: { state: { name: ['terminated'] } } },
    ec2Terminated,
    false,
  ),
];

// --- "Amazon EventBridge event patterns": value matching (the Macie example) and JSON types ---
const macie = event(
  {
    'notification-type': 'ALERT_CREATED',
    name: 'Scanning bucket policies',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'alert-type': 'basic', risk: 8 },
  },
  { source: 'aws.macie', 'detail-type': 'Macie Alert' },
);
const macieRisk = { detail: { 'risk-score': [80], trigger: { risk: [8] } } };

const valueMatching: ConformanceCase[] = [
  c('Macie: risk score 80 and trigger risk 8', macieRisk, macie, true),
  c(
    'Macie: trigger risk differs',
    macieRisk,
    event({ 'risk-score': 80, trigger: { risk: 9 } }),
    false,
  ),
  c(
    'numbers compare by value: 8.0e1 in pattern text equals 80',
    '{"detail":{"risk-score":[8.0e1]}}',
    macie,
    true,
  ),
  c(
    'the string "80" does not match the number 80',
    { detail: { 'risk-score': ['80'] } },
    macie,
    false,
  ),
  c(
    'the number 80 does not match the string "80"',
    { detail: { 'risk-score': [80] } },
    event({ 'risk-score': '80' }),
    false,
  ),
  c('a different number does not match', { detail: { 'risk-score': [81] } }, macie, false),
  c(
    'true matches the boolean true',
    { detail: { enabled: [true] } },
    event({ enabled: true }),
    true,
  ),
  c(
    'true does not match the string "true"',
    { detail: { enabled: [true] } },
    event({ enabled: 'true' }),
    false,
  ),
  c(
    'false matches the boolean false',
    { detail: { enabled: [false] } },
    event({ enabled: false }),
    true,
  ),
  c('false does not match 0', { detail: { enabled: [false] } }, event({ enabled: 0 }), false),
  c('0 does not match false', { detail: { count: [0] } }, event({ count: false }), false),
];

// --- "Matching null values and empty strings in Amazon EventBridge event patterns" ---
const autoscaling = event(
  { eventVersion: '', responseElements: null },
  { source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', resources: [] },
);

const nullsAndEmptyStrings: ConformanceCase[] = [
  c('[null] matches a null value', { detail: { responseElements: [null] } }, autoscaling, true),
  c('[""] matches an empty string', { detail: { eventVersion: [''] } }, autoscaling, true),
  c(
    'an empty-string pattern does not match null',
    { detail: { responseElements: [''] } },
    autoscaling,
    false,
  ),
  c(
    'a null pattern does not match an empty string',
    { detail: { eventVersion: [null] } },
    autoscaling,
    false,
  ),
  c('[null] does not match a missing field', { detail: { missing: [null] } }, autoscaling, false),
  c(
    '[null] does not match the string "null"',
    { detail: { responseElements: [null] } },
    event({ responseElements: 'null' }),
    false,
  ),
  c('[""] does not match a missing field', { detail: { missing: [''] } }, autoscaling, false),
  c(
    'the documented autoscaling pattern',
    {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance Launch Successful'],
      detail: { responseElements: [null] },
    },
    autoscaling,
    true,
  ),
];

// --- "Arrays in Amazon EventBridge event patterns", and event-ruler README "JSON Array Matching" ---
const arnPattern = {
  resources: [
    'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
  ],
};
const employees = event({
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
});
const employeeGroups = event({
  employees: [
    [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
    [{ firstName: 'Peter', lastName: 'Jones' }],
  ],
});

const arrays: ConformanceCase[] = [
  c(
    'resources: the first pattern ARN is the second event ARN',
    arnPattern,
    event(undefined, {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    }),
    true,
  ),
  c(
    'resources: no intersection',
    arnPattern,
    event(undefined, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] }),
    false,
  ),
  c(
    'resources: an empty event array never intersects',
    arnPattern,
    event(undefined, { resources: [] }),
    false,
  ),
  c('a detail array containing the value', { detail: { tags: ['Insider'] } }, macie, true),
  c('a detail array not containing the value', { detail: { tags: ['Outsider'] } }, macie, false),
  c(
    'numeric matches any element of an array',
    { detail: { scores: [{ numeric: ['>', 8] }] } },
    event({ scores: [1, 5, 9] }),
    true,
  ),
  c(
    'numeric fails when no element is in range',
    { detail: { scores: [{ numeric: ['>', 8] }] } },
    event({ scores: [1, 5] }),
    false,
  ),
  c(
    'prefix matches any element of an array',
    { detail: { tags: [{ prefix: 'Cust' }] } },
    macie,
    true,
  ),
  c(
    'an array of objects is crushed into its parent field',
    { detail: { employees: { firstName: ['Anna'] } } },
    employees,
    true,
  ),
  c(
    'array-consistent: fields from different elements do not combine',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    employees,
    false,
  ),
  c(
    'array-consistent: fields from the same element combine',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
    employees,
    true,
  ),
  c(
    'multi-level arrays are crushed too',
    { detail: { employees: { firstName: ['Peter'] } } },
    employeeGroups,
    true,
  ),
  c(
    'multi-level arrays stay array-consistent',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    employeeGroups,
    false,
  ),
  c(
    'no element of an array of objects matches',
    { detail: { employees: { firstName: ['Zoe'] } } },
    employees,
    false,
  ),
  c(
    'an array mixing strings and objects',
    { detail: { items: { sku: ['A-1'] } } },
    event({ items: ['loose', { sku: 'A-1' }] }),
    true,
  ),
  c(
    'nested arrays of strings are flattened',
    { detail: { grid: ['c'] } },
    event({ grid: [['a', 'b'], ['c']] }),
    true,
  ),
];

// --- "Content filtering": prefix matching, and prefix matching while ignoring case ---
const prefixMatching: ConformanceCase[] = [
  c(
    'time prefix "2017-10-02"',
    { time: [{ prefix: '2017-10-02' }] },
    event(undefined, { time: '2017-10-02T18:43:48Z' }),
    true,
  ),
  c(
    'time prefix on another day',
    { time: [{ prefix: '2017-10-02' }] },
    event(undefined, { time: '2017-10-03T18:43:48Z' }),
    false,
  ),
  c(
    'prefix only works on strings',
    { detail: { code: [{ prefix: '12' }] } },
    event({ code: 123 }),
    false,
  ),
  c('prefix is case-sensitive', { source: [{ prefix: 'AWS.' }] }, ec2Terminated, false),
  c('prefix region "us-"', { region: [{ prefix: 'us-' }] }, ec2Terminated, true),
  c(
    'an empty prefix matches any string (event-ruler)',
    { detail: { state: [{ prefix: '' }] } },
    ec2Terminated,
    true,
  ),
  c(
    'an empty prefix does not match a number (event-ruler)',
    { detail: { code: [{ prefix: '' }] } },
    event({ code: 1 }),
    false,
  ),
  c(
    'prefix ignoring case: "EventB" matches "EventBridge"',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event({ service: 'EventBridge' }),
    true,
  ),
  c(
    'prefix ignoring case: "EventB" matches "EVENTBRIDGE"',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event({ service: 'EVENTBRIDGE' }),
    true,
  ),
  c(
    'prefix ignoring case: "eventb" matches "eventbus"',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } },
    event({ service: 'eventbus' }),
    true,
  ),
  c(
    'prefix ignoring case: a shorter value does not match',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event({ service: 'Event' }),
    false,
  ),
  c(
    'prefix ignoring case: the text must be at the start',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event({ service: 'myEventBridge' }),
    false,
  ),
];

// --- "Content filtering": suffix matching, and suffix matching while ignoring case ---
const suffixMatching: ConformanceCase[] = [
  c(
    'suffix ".png"',
    { detail: { FileName: [{ suffix: '.png' }] } },
    event({ FileName: 'image.png' }),
    true,
  ),
  c(
    'suffix ".png" on a jpg',
    { detail: { FileName: [{ suffix: '.png' }] } },
    event({ FileName: 'image.jpg' }),
    false,
  ),
  c(
    'suffix is case-sensitive',
    { detail: { FileName: [{ suffix: '.png' }] } },
    event({ FileName: 'image.PNG' }),
    false,
  ),
  c(
    'suffix ignoring case: ".png" matches ".PNG"',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event({ FileName: 'image.PNG' }),
    true,
  ),
  c(
    'suffix ignoring case: "tBridge" matches "EVENTBRIDGE"',
    { detail: { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] } },
    event({ service: 'EVENTBRIDGE' }),
    true,
  ),
  c(
    'suffix ignoring case: a gif is not a png',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event({ FileName: 'image.gif' }),
    false,
  ),
  c(
    'suffix only works on strings',
    { detail: { code: [{ suffix: '3' }] } },
    event({ code: 123 }),
    false,
  ),
];

// --- "Content filtering": anything-but matching (strings, numbers, lists, prefix, suffix, ignore case, wildcard) ---
const anythingBut: ConformanceCase[] = [
  c(
    'anything-but "initializing" vs running',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: 'running' }),
    true,
  ),
  c(
    'anything-but "initializing" vs initializing',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: 'initializing' }),
    false,
  ),
  c(
    'anything-but does not match a missing field',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ other: 1 }),
    false,
  ),
  c(
    'anything-but 123 vs 456',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event({ 'x-limit': 456 }),
    true,
  ),
  c(
    'anything-but 123 vs 123',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event({ 'x-limit': 123 }),
    false,
  ),
  c(
    'anything-but string list vs running',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event({ state: 'running' }),
    true,
  ),
  c(
    'anything-but string list vs stopped',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event({ state: 'stopped' }),
    false,
  ),
  c(
    'anything-but string list vs overloaded',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event({ state: 'overloaded' }),
    false,
  ),
  c(
    'anything-but number list vs 150',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event({ 'x-limit': 150 }),
    true,
  ),
  c(
    'anything-but number list vs 200',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event({ 'x-limit': 200 }),
    false,
  ),
  c(
    'anything-but prefix "init" vs initializing',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event({ state: 'initializing' }),
    false,
  ),
  c(
    'anything-but prefix "init" vs running',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event({ state: 'running' }),
    true,
  ),
  c(
    'anything-but prefix "us-": region not in the US',
    { region: [{ 'anything-but': { prefix: 'us-' } }] },
    event(undefined, { region: 'eu-west-1' }),
    true,
  ),
  c(
    'anything-but suffix ".png" vs a png',
    { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event({ FileName: 'a.png' }),
    false,
  ),
  c(
    'anything-but suffix ".png" vs a jpg',
    { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event({ FileName: 'a.jpg' }),
    true,
  ),
  c(
    'anything-but ignoring case vs INITIALIZING',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event({ state: 'INITIALIZING' }),
    false,
  ),
  c(
    'anything-but ignoring case vs running',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event({ state: 'running' }),
    true,
  ),
  c(
    'anything-but ignoring case, list',
    {
      detail: {
        state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }],
      },
    },
    event({ state: 'Stopped' }),
    false,
  ),
  c(
    'anything-but wildcard "*/lib/*" vs a lib path',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event({ FilePath: '/usr/lib/libc.so' }),
    false,
  ),
  c(
    'anything-but wildcard "*/lib/*" vs a bin path',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event({ FilePath: '/usr/bin/bash' }),
    true,
  ),
  c(
    'anything-but wildcard list',
    { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
    event({ FilePath: '/usr/bin/bash' }),
    false,
  ),
  c(
    'anything-but on an array: one element that is not excluded is enough (event-ruler)',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: ['initializing', 'running'] }),
    true,
  ),
  c(
    'anything-but on an array of only excluded values',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: ['initializing'] }),
    false,
  ),
  c(
    'anything-but a string still matches a number (event-ruler)',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: 5 }),
    true,
  ),
  c(
    'anything-but a number still matches the string "123" (event-ruler)',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event({ 'x-limit': '123' }),
    true,
  ),
  c(
    'anything-but a string matches null (event-ruler)',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: null }),
    true,
  ),
  c(
    'anything-but does not match an object (not a leaf)',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: { name: 'running' } }),
    false,
  ),
  c(
    'anything-but does not match an empty array',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event({ state: [] }),
    false,
  ),
];

// --- "Content filtering": numeric matching (the c-count/d-count/x-limit example) ---
const numericPattern = {
  detail: {
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ numeric: ['=', 3.018e2] }],
  },
};
const numericEvent = (overrides: Record<string, unknown>): Record<string, unknown> =>
  event({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, ...overrides });

const numeric: ConformanceCase[] = [
  c('numeric example: all three fields hold', numericPattern, numericEvent({}), true),
  c('numeric: c-count 0 is not > 0', numericPattern, numericEvent({ 'c-count': 0 }), false),
  c('numeric: c-count 6 is not <= 5', numericPattern, numericEvent({ 'c-count': 6 }), false),
  c('numeric: d-count 10 is not < 10', numericPattern, numericEvent({ 'd-count': 10 }), false),
  c(
    'numeric: x-limit 301.9 is not = 3.018e2',
    numericPattern,
    numericEvent({ 'x-limit': 301.9 }),
    false,
  ),
  c('numeric: fractional c-count 3.5', numericPattern, numericEvent({ 'c-count': 3.5 }), true),
  c(
    'numeric only works on JSON numbers, not "5"',
    numericPattern,
    numericEvent({ 'c-count': '5' }),
    false,
  ),
  c(
    'numeric does not match a missing field',
    { detail: { 'c-count': [{ numeric: ['>', 0] }] } },
    event({}),
    false,
  ),
  c(
    'numeric >= is inclusive',
    { detail: { n: [{ numeric: ['>=', 10] }] } },
    event({ n: 10 }),
    true,
  ),
  c(
    'numeric <= with six decimals',
    { detail: { n: [{ numeric: ['<=', 10] }] } },
    event({ n: 10.000001 }),
    false,
  ),
  c('numeric = 0', { detail: { n: [{ numeric: ['=', 0] }] } }, event({ n: 0 }), true),
  c(
    'numeric closed-open range includes its bottom',
    { detail: { n: [{ numeric: ['>=', -5, '<', 0] }] } },
    event({ n: -5 }),
    true,
  ),
  c(
    'numeric closed-open range excludes its top',
    { detail: { n: [{ numeric: ['>=', -5, '<', 0] }] } },
    event({ n: 0 }),
    false,
  ),
  c(
    'numeric: an event number beyond +5.0e9 is outside numeric matching (event-ruler)',
    { detail: { n: [{ numeric: ['>', 0] }] } },
    event({ n: 6e9 }),
    false,
  ),
  c(
    'numeric: -5.0e9 is inside the limit',
    { detail: { n: [{ numeric: ['<', 0] }] } },
    event({ n: -5e9 }),
    true,
  ),
  c(
    'numeric does not match booleans',
    { detail: { n: [{ numeric: ['>', 0] }] } },
    event({ n: true }),
    false,
  ),
  c(
    'operators table: price is 100',
    { detail: { Price: [{ numeric: ['=', 100] }] } },
    event({ Price: 100 }),
    true,
  ),
  c(
    'operators table: price > 10 and <= 20, at 20',
    { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    event({ Price: 20 }),
    true,
  ),
  c(
    'operators table: price > 10 and <= 20, at 10',
    { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    event({ Price: 10 }),
    false,
  ),
];

// --- "Content filtering": IP address matching ---
const ipMatching: ConformanceCase[] = [
  c(
    'cidr 10.0.0.0/24 contains 10.0.0.255',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event({ sourceIPAddress: '10.0.0.255' }),
    true,
  ),
  c(
    'cidr 10.0.0.0/24 does not contain 10.0.1.0',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event({ sourceIPAddress: '10.0.1.0' }),
    false,
  ),
  c(
    'cidr contains its network address',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event({ sourceIPAddress: '10.0.0.0' }),
    true,
  ),
  c(
    'cidr does not match a non-address string',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event({ sourceIPAddress: 'not-an-ip' }),
    false,
  ),
  c(
    'cidr does not match a number',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } },
    event({ sourceIPAddress: 10 }),
    false,
  ),
  c(
    'IPv6 cidr contains 2001:db8::1',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event({ sourceIPAddress: '2001:db8::1' }),
    true,
  ),
  c(
    'IPv6 cidr does not contain 2001:db9::1',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event({ sourceIPAddress: '2001:db9::1' }),
    false,
  ),
  c(
    'IPv6 cidr matches an uncompressed address',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event({ sourceIPAddress: '2001:0db8:0000:0000:0000:0000:0000:0001' }),
    true,
  ),
  c(
    'an IPv4 cidr does not match an IPv6 address',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } },
    event({ sourceIPAddress: '::1' }),
    false,
  ),
  c(
    'host bits in the cidr base are masked off (event-ruler)',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.5/24' }] } },
    event({ sourceIPAddress: '10.0.0.1' }),
    true,
  ),
  c(
    'cidr /0 covers every IPv4 address',
    { detail: { sourceIPAddress: [{ cidr: '0.0.0.0/0' }] } },
    event({ sourceIPAddress: '192.168.1.1' }),
    true,
  ),
  c(
    'an exact IP value matches another spelling of the address (event-ruler)',
    { detail: { sourceIPAddress: ['2001:db8::1'] } },
    event({ sourceIPAddress: '2001:DB8:0:0:0:0:0:1' }),
    true,
  ),
];

// --- "Content filtering": exists matching (leaf nodes only) ---
const existsMatching: ConformanceCase[] = [
  c(
    'exists false: the field is absent',
    { detail: { 'c-count': [{ exists: false }] } },
    event({ state: 'running' }),
    true,
  ),
  c(
    'exists false: an object is not a leaf, so the field counts as absent',
    { detail: { 'c-count': [{ exists: false }] } },
    event({ state: 'running', 'c-count': { c1: 100 } }),
    true,
  ),
  c(
    'exists true: the field has a value',
    { detail: { 'c-count': [{ exists: true }] } },
    event({ 'c-count': 5 }),
    true,
  ),
  c(
    'exists true does not work on intermediate nodes',
    { detail: { 'c-count': [{ exists: true }] } },
    event({ 'c-count': { c1: 100 } }),
    false,
  ),
  c(
    'exists true: the field is absent',
    { detail: { 'c-count': [{ exists: true }] } },
    event({ state: 'running' }),
    false,
  ),
  c(
    'exists false: the field has a value',
    { detail: { 'c-count': [{ exists: false }] } },
    event({ 'c-count': 5 }),
    false,
  ),
  c(
    'exists true: null is a value',
    { detail: { 'c-count': [{ exists: true }] } },
    event({ 'c-count': null }),
    true,
  ),
  c(
    'exists false: null is a value',
    { detail: { 'c-count': [{ exists: false }] } },
    event({ 'c-count': null }),
    false,
  ),
  c(
    'exists true: an empty array holds no value',
    { detail: { tags: [{ exists: true }] } },
    event({ tags: [] }),
    false,
  ),
  c(
    'exists false: an empty array holds no value',
    { detail: { tags: [{ exists: false }] } },
    event({ tags: [] }),
    true,
  ),
  c(
    'exists false: the whole parent object is absent',
    { detail: { 'c-count': [{ exists: false }] } },
    event(undefined),
    true,
  ),
  c(
    'exists true: an empty string is a value',
    { detail: { name: [{ exists: true }] } },
    event({ name: '' }),
    true,
  ),
  c('exists true: an array of strings', { detail: { tags: [{ exists: true }] } }, macie, true),
  c(
    'exists false is judged across all array elements (event-ruler)',
    { detail: { items: { sku: [{ exists: false }] } } },
    event({ items: [{ sku: 'A-1' }, { name: 'no sku' }] }),
    false,
  ),
  c(
    'exists false or a value: absent',
    { detail: { state: ['stopped', { exists: false }] } },
    event({}),
    true,
  ),
  c(
    'exists false or a value: the value',
    { detail: { state: ['stopped', { exists: false }] } },
    event({ state: 'stopped' }),
    true,
  ),
  c(
    'exists false or a value: another value',
    { detail: { state: ['stopped', { exists: false }] } },
    event({ state: 'running' }),
    false,
  ),
  c(
    'operators table: ProductName exists',
    { detail: { ProductName: [{ exists: true }] } },
    event({ ProductName: 'Widget' }),
    true,
  ),
];

// --- "Content filtering": equals-ignore-case matching ---
const equalsIgnoreCase: ConformanceCase[] = [
  c(
    'equals-ignore-case "alice" vs Alice',
    { detail: { name: [{ 'equals-ignore-case': 'alice' }] } },
    event({ name: 'Alice' }),
    true,
  ),
  c(
    'equals-ignore-case "alice" vs ALICE',
    { detail: { name: [{ 'equals-ignore-case': 'alice' }] } },
    event({ name: 'ALICE' }),
    true,
  ),
  c(
    'equals-ignore-case is still whole-value',
    { detail: { name: [{ 'equals-ignore-case': 'alice' }] } },
    event({ name: 'Alicia' }),
    false,
  ),
  c(
    'equals-ignore-case only works on strings',
    { detail: { name: [{ 'equals-ignore-case': '1' }] } },
    event({ name: 1 }),
    false,
  ),
];

// --- "Content filtering": wildcard matching, and the event-ruler README wildcard rules ---
const wildcard: ConformanceCase[] = [
  c(
    'wildcard "*.png" vs a png in a folder',
    { detail: { FileName: [{ wildcard: '*.png' }] } },
    event({ FileName: 'dir/image.png' }),
    true,
  ),
  c(
    'wildcard "*.png" vs a jpg',
    { detail: { FileName: [{ wildcard: '*.png' }] } },
    event({ FileName: 'image.jpg' }),
    false,
  ),
  c(
    'wildcard "Simple*Service"',
    { source: [{ wildcard: 'Simple*Service' }] },
    event(undefined, { source: 'Simple Notification Service' }),
    true,
  ),
  c(
    'wildcard matches zero characters',
    { source: [{ wildcard: 'Simple*Service' }] },
    event(undefined, { source: 'SimpleService' }),
    true,
  ),
  c(
    'wildcard "*Title*" matches text in the middle',
    { detail: { title: [{ wildcard: '*Title*' }] } },
    event({ title: 'The Title Page' }),
    true,
  ),
  c(
    'operators table: a png file within folder "dir"',
    { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event({ FileName: 'dir/sub/a.png' }),
    true,
  ),
  c(
    'wildcard "dir/*.png" vs another folder',
    { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event({ FileName: 'other/a.png' }),
    false,
  ),
  c(
    'wildcard "\\*" is a literal asterisk',
    { detail: { v: [{ wildcard: 'a\\*b' }] } },
    event({ v: 'a*b' }),
    true,
  ),
  c(
    'wildcard "\\*" does not match other characters',
    { detail: { v: [{ wildcard: 'a\\*b' }] } },
    event({ v: 'axb' }),
    false,
  ),
  c(
    'wildcard "\\\\" is a literal backslash',
    { detail: { v: [{ wildcard: 'a\\\\b' }] } },
    event({ v: 'a\\b' }),
    true,
  ),
  c(
    'wildcard "*" matches the empty string',
    { detail: { v: [{ wildcard: '*' }] } },
    event({ v: '' }),
    true,
  ),
  c(
    'wildcard without "*" is an exact match',
    { detail: { v: [{ wildcard: 'abc' }] } },
    event({ v: 'abc' }),
    true,
  ),
  c(
    'wildcard without "*" does not match a longer value',
    { detail: { v: [{ wildcard: 'abc' }] } },
    event({ v: 'abcd' }),
    false,
  ),
  c(
    'wildcard only works on strings',
    { detail: { v: [{ wildcard: '*' }] } },
    event({ v: 5 }),
    false,
  ),
  c(
    'wildcard "*a*a*" vs "aa"',
    { detail: { v: [{ wildcard: '*a*a*' }] } },
    event({ v: 'aa' }),
    true,
  ),
  c(
    'wildcard "*a*a*" vs "a"',
    { detail: { v: [{ wildcard: '*a*a*' }] } },
    event({ v: 'a' }),
    false,
  ),
];

// --- "Comparison operators": And / Or, and "Content filtering": complex example with $or ---
// The $or shapes follow the event-ruler README's "Normal", "Parallel", "Or has And inside"
// and "Nested Or and And" examples.
const normalOr = {
  source: ['aws.cloudwatch'],
  detail: {
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  },
};
const parallelOr = {
  detail: {
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    scope: { $or: [{ region: ['us-east-1'] }, { zone: ['a'] }] },
  },
};
const orWithAnd = {
  source: ['aws.cloudwatch'],
  detail: {
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
      { scope: ['Service'] },
    ],
  },
};
const nestedOr = {
  source: ['aws.cloudwatch'],
  detail: {
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      {
        metricType: ['MetricType'],
        namespace: ['AWS/EC2', 'AWS/ES'],
        $or: [{ metricId: [1234] }, { spaceId: [1000] }],
      },
      { scope: ['Service'] },
    ],
  },
};
const cloudwatch = (detail: Record<string, unknown>): Record<string, unknown> =>
  event(detail, { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' });

const andOr: ConformanceCase[] = [
  c(
    'And: location is New York and day is Monday',
    { detail: { Location: ['New York'], Day: ['Monday'] } },
    event({ Location: 'New York', Day: 'Monday' }),
    true,
  ),
  c(
    'And: only one of the two holds',
    { detail: { Location: ['New York'], Day: ['Monday'] } },
    event({ Location: 'New York', Day: 'Tuesday' }),
    false,
  ),
  c(
    'Or: payment type is Credit or Debit',
    { detail: { PaymentType: ['Credit', 'Debit'] } },
    event({ PaymentType: 'Debit' }),
    true,
  ),
  c(
    '$or: location is New York or day is Monday (only the day)',
    { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event({ Location: 'Boston', Day: 'Monday' }),
    true,
  ),
  c(
    '$or: neither branch holds',
    { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event({ Location: 'Boston', Day: 'Friday' }),
    false,
  ),
  c('normal $or: namespace branch', normalOr, cloudwatch({ namespace: 'AWS/EC2' }), true),
  c(
    'normal $or: the sibling source still applies',
    normalOr,
    event({ namespace: 'AWS/EC2' }),
    false,
  ),
  c(
    'parallel $or: both groups hold',
    parallelOr,
    cloudwatch({ metricName: 'ReadLatency', scope: { zone: 'a' } }),
    true,
  ),
  c(
    'parallel $or: the second group fails',
    parallelOr,
    cloudwatch({ metricName: 'ReadLatency', scope: { zone: 'b' } }),
    false,
  ),
  c(
    '$or with And inside: both fields of the branch hold',
    orWithAnd,
    cloudwatch({ metricType: 'MetricType', namespace: 'AWS/ES' }),
    true,
  ),
  c(
    '$or with And inside: only half of the branch holds',
    orWithAnd,
    cloudwatch({ metricType: 'MetricType', namespace: 'AWS/Lambda' }),
    false,
  ),
  c('$or with And inside: third branch', orWithAnd, cloudwatch({ scope: 'Service' }), true),
  c(
    'nested $or and And: metricId branch',
    nestedOr,
    cloudwatch({ metricType: 'MetricType', namespace: 'AWS/EC2', metricId: 1234 }),
    true,
  ),
  c(
    'nested $or and And: neither nested branch',
    nestedOr,
    cloudwatch({ metricType: 'MetricType', namespace: 'AWS/EC2', metricId: 9 }),
    false,
  ),
  c(
    '$or across the envelope and detail',
    { $or: [{ source: ['aws.s3'] }, { detail: { state: ['terminated'] } }] },
    ec2Terminated,
    true,
  ),
  c(
    '$or branches with numeric and exists',
    {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ exists: false }] }],
      },
    },
    event({ 'c-count': 5 }),
    true,
  ),
  c(
    '$or branches with numeric and exists, neither',
    {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ exists: false }] }],
      },
    },
    event({ 'c-count': 5, 'd-count': 1 }),
    false,
  ),
  c(
    '$or members keep array consistency',
    {
      detail: {
        employees: { $or: [{ firstName: ['Anna'], lastName: ['Jones'] }, { firstName: ['Zoe'] }] },
      },
    },
    employees,
    false,
  ),
  c(
    'a field both beside and inside $or: the later write wins (event-ruler rule overriding)',
    { detail: { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] } },
    event({ a: '2' }),
    true,
  ),
  c(
    'a field both beside and inside $or: the earlier value no longer suffices alone',
    { detail: { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] } },
    event({ a: '1' }),
    false,
  ),
  c(
    'a $or whose value is an object is an ordinary field name (event-ruler README)',
    { source: ['aws.cloudwatch'], $or: { metricType: ['MetricType'] } },
    { source: 'aws.cloudwatch', $or: { metricType: 'MetricType' } },
    true,
  ),
];

// --- "Content filtering": complex example with multiple matching ---
const complexPattern = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
  },
};
const complexEvent = (overrides: Record<string, unknown>): Record<string, unknown> =>
  event(
    { state: 'running', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, ...overrides },
    { time: '2017-10-02T16:24:49Z' },
  );

const complex: ConformanceCase[] = [
  c('complex example: everything holds', complexPattern, complexEvent({}), true),
  c(
    'complex example: x-limit is excluded',
    complexPattern,
    complexEvent({ 'x-limit': 200 }),
    false,
  ),
  c(
    'complex example: state is excluded',
    complexPattern,
    complexEvent({ state: 'initializing' }),
    false,
  ),
  c(
    'complex example: event-ruler README adds a cidr',
    {
      ...complexPattern,
      detail: { ...complexPattern.detail, 'source-ip': [{ cidr: '10.0.0.0/8' }] },
    },
    complexEvent({ 'source-ip': '10.0.0.33' }),
    true,
  ),
];

/** Every matching case, grouped by documentation section. */
// --- Keys with dots, from event-ruler, which flattens events and patterns to dotted names
// (README "How to use Ruler": an event is a list of fields named by their dotted paths) ---
const dottedKeys: ConformanceCase[] = [
  c(
    'a dotted key in the pattern is the nested path',
    { detail: { 'instance.state': ['running'] } },
    event({ instance: { state: 'running' } }),
    true,
  ),
  c(
    'a dotted key at the top of the pattern reaches into detail',
    { 'detail.state': ['running'] },
    event({ state: 'running' }),
    true,
  ),
  c(
    'a dotted key in the event is the nested path of the pattern',
    { detail: { instance: { state: ['running'] } } },
    event({ 'instance.state': 'running' }),
    true,
  ),
  c(
    'a dotted key in the event holds its value, not another',
    { detail: { instance: { state: ['stopped'] } } },
    event({ 'instance.state': 'running' }),
    false,
  ),
  c(
    'a field spelt both ways in the event holds both values',
    { detail: { instance: { state: ['stopped'] } } },
    event({ 'instance.state': 'running', instance: { state: 'stopped' } }),
    true,
  ),
  c(
    'dotted on both sides, split differently',
    { detail: { 'a.b': { c: ['x'] } } },
    event({ a: { 'b.c': 'x' } }),
    true,
  ),
  c(
    'exists false sees a dotted key in the event',
    { detail: { instance: { state: [{ exists: false }] } } },
    event({ 'instance.state': 'running' }),
    false,
  ),
];

// --- exists: false inside arrays of objects, array-consistently (event-ruler's ACFinder:
// absence counts only the fields whose array elements agree with those already matched, in
// sorted field-name order; ACMachineTest.testACWithExistFalseRule) ---
const taskInstances = (second: Record<string, unknown>) =>
  event({
    taskInstances: [
      { state: 'ACTIVE', provider: { id: 'p-1' }, resources: [{ category: 'focus' }] },
      {
        state: 'INACTIVE',
        provider: { id: 'p-2' },
        resources: [{ category: 'focus', context: { interfaces: [second] } }],
      },
    ],
  });
const activeWithoutInterface = {
  detail: {
    taskInstances: {
      state: ['ACTIVE'],
      provider: { id: ['p-1'] },
      resources: { context: { interfaces: { name: [{ exists: false }] } } },
    },
  },
};
const existsInArrays: ConformanceCase[] = [
  c(
    'exists false: absent in the array element the other fields matched, present in another',
    activeWithoutInterface,
    taskInstances({ name: 'Dummy' }),
    true,
  ),
  c(
    'exists false: present in the array element the other fields matched',
    activeWithoutInterface,
    event({
      taskInstances: [
        {
          state: 'ACTIVE',
          provider: { id: 'p-1' },
          resources: [{ context: { interfaces: [{ name: 'Dummy' }] } }],
        },
      ],
    }),
    false,
  ),
  c(
    'exists false: judged in the element an earlier-named field chose',
    { detail: { items: { id: ['1'], tag: [{ exists: false }] } } },
    event({ items: [{ id: '1' }, { id: '2', tag: 't' }] }),
    true,
  ),
  c(
    'exists false: a field named before any other is judged across every element',
    { detail: { items: { a: [{ exists: false }], id: ['1'] } } },
    event({ items: [{ id: '1' }, { id: '2', a: 't' }] }),
    false,
  ),
];

export const conformanceCases: readonly ConformanceCase[] = [
  ...eventPatternBasics,
  ...valueMatching,
  ...nullsAndEmptyStrings,
  ...arrays,
  ...prefixMatching,
  ...suffixMatching,
  ...anythingBut,
  ...numeric,
  ...ipMatching,
  ...existsMatching,
  ...equalsIgnoreCase,
  ...wildcard,
  ...andOr,
  ...complex,
  ...dottedKeys,
  ...existsInArrays,
];

function bad(name: string, pattern: unknown, reason: RegExp): InvalidPatternCase {
  return { name, pattern, reason };
}

const tenWay = (field: string): Record<string, string[]>[] =>
  Array.from({ length: 10 }, (_, i) => ({ [field]: [`v${i}`] }));

/**
 * Patterns EventBridge refuses. Structure rules come from "Amazon EventBridge event patterns"
 * (values are arrays; objects and arrays must not be empty); operand rules from "Content
 * filtering" and "Comparison operators" (wildcard escapes, numeric limits, cidr) and, for the
 * exact conditions, from event-ruler's JsonRuleCompiler, which EventBridge's validation is.
 */
export const invalidPatternCases: readonly InvalidPatternCase[] = [
  bad(
    'a pattern must be an object, not an array',
    [{ source: ['aws.ec2'] }],
    /must be a JSON object, not an array/,
  ),
  bad(
    'a pattern must be an object, not JSON text of a number',
    '5',
    /must be a JSON object, not a number/,
  ),
  bad('a pattern must be an object, not null', null, /must be a JSON object, not null/),
  bad('pattern text must be JSON', '{"source": ["aws.ec2"]', /not valid JSON/),
  bad('an empty pattern object', {}, /Empty objects are not allowed/),
  bad('an empty nested object', { detail: {} }, /Empty objects are not allowed.*detail/),
  bad(
    'a leaf must be an array, not a string',
    { source: 'aws.ec2' },
    /"source" must be an object or an array, not a string/,
  ),
  bad(
    'a leaf must be an array, not a number',
    { detail: { count: 5 } },
    /"count" must be an object or an array, not a number/,
  ),
  bad('an empty value array', { source: [] }, /Empty arrays are not allowed.*source/),
  bad(
    'a nested array as a value',
    { source: [['aws.ec2']] },
    /Match value must be .* not an array/,
  ),
  bad(
    'an unknown operator',
    { detail: { state: [{ contains: 'run' }] } },
    /Unrecognized match type contains/,
  ),
  bad(
    'an operator object with no operator',
    { detail: { state: [{}] } },
    /Match expression name not found/,
  ),
  bad(
    'two operators in one object',
    { detail: { state: [{ prefix: 'a', suffix: 'b' }] } },
    /Only one key allowed/,
  ),
  bad(
    'prefix with a number',
    { detail: { state: [{ prefix: 5 }] } },
    /"prefix" match pattern must be a string, not a number/,
  ),
  bad(
    'prefix ignoring case with a number',
    { detail: { state: [{ prefix: { 'equals-ignore-case': 5 } }] } },
    /"equals-ignore-case" match pattern must be a string, not a number/,
  ),
  bad(
    'prefix with an unsupported nested operator',
    { detail: { state: [{ prefix: { wildcard: 'a*' } }] } },
    /Unsupported prefix pattern: wildcard/,
  ),
  bad(
    'suffix with a boolean',
    { detail: { state: [{ suffix: true }] } },
    /"suffix" match pattern must be a string, not a boolean/,
  ),
  bad(
    'equals-ignore-case with an array',
    { detail: { state: [{ 'equals-ignore-case': ['a'] }] } },
    /"equals-ignore-case" match pattern must be a string, not an array/,
  ),
  bad(
    'wildcard with consecutive asterisks',
    { detail: { f: [{ wildcard: 'a**b' }] } },
    /Consecutive wildcard characters/,
  ),
  bad(
    'wildcard escaping an ordinary character',
    { detail: { f: [{ wildcard: 'a\\b' }] } },
    /Invalid escape character/,
  ),
  bad(
    'wildcard ending in a lone backslash',
    { detail: { f: [{ wildcard: 'abc\\' }] } },
    /Invalid escape character/,
  ),
  bad(
    'wildcard with a number',
    { detail: { f: [{ wildcard: 5 }] } },
    /"wildcard" match pattern must be a string, not a number/,
  ),
  bad(
    'anything-but with a boolean',
    { detail: { state: [{ 'anything-but': true }] } },
    /Value of anything-but must be an array or single string\/number value, not a boolean/,
  ),
  bad(
    'anything-but with null',
    { detail: { state: [{ 'anything-but': null }] } },
    /Value of anything-but must be .* not null/,
  ),
  bad(
    'anything-but with mixed strings and numbers',
    { detail: { state: [{ 'anything-but': ['a', 1] }] } },
    /mixed types are not supported/,
  ),
  bad(
    'anything-but with an empty list',
    { detail: { state: [{ 'anything-but': [] }] } },
    /at least one string or number/,
  ),
  bad(
    'anything-but list containing null',
    { detail: { state: [{ 'anything-but': ['a', null] }] } },
    /only strings and numbers are supported, not null/,
  ),
  bad(
    'anything-but with an unsupported nested operator',
    { detail: { n: [{ 'anything-but': { numeric: ['>', 1] } }] } },
    /Unsupported anything-but pattern: numeric/,
  ),
  bad(
    'anything-but with two nested operators',
    { detail: { n: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] } },
    /Only one key allowed/,
  ),
  bad(
    'anything-but prefix with an empty string',
    { detail: { state: [{ 'anything-but': { prefix: '' } }] } },
    /Null prefix not allowed/,
  ),
  bad(
    'anything-but prefix with a number',
    { detail: { state: [{ 'anything-but': { prefix: 5 } }] } },
    /"anything-but\/prefix" match pattern must be a string, not a number/,
  ),
  bad(
    'anything-but ignoring case with a number',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': [1] } }] } },
    /"anything-but\/equals-ignore-case" match pattern must be a string, not a number/,
  ),
  bad(
    'anything-but wildcard with consecutive asterisks',
    { detail: { f: [{ 'anything-but': { wildcard: '**' } }] } },
    /Consecutive wildcard characters/,
  ),
  bad(
    'anything-but number beyond the numeric limit',
    { detail: { n: [{ 'anything-but': [6e9] }] } },
    /between -5.0E9 and 5.0E9/,
  ),
  bad(
    'numeric with a non-array',
    { detail: { n: [{ numeric: 5 }] } },
    /Value of numeric must be an array, not a number/,
  ),
  bad(
    'numeric with an empty array',
    { detail: { n: [{ numeric: [] }] } },
    /Numeric expression must not be empty/,
  ),
  bad(
    'numeric with an unknown operator',
    { detail: { n: [{ numeric: ['!=', 5] }] } },
    /Unrecognized numeric range operator: !=/,
  ),
  bad(
    'numeric with a string operand',
    { detail: { n: [{ numeric: ['>', '5'] }] } },
    /Value of > must be numeric, not a string/,
  ),
  bad(
    'numeric with no operand',
    { detail: { n: [{ numeric: ['>'] }] } },
    /Value of > must be numeric/,
  ),
  bad(
    'numeric above +5.0e9',
    { detail: { n: [{ numeric: ['<', 5000000001] }] } },
    /between -5.0E9 and 5.0E9/,
  ),
  bad(
    'numeric below -5.0e9',
    { detail: { n: [{ numeric: ['>', -5.1e9] }] } },
    /between -5.0E9 and 5.0E9/,
  ),
  bad(
    'numeric with more than six decimals',
    { detail: { n: [{ numeric: ['=', 1.0000001] }] } },
    /6 decimal places/,
  ),
  bad(
    'numeric range with bottom equal to top',
    { detail: { n: [{ numeric: ['>', 5, '<', 5] }] } },
    /Bottom must be less than top/,
  ),
  bad(
    'numeric range with bottom above top',
    { detail: { n: [{ numeric: ['>=', 10, '<=', 1] }] } },
    /Bottom must be less than top/,
  ),
  bad(
    'numeric range with two lower bounds',
    { detail: { n: [{ numeric: ['>', 0, '>', 5] }] } },
    /Bad numeric range operator: >/,
  ),
  bad(
    'numeric equals with extra terms',
    { detail: { n: [{ numeric: ['=', 5, 6] }] } },
    /Too many elements in numeric expression/,
  ),
  bad(
    'numeric range starting with an upper bound',
    { detail: { n: [{ numeric: ['<', 5, '>', 0] }] } },
    /Too many elements in numeric expression/,
  ),
  bad(
    'numeric range with too many terms',
    { detail: { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] } },
    /Too many terms in numeric range expression/,
  ),
  bad(
    'cidr without a slash',
    { detail: { ip: [{ cidr: '10.0.0.0' }] } },
    /Malformed CIDR, one '\/' required/,
  ),
  bad(
    'cidr with a non-integer mask',
    { detail: { ip: [{ cidr: '10.0.0.0/abc' }] } },
    /mask bits must be an integer/,
  ),
  bad(
    'cidr with a negative mask',
    { detail: { ip: [{ cidr: '10.0.0.0/-1' }] } },
    /mask bits must not be negative/,
  ),
  bad(
    'cidr IPv4 /32 (a mask must leave a variable bit)',
    { detail: { ip: [{ cidr: '10.0.0.1/32' }] } },
    /IPv4 mask bits must be < 32/,
  ),
  bad(
    'cidr IPv4 /33',
    { detail: { ip: [{ cidr: '10.0.0.0/33' }] } },
    /IPv4 mask bits must be < 32/,
  ),
  bad(
    'cidr IPv6 /128',
    { detail: { ip: [{ cidr: '2001:db8::1/128' }] } },
    /IPv6 mask bits must be < 128/,
  ),
  bad(
    'cidr with an octet above 255',
    { detail: { ip: [{ cidr: '300.0.0.0/8' }] } },
    /Invalid IP address: 300.0.0.0/,
  ),
  bad(
    'cidr with a host name',
    { detail: { ip: [{ cidr: 'example.com/8' }] } },
    /Nonstandard IP address: example.com/,
  ),
  bad(
    'cidr with a number',
    { detail: { ip: [{ cidr: 10 }] } },
    /"cidr" match pattern must be a string, not a number/,
  ),
  bad(
    'exists with a string',
    { detail: { f: [{ exists: 'true' }] } },
    /"exists" match pattern must be either true or false, not a string/,
  ),
  bad(
    'exists with null',
    { detail: { f: [{ exists: null }] } },
    /"exists" match pattern must be either true or false, not null/,
  ),
  bad(
    '$or with a string',
    { $or: 'source' },
    /"\$or" must be an array of at least 2 objects, not a string/,
  ),
  bad(
    '$or with one object',
    { $or: [{ source: ['aws.ec2'] }] },
    /"\$or" must contain at least 2 objects, found 1/,
  ),
  bad(
    '$or with an empty array',
    { detail: { $or: [] } },
    /"\$or" must contain at least 2 objects, found 0/,
  ),
  bad(
    '$or with a non-object member',
    { $or: [{ source: ['aws.ec2'] }, ['aws.s3']] },
    /Only JSON objects are allowed in the "\$or" array, not an array/,
  ),
  bad(
    '$or member using an operator name as a field',
    { $or: [{ prefix: ['a'] }, { source: ['aws.s3'] }] },
    /"prefix" is a reserved keyword/,
  ),
  bad(
    '$or member with an invalid leaf',
    { detail: { $or: [{ a: [{ prefix: 1 }] }, { b: ['x'] }] } },
    /"prefix" match pattern must be a string.*detail\.\$or\[0\]\.a\[0\]\.prefix/,
  ),
  bad(
    '$or combinations beyond 1000',
    { $or: tenWay('a'), detail: { $or: tenWay('b'), x: { $or: [...tenWay('c'), { d: ['e'] }] } } },
    /more than 1000 rule combinations/,
  ),
];
