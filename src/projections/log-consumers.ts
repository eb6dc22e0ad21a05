/** One reader of the log with its own checkpoint: a projection runner, the NATS relay. */
export interface LogConsumer {
  readonly name: string;
  /** The position of the last event it has dealt with. */
  readonly checkpoint: bigint;
  readonly state: string;
}

/**
 * The log's consumers in this process, in the order they joined: the projection runners from the
 * start, the NATS relay once it runs. Where `GET /v1/projections` finds them; also its DI token.
 */
export class LogConsumers implements Iterable<LogConsumer> {
  private readonly consumers = new Set<LogConsumer>();

  constructor(consumers: Iterable<LogConsumer> = []) {
    for (const consumer of consumers) this.consumers.add(consumer);
  }

  /** Lists `consumer` until the returned function is called. */
  register(consumer: LogConsumer): () => void {
    this.consumers.add(consumer);
    return () => this.consumers.delete(consumer);
  }

  [Symbol.iterator](): Iterator<LogConsumer> {
    return this.consumers.values();
  }
}
