import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The background loop of an event source mapping: polls until stopped, pauses when there was
 * nothing to do, and keeps going (after a pause) when a poll fails, as Lambda's pollers do.
 */
export abstract class PollingLoop {
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly idleMs = 25,
  ) {}

  /** One poll; true when it found work, so the next follows at once. */
  protected abstract pollOnce(): Promise<boolean>;

  /** True once `stop()` was called: work in hand should end without waiting to retry. */
  protected get stopping(): boolean {
    return !this.#running;
  }

  /** Starts polling in the background. */
  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops polling after the poll in hand. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        const busy = await this.pollOnce();
        if (!busy) await sleep(this.idleMs);
      } catch (error) {
        if (!this.#running) return;
        console.error(`${this.name} poller error (retrying)`, error);
        await sleep(500);
      }
    }
  }
}
