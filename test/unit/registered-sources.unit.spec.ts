import { RegisteredSources } from '../../src/application/registered-sources';
import { sourceStreamId } from '../../src/domain/source/source.events';
import { EventStore, StoredEvent } from '../../src/event-store/event-store.port';

/** A store holding the streams of the sources in `registered` (one event each), counting reads. */
function aStoreOfSources(registered: Set<string>) {
  const readStream = jest.fn(async (streamId: string) => ([...registered].some((id) => sourceStreamId(id) === streamId) ? [{ streamId } as unknown as StoredEvent] : []));
  return { store: { readStream } as unknown as EventStore, readStream };
}

describe('registered sources', () => {
  it('read a source found registered once (its stream grows with each rating), and one not found again each time', async () => {
    const registered = new Set(['reuters']);
    const { store, readStream } = aStoreOfSources(registered);
    const sources = new RegisteredSources(store);

    expect(await sources.among(['reuters', 'tass', undefined, 'reuters'])).toEqual(['reuters']);
    expect(readStream.mock.calls.map(([streamId]) => streamId)).toEqual([sourceStreamId('reuters'), sourceStreamId('tass')]);

    registered.add('tass');
    readStream.mockClear();
    expect(await sources.among(['tass', 'reuters'])).toEqual(['tass', 'reuters']);
    expect(readStream.mock.calls.map(([streamId]) => streamId)).toEqual([sourceStreamId('tass')]);

    readStream.mockClear();
    expect(await sources.among(['reuters', 'tass'])).toEqual(['reuters', 'tass']);
    expect(readStream).not.toHaveBeenCalled();
  });
});
