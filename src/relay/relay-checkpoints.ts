import { ReadModelDatabase } from '../database/read-model-database';

/** `relay_checkpoints` (migration 0004); declared here so the read models' schema stays theirs. */
type RelayCheckpointTable = {
  relay_checkpoints: { relay: string; position: number | string | bigint; updated_at: string };
};

/** A relay's durable checkpoint: the position of the last event the broker acknowledged. */
export class RelayCheckpoints {
  constructor(
    private readonly db: ReadModelDatabase,
    readonly relay: string,
  ) {}

  /** 0n before the first save. */
  async load(): Promise<bigint> {
    const row = await this.db.query
      .withTables<RelayCheckpointTable>()
      .selectFrom('relay_checkpoints')
      .select('position')
      .where('relay', '=', this.relay)
      .executeTakeFirst();
    return row ? BigInt(row.position) : 0n;
  }

  /** Never moves the checkpoint back, whoever saved last. */
  async save(position: bigint, atMs: number): Promise<void> {
    await this.db.write((trx) =>
      trx
        .withTables<RelayCheckpointTable>()
        .insertInto('relay_checkpoints')
        .values({ relay: this.relay, position: position.toString(), updated_at: new Date(atMs).toISOString() })
        .onConflict((conflict) =>
          conflict
            .column('relay')
            .doUpdateSet((eb) => ({ position: eb.ref('excluded.position'), updated_at: eb.ref('excluded.updated_at') }))
            .where('relay_checkpoints.position', '<', position.toString()),
        )
        .execute(),
    );
  }
}
