import { Client } from 'pg';

/** A fresh database per PostgreSQL system and log: nothing of one system (tables, functions, locks) meets another's. */
export type PeerDatabases = Readonly<{
  /** Database name → its URL. */
  urls: ReadonlyMap<string, string>;
  /** Drops them all (WITH (FORCE): connections a killed worker left are ended); safe to call twice. */
  drop(): Promise<void>;
}>;

async function admin<T>(baseUrl: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL of database `name` on the server of `baseUrl`. */
export function databaseUrl(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createPeerDatabases(baseUrl: string, names: readonly string[]): Promise<PeerDatabases> {
  const created: string[] = [];
  let dropping: Promise<void> | undefined;
  const drop = () =>
    (dropping ??= admin(baseUrl, async (client) => {
      for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }));
  try {
    await admin(baseUrl, async (client) => {
      for (const name of names) {
        await client.query(`CREATE DATABASE ${name}`);
        created.push(name);
      }
    });
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { urls: new Map(names.map((name) => [name, databaseUrl(baseUrl, name)])), drop };
}
