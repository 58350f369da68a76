/**
 * The referral lifecycle as one pure state machine (DESIGN.md, Lifecycle): which command may
 * move a referral from which status to which, and who may give it. No AWS, no clock.
 */
import type {
  CloseOutcome,
  ContactMethod,
  ContactResult,
  DeclineReason,
  ReferralStatus,
} from '#events/vocabulary.ts';

/** Everything that can happen to a referral, with what each needs to say. */
export type LifecycleCommand =
  | { type: 'route'; providerId?: string }
  | { type: 'accept' }
  | { type: 'decline'; reason: DeclineReason; details?: string }
  | { type: 'attempt-contact'; method: ContactMethod; result: ContactResult; attemptedAt: string }
  | { type: 'engage' }
  | { type: 'close'; outcome: CloseOutcome }
  | { type: 'reroute'; toProviderId: string }
  | { type: 'withdraw' };
export type CommandType = LifecycleCommand['type'];

/** Who gives each command: the system routes, the referrer withdraws, providers do the rest. */
export const commandActors = {
  route: 'system',
  accept: 'provider',
  decline: 'provider',
  'attempt-contact': 'provider',
  engage: 'provider',
  close: 'provider',
  reroute: 'provider',
  withdraw: 'referrer',
} as const satisfies Record<CommandType, 'system' | 'provider' | 'referrer'>;
/** What a provider may ask of a referral: the commands whose actor is the provider. */
export type ProviderCommandType = {
  [C in CommandType]: (typeof commandActors)[C] extends 'provider' ? C : never;
}[CommandType];
/** The provider's commands, in the lifecycle's order. */
export const providerCommandTypes = (Object.keys(commandActors) as CommandType[]).filter(
  (command): command is ProviderCommandType => commandActors[command] === 'provider',
);

/**
 * Where each command takes a referral, whatever it was: a command is named for what it does and
 * its status for what was done (accept → accepted), so this is also each command's past tense.
 */
export const commandOutcomes = {
  route: 'routed',
  accept: 'accepted',
  decline: 'declined',
  'attempt-contact': 'contact-attempted',
  engage: 'engaged',
  close: 'closed',
  reroute: 'rerouted',
  withdraw: 'withdrawn',
} as const satisfies Record<CommandType, ReferralStatus>;

const waitingForProvider = ['accept', 'decline', 'reroute', 'withdraw'] as const;

/** From each status, the commands allowed, in the order a 409 names them. Absent means refused. */
const transitions: Record<ReferralStatus, readonly CommandType[]> = {
  received: ['route', 'withdraw'],
  routed: waitingForProvider,
  rerouted: waitingForProvider,
  accepted: ['attempt-contact', 'engage', 'close', 'reroute', 'withdraw'],
  'contact-attempted': ['attempt-contact', 'engage', 'close', 'withdraw'],
  engaged: ['close'],
  // A provider's "no" is recorded; the spoke decides where the referral goes next.
  declined: ['reroute', 'withdraw'],
  closed: [],
  withdrawn: [],
};

/** The commands a referral in this status accepts. */
export function allowedCommands(status: ReferralStatus): CommandType[] {
  return [...transitions[status]];
}

/** The commands a provider may give a referral in this status (not routing, not withdrawal). */
export function providerCommandsAllowed(status: ReferralStatus): ProviderCommandType[] {
  return allowedCommands(status).filter(
    (command): command is ProviderCommandType => commandActors[command] === 'provider',
  );
}

/** Where a command takes a referral in this status, or undefined when it is not allowed. */
export function nextStatus(
  status: ReferralStatus,
  command: CommandType,
): ReferralStatus | undefined {
  return transitions[status].includes(command) ? commandOutcomes[command] : undefined;
}

/** True for the statuses a referral never leaves. */
export function isFinal(status: ReferralStatus): boolean {
  return allowedCommands(status).length === 0;
}

/**
 * Why, for the audit trail, as codes only: audit records outlive personal data, so free text
 * (a decline's details) is kept on the referral, never here.
 */
export function auditReason(command: LifecycleCommand): string | undefined {
  switch (command.type) {
    case 'route':
      return command.providerId ? `routed to ${command.providerId}` : 'routed to triage';
    case 'decline':
      return `declined: ${command.reason}`;
    case 'attempt-contact':
      return `contact by ${command.method}: ${command.result}`;
    case 'close':
      return `closed: ${command.outcome}`;
    case 'reroute':
      return `rerouted to ${command.toProviderId}`;
    default:
      return undefined;
  }
}
