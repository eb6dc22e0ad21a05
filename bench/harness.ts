import { rmSync } from 'node:fs';

/** Releases something a benchmark holds open (an app, a storage, a schema) when a run ends. */
export type Tracker = (name: string, close: () => Promise<void>) => () => void;

/** A number from the environment, or `fallback`; throws naming the variable when it is not valid. */
export function numberEnv(name: string, fallback: number, check: (value: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new Error(`${name}='${raw}' is not valid`);
  return value;
}

/**
 * What a benchmark run holds open, closed in reverse order (each given at most 10 s), then its
 * temporary data directory removed. `cleanup` runs once however often it is called.
 */
export class RunResources {
  /** The run's temporary data directory, once made. */
  root?: string;
  private readonly open = new Map<number, { name: string; close: () => Promise<void> }>();
  private nextId = 0;
  private cleaning?: Promise<void>;

  constructor(private readonly log: (line: string) => void) {}

  readonly track: Tracker = (name, close) => {
    const id = this.nextId++;
    this.open.set(id, { name, close });
    return () => this.open.delete(id);
  };

  cleanup(): Promise<void> {
    this.cleaning ??= (async () => {
      for (const [id, { name, close }] of [...this.open].reverse()) {
        this.open.delete(id);
        await Promise.race([
          close().catch((error: unknown) => this.log(`closing ${name} failed: ${String(error)}`)),
          new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
        ]);
      }
      if (this.root) {
        rmSync(this.root, { recursive: true, force: true });
        this.log(`removed ${this.root}`);
      }
    })();
    return this.cleaning;
  }
}
