import { StreamStates } from '../../src/event-store/stream-states';

describe('stream states', () => {
  const decider = {};

  it('keeps a state for the decider it was folded by only', () => {
    const states = new StreamStates(100);
    states.set('s', { decider, version: 2n, lastEventId: 'e', state: 'folded' });

    expect(states.get('s', decider)).toEqual({ decider, version: 2n, lastEventId: 'e', state: 'folded' });
    expect(states.get('s', {})).toBeUndefined();
    expect(states.get('other', decider)).toBeUndefined();
  });

  it('holds states of at most so many events, dropping the least recently used first', () => {
    const states = new StreamStates(10);
    states.set('a', { decider, version: 3n, lastEventId: 'e', state: 'a' }); // 4 events
    states.set('b', { decider, version: 3n, lastEventId: 'e', state: 'b' }); // 8
    states.get('a', decider); // a is now the most recently used
    states.set('c', { decider, version: 2n, lastEventId: 'e', state: 'c' }); // 11: b goes

    expect(states.get('b', decider)).toBeUndefined();
    expect(states.get('a', decider)?.state).toBe('a');
    expect(states.get('c', decider)?.state).toBe('c');
    expect(states.size).toBe(2);
  });

  it('counts a stream once when its state is replaced, and keeps none bigger than the bound', () => {
    const states = new StreamStates(10);
    for (let version = 0n; version < 9n; version++) states.set('a', { decider, version, lastEventId: 'e', state: version });
    states.set('b', { decider, version: 0n, lastEventId: 'e', state: 'b' });
    expect(states.get('a', decider)?.state).toBe(8n);
    expect(states.get('b', decider)?.state).toBe('b');

    states.set('huge', { decider, version: 10n, lastEventId: 'e', state: 'huge' });
    expect(states.get('huge', decider)).toBeUndefined();
    expect(states.size).toBe(2);
  });

  it('forgets a stream when told', () => {
    const states = new StreamStates(10);
    states.set('a', { decider, version: 8n, lastEventId: 'e', state: 'a' });
    states.forget('a');
    states.set('b', { decider, version: 9n, lastEventId: 'e', state: 'b' });

    expect(states.get('a', decider)).toBeUndefined();
    expect(states.get('b', decider)?.state).toBe('b');
  });
});
