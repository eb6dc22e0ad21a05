/** Runs async critical sections one at a time, in call order. */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One {@link AsyncMutex} per key, dropped when idle. */
export class KeyedMutex {
  private readonly mutexes = new Map<string, { mutex: AsyncMutex; users: number }>();

  async run<T>(key: string, section: () => Promise<T> | T): Promise<T> {
    const entry = this.mutexes.get(key) ?? { mutex: new AsyncMutex(), users: 0 };
    entry.users += 1;
    this.mutexes.set(key, entry);
    try {
      return await entry.mutex.run(section);
    } finally {
      entry.users -= 1;
      if (entry.users === 0) this.mutexes.delete(key);
    }
  }
}
