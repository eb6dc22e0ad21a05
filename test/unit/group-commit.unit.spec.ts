import { BatchOutcome, GroupCommit } from '../../src/event-store/group-commit';

type Request = { name: string; items: number };

/** A `send` the test completes by hand, recording every batch it was given. */
function aControlledSend() {
  const batches: string[][] = [];
  const inFlight: { requests: readonly Request[]; answer(outcomes: BatchOutcome<string>[]): void; fail(error: unknown): void }[] = [];
  const send = (requests: readonly Request[]) =>
    new Promise<readonly BatchOutcome<string>[]>((answer, fail) => {
      batches.push(requests.map((request) => request.name));
      inFlight.push({ requests, answer, fail });
    });
  /** Answers the oldest batch in flight: each request's name upper-cased, or an error for those `failing` names. */
  const answer = (failing: readonly string[] = []) => {
    const { requests, answer: resolve } = inFlight.shift()!;
    resolve(
      requests.map((request): BatchOutcome<string> =>
        failing.includes(request.name) ? { ok: false, error: new Error(`${request.name} refused`) } : { ok: true, value: request.name.toUpperCase() },
      ),
    );
  };
  const fail = (error: unknown) => inFlight.shift()!.fail(error);
  return { send, batches, answer, fail, inFlight: () => inFlight.length };
}

/** A few turns of the event loop: enough for the group commit to take its next batch. */
const settle = async () => {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
};

describe('group commit', () => {
  const limits = { maxRequests: 3, maxItems: 10, itemsOf: (request: Request) => request.items };

  it('sends a lone request at once, alone', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, limits);

    const outcome = commits.submit({ name: 'a', items: 1 });

    expect(send.batches).toEqual([['a']]);
    send.answer();
    await expect(outcome).resolves.toBe('A');
  });

  it('sends the requests submitted while a batch is in flight together as the next batch, in submission order', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, limits);

    const outcomes = ['a', 'b', 'c', 'd'].map((name) => commits.submit({ name, items: 1 }));
    expect(send.batches).toEqual([['a']]);
    send.answer();
    await settle();

    expect(send.batches).toEqual([['a'], ['b', 'c', 'd']]);
    expect(send.inFlight()).toBe(1);
    send.answer();
    await expect(Promise.all(outcomes)).resolves.toEqual(['A', 'B', 'C', 'D']);
  });

  it('lets callers woken by a batch join the next one when they submit again at once', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, limits);
    const writer = async (name: string) => {
      await commits.submit({ name: `${name}1`, items: 1 });
      await commits.submit({ name: `${name}2`, items: 1 });
    };

    const writing = Promise.all([writer('a'), writer('b'), writer('c')]);
    send.answer();
    await settle();
    send.answer();
    await settle();
    send.answer();
    await writing;

    expect(send.batches).toEqual([['a1'], ['b1', 'c1', 'a2'], ['b2', 'c2']]);
  });

  it('keeps a batch within the request and item limits, sending a request bigger than the item limit alone', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, limits);

    const outcomes = [
      { name: 'first', items: 1 },
      { name: 'a', items: 1 },
      { name: 'b', items: 1 },
      { name: 'c', items: 1 },
      { name: 'd', items: 1 },
      { name: 'e', items: 9 },
      { name: 'huge', items: 25 },
      { name: 'f', items: 1 },
    ].map((request) => commits.submit(request));
    for (let batch = 0; batch < 5; batch++) {
      send.answer();
      await settle();
    }
    await Promise.all(outcomes);

    expect(send.batches).toEqual([['first'], ['a', 'b', 'c'], ['d', 'e'], ['huge'], ['f']]);
  });

  it('fails only the request whose outcome is an error', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, limits);
    const first = commits.submit({ name: 'first', items: 1 });
    const queued = ['a', 'b', 'c'].map((name) => commits.submit({ name, items: 1 }).catch((error: Error) => error.message));
    send.answer();
    await first;
    await settle();

    send.answer(['b']);

    await expect(Promise.all(queued)).resolves.toEqual(['A', 'b refused', 'C']);
  });

  it('fails every request of a batch whose send throws, and goes on with the next batch', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, limits);
    const first = commits.submit({ name: 'first', items: 1 }).catch((error: Error) => error.message);
    const queued = commits.submit({ name: 'later', items: 1 });

    send.fail(new Error('connection lost'));
    await settle();
    send.answer();

    await expect(first).resolves.toBe('connection lost');
    await expect(queued).resolves.toBe('LATER');
    expect(send.batches).toEqual([['first'], ['later']]);
  });

  it('closes once every request submitted before has its outcome, queued ones included, refusing any submitted after', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, limits);
    const outcomes: string[] = [];
    for (const name of ['a', 'b', 'c']) void commits.submit({ name, items: 1 }).then((value) => outcomes.push(value));
    let closed = false;
    const closing = commits.close().then(() => (closed = true));
    await expect(commits.submit({ name: 'late', items: 1 })).rejects.toThrow('closed');

    send.answer();
    await settle();
    expect(closed).toBe(false);
    send.answer();
    await closing;

    expect(outcomes).toEqual(['A', 'B', 'C']);
    expect(send.batches).toEqual([['a'], ['b', 'c']]);
  });

  it('sends a lone caller\'s next request at once, without waiting a turn of the event loop', async () => {
    let turns = 0;
    const counting = setInterval(() => (turns += 1), 0);
    const commits = new GroupCommit(async (requests: readonly { name: string; items: number }[]) => requests.map((r) => ({ ok: true as const, value: r.name })), limits);
    try {
      const before = turns;
      for (let i = 0; i < 50; i++) await commits.submit({ name: `n${i}`, items: 1 });
      expect(turns - before).toBe(0);
    } finally {
      clearInterval(counting);
    }
  });

  it('with gatherFirst, holds an idle group\'s first request for one turn of the event loop, so the requests of that turn share its batch', async () => {
    const send = aControlledSend();
    const commits = new GroupCommit(send.send, { ...limits, gatherFirst: true });

    const outcomes = ['a', 'b'].map((name) => commits.submit({ name, items: 1 }));
    expect(send.batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(send.batches).toEqual([['a', 'b']]);
    // Submitted while that batch is in flight: the next batch, as without gatherFirst.
    const later = commits.submit({ name: 'c', items: 1 });
    send.answer();
    await settle();
    expect(send.batches).toEqual([['a', 'b'], ['c']]);
    send.answer();
    await expect(Promise.all([...outcomes, later])).resolves.toEqual(['A', 'B', 'C']);
  });

  it('fails the whole batch when send answers a different number of outcomes than requests', async () => {
    const commits = new GroupCommit<Request, string>(async () => [], limits);

    await expect(commits.submit({ name: 'a', items: 1 })).rejects.toThrow(/0 outcomes for 1 requests/);
  });
});
