import { Inject, Injectable } from '@nestjs/common';
import { sourceStreamId } from '../domain/source/source.events';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';

/** Which sources are registered, read from their streams for the commands that name them (the decider reads no store). */
@Injectable()
export class RegisteredSources {
  /**
   * Sources found registered: a source stays registered (no event takes it back), so each is read
   * once, not once a command (its stream grows with every rating). One not found is read again.
   */
  private readonly registered = new Set<string>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The registered ones among `ids`, each once. */
  async among(ids: readonly (string | undefined)[]): Promise<string[]> {
    const named = [...new Set(ids.filter((id): id is string => id !== undefined))];
    const found = await Promise.all(named.map(async (id) => ((await this.isRegistered(id)) ? id : undefined)));
    return found.filter((id): id is string => id !== undefined);
  }

  private async isRegistered(id: string): Promise<boolean> {
    if (this.registered.has(id)) return true;
    if ((await this.store.readStream(sourceStreamId(id))).length === 0) return false;
    this.registered.add(id);
    return true;
  }
}
