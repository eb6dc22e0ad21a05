/** Polls `probe` until `done` says yes, or fails naming `what` and the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const last = JSON.stringify(value, (_, field: unknown) => (typeof field === 'bigint' ? field.toString() : field));
      throw new Error(`not ${what} within ${timeoutMs} ms (last: ${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
