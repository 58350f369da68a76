import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';

/** What an invocation that was running when its process crashed sees at its next call to AWS. */
export class FunctionProcessCrashedError extends Error {
  constructor() {
    super('The function process crashed while this invocation was running');
    this.name = 'FunctionProcessCrashedError';
  }
}

/**
 * The process the functions run in, as far as a crash is concerned. Every invocation belongs to
 * the process that started it; `crash()` ends that process and starts a fresh one. An invocation
 * of an ended process dies at its next call to AWS (what it had written stays written, and an
 * answer in the air is lost), and its result never reaches its caller, who sees a failed
 * invocation: API Gateway answers 5xx, an SQS message comes back after its visibility timeout, a
 * stream batch is retried. The pollers and the bus are AWS's and carry on, as they do on AWS.
 */
export class FunctionProcess {
  readonly #invocation = new AsyncLocalStorage<number>();
  #generation = 0;
  #crashes = 0;
  #killed = 0;

  /** How often the process crashed, and how many invocations died with it. */
  get crashes(): { crashes: number; invocationsKilled: number } {
    return { crashes: this.#crashes, invocationsKilled: this.#killed };
  }

  /** Runs one invocation in the current process. */
  async invoke<T>(work: () => Promise<T>): Promise<T> {
    const generation = this.#generation;
    const result = await this.#invocation.run(generation, work).catch((error: unknown) => {
      throw this.#ended(generation) ? this.#died() : error;
    });
    if (this.#ended(generation)) throw this.#died();
    return result;
  }

  /** Kills every invocation in flight; the next ones run in a fresh process. */
  crash(): void {
    this.#generation++;
    this.#crashes++;
  }

  /**
   * Makes an SDK client the functions share fail calls made by an invocation of an ended process,
   * before the request and after its answer. Calls from outside any invocation go through.
   */
  guard<Input extends object, Output extends MetadataBearer>(client: {
    middlewareStack: MiddlewareStack<Input, Output>;
  }): void {
    const check = () => {
      const generation = this.#invocation.getStore();
      if (generation !== undefined && this.#ended(generation))
        throw new FunctionProcessCrashedError();
    };
    client.middlewareStack.add(
      (next) => async (args) => {
        check();
        const output = await next(args);
        check();
        return output;
      },
      { step: 'initialize', name: 'local-function-process', priority: 'high', override: true },
    );
  }

  #ended(generation: number): boolean {
    return generation !== this.#generation;
  }

  #died(): FunctionProcessCrashedError {
    this.#killed++;
    return new FunctionProcessCrashedError();
  }
}
