import type { MetadataBearer, MiddlewareStack } from '@smithy/types';

/** A fault put into an SDK client: how often it matched and failed, and how to take it out. */
export interface Fault {
  /** Requests the fault matched. */
  readonly matched: number;
  /** Requests it made fail. */
  readonly failed: number;
  remove: () => void;
}

export interface FaultOptions {
  /**
   * `before`: the request fails before it is sent (nothing reaches the service), as a crash
   * before a write. `after`: the request is sent and succeeds, then its answer is lost, as a
   * crash (or a timeout) after a write and before its acknowledgement.
   */
  when: 'before' | 'after';
  /** Which requests fail, by the SDK's command name and the input as the caller gave it. */
  matches: (request: { commandName: string; input: string }) => boolean;
  /** How many matching requests fail; the rest go through. @default Infinity */
  times?: number;
  /** Whether this matching request fails (a random fault). @default every one, up to `times` */
  strikes?: () => boolean;
  /** The error's name, as the service would name it (`ThrottlingException`). */
  errorName?: string;
}

let faults = 0;

/**
 * Makes some requests of an SDK client fail, without touching the code under test: a middleware
 * at the front of the client's stack. The clients in `shared/adapters/clients.ts` are one per
 * process, so a fault put into one reaches every handler the embedded runtime runs.
 */
export function injectFault<Input extends object, Output extends MetadataBearer>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  { when, matches, times = Infinity, errorName, strikes = () => true }: FaultOptions,
): Fault {
  const name = `test-fault-${++faults}`;
  let remaining = times;
  const state = { matched: 0, failed: 0 };
  const fail = () => {
    remaining--;
    state.failed++;
    const error = new Error(
      when === 'before' ? 'Injected: the request never left' : 'Injected: the answer was lost',
    );
    error.name =
      errorName ?? (when === 'before' ? 'InjectedCrashBeforeRequest' : 'InjectedLostAnswer');
    return error;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = String(context.commandName ?? '');
      if (!matches({ commandName, input: JSON.stringify(args.input) })) return next(args);
      state.matched++;
      if (remaining <= 0 || !strikes()) return next(args);
      if (when === 'before') throw fail();
      await next(args);
      throw fail();
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return faultHandle(state, () => client.middlewareStack.remove(name));
}

/**
 * Makes EventBridge refuse some entries of PutEvents requests, as it does when throttled or on
 * an internal failure: the request succeeds, the refused entries come back with an error code
 * and are not put on the bus, the others are. `refuse` decides per entry.
 */
export function injectRefusedEntries<Input extends object, Output extends MetadataBearer>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  refuse: () => boolean,
): Fault {
  const name = `test-fault-${++faults}`;
  const state = { matched: 0, failed: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Entries?: unknown[] };
      if (context.commandName !== 'PutEventsCommand' || !input.Entries) return next(args);
      state.matched += input.Entries.length;
      const refused = input.Entries.map(() => refuse());
      if (!refused.includes(true)) return next(args);
      state.failed += refused.filter(Boolean).length;
      const kept = input.Entries.filter((_entry, index) => !refused[index]);
      const accepted =
        kept.length === 0
          ? { output: { Entries: [] as unknown[] }, response: {} }
          : await next({ ...args, input: { ...input, Entries: kept } as unknown as Input });
      const acceptedEntries = [...((accepted.output as { Entries?: unknown[] }).Entries ?? [])];
      const entries = refused.map((isRefused) =>
        isRefused
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected: entry refused' }
          : acceptedEntries.shift(),
      );
      return {
        ...accepted,
        output: {
          $metadata: {},
          ...accepted.output,
          Entries: entries,
          FailedEntryCount: entries.filter(
            (entry) => typeof entry === 'object' && entry !== null && 'ErrorCode' in entry,
          ).length,
        } as unknown as Output,
      };
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return faultHandle(state, () => client.middlewareStack.remove(name));
}

function faultHandle(state: { matched: number; failed: number }, remove: () => void): Fault {
  return {
    get matched() {
      return state.matched;
    },
    get failed() {
      return state.failed;
    },
    remove,
  };
}
