import { sql } from 'kysely';
import { Client } from 'pg';
import { openStorage } from '../../src/bootstrap/open-storage';
import { systemClock } from '../../src/platform/clock';
import { PeerSystem, SystemOptions } from './peer-system';
import { timelineSystem } from './timeline-system';

/** Timeline's PostgreSQL store: `openStorage` with `TIMELINE_EVENT_STORE=postgres`, one database per log. */
export async function open(options: SystemOptions): Promise<PeerSystem> {
  const log = await openStorage({ dataDir: options.dir, eventStore: 'postgres', databaseUrl: options.logUrl }, systemClock);
  const appends = await openStorage({ dataDir: options.dir, eventStore: 'postgres', databaseUrl: options.appendsUrl }, systemClock);
  return timelineSystem(log, appends, [], () => postgresFacts(options.appendsUrl), async (streamPrefix) => {
    const { rows } = await sql<{ n: string }>`SELECT count(DISTINCT xmin::text) AS n FROM events WHERE stream_id LIKE ${`${streamPrefix}%`}`.execute(appends.readModel.query);
    return Number(rows[0].n);
  });
}

/** The server's durability settings as a session on `url` sees them. */
export async function postgresFacts(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay') ORDER BY name",
    );
    return rows.map((row) => `${row.name}=${row.setting}`);
  } finally {
    await client.end();
  }
}
