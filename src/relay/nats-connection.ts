import { ConnectionOptions, NatsConnection, connect } from 'nats';
import { ConfigError } from '../platform/app-config';

const CONNECT_TIMEOUT_MS = 5000;

/**
 * A connection that has answered once, and then reconnects for ever (a relay waits out an outage
 * and resumes); otherwise a one-line {@link ConfigError} naming TIMELINE_NATS_URL.
 */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  const servers = natsServers(url);
  try {
    return await connect({
      ...servers,
      name,
      timeout: CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
  } catch (error) {
    throw new ConfigError('TIMELINE_NATS_URL', `cannot reach NATS: ${error instanceof Error ? error.message || error.name : String(error)}`);
  }
}

/**
 * `nats://[user:password@|token@]host:port[,nats://host:port...]`: the servers, and credentials
 * taken out of the URL (the client does not read them there).
 */
export function natsServers(url: string): Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token'> {
  const servers: string[] = [];
  let credentials: Pick<ConnectionOptions, 'user' | 'pass' | 'token'> = {};
  for (const server of url.split(',').map((part) => part.trim()).filter(Boolean)) {
    const parsed = /^(nats:\/\/)(?:([^@/]*)@)?(.+)$/i.exec(server);
    if (!parsed) throw new ConfigError('TIMELINE_NATS_URL', 'each server must be nats://host:port');
    const [, scheme, userInfo, hostPort] = parsed;
    servers.push(`${scheme}${hostPort}`);
    if (userInfo) {
      const [user, pass] = userInfo.split(':').map(decodeURIComponent);
      credentials = pass === undefined ? { token: user } : { user, pass };
    }
  }
  return { servers, ...credentials };
}
