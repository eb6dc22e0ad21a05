import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { READ_MODEL_DATABASE, ReadModelDatabase } from '../../database/read-model-database';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { instantText } from '../../domain/shared/time';
import { KeyedMutex } from '../../platform/async-mutex';
import { CLOCK, Clock } from '../../platform/clock';
import { IdempotencyKeyReusedError } from '../problem';
import { messageOf } from '../../platform/error-message';

export type StoredResponse = Readonly<{ status: number; body: unknown }>;

/** The request a key was first used with: method, path and canonical body. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalize({ method, path, body: body ?? null }) ?? '')
    .digest('hex');
}

/**
 * Durable `Idempotency-Key` records: the first response to a key is stored and served again for the
 * same request; the same key with another request is refused.
 *
 * The response is stored after the write commits. If the process dies in between (or the write
 * answered an error after committing), the retry runs the command again with the same derived ids,
 * and `handleCommand` finds its events already in the stream and answers the original result.
 * For the same reason a key that cannot be stored (a full disk) is logged, and the write still
 * answers its result: its events are durable.
 */
@Injectable()
export class IdempotencyStore {
  private readonly locks = new KeyedMutex();
  private readonly logger = new Logger('Idempotency');

  constructor(
    @Inject(READ_MODEL_DATABASE) private readonly db: ReadModelDatabase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Runs `execute` once per key; concurrent requests with one key run one after another. */
  async once(key: string, hash: string, execute: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed: boolean }> {
    return this.locks.run(key, async () => {
      const seen = await this.db.query
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status', 'response'])
        .where('key', '=', key)
        .executeTakeFirst();
      if (seen) {
        if (seen.request_hash !== hash) throw new IdempotencyKeyReusedError();
        return { status: seen.status, body: JSON.parse(seen.response), replayed: true };
      }
      const response = await execute();
      await this.remember(key, hash, response);
      return { ...response, replayed: false };
    });
  }

  private async remember(key: string, hash: string, response: StoredResponse): Promise<void> {
    try {
      await this.db.write((trx) =>
        trx
          .insertInto('idempotency_keys')
          .values({
            key,
            request_hash: hash,
            status: response.status,
            response: JSON.stringify(response.body),
            created_at: instantText(this.clock.now()),
          })
          .onConflict((conflict) => conflict.doNothing())
          .execute(),
      );
    } catch (error) {
      this.logger.warn(`the response to an Idempotency-Key was not stored (a retry runs the command again and finds its events): ${messageOf(error)}`);
    }
  }
}
