import { join } from 'node:path';
import { SQLITE_FILE, openStorage } from '../../src/bootstrap/open-storage';
import { openConnection } from '../../src/database/sqlite-database';
import { systemClock } from '../../src/platform/clock';
import { PeerSystem, SystemOptions } from './peer-system';
import { timelineSystem } from './timeline-system';

/** Timeline's embedded store: `openStorage` with `TIMELINE_EVENT_STORE=sqlite`, one data directory per log. */
export async function open(options: SystemOptions): Promise<PeerSystem> {
  const logDir = join(options.dir, 'log');
  const appendsDir = join(options.dir, 'appends');
  const log = await openStorage({ dataDir: logDir, eventStore: 'sqlite' }, systemClock);
  const appends = await openStorage({ dataDir: appendsDir, eventStore: 'sqlite' }, systemClock);
  return timelineSystem(log, appends, [logDir, appendsDir], async () => {
    // A connection opened the way the store opens each of its own.
    const db = openConnection(join(appendsDir, SQLITE_FILE));
    try {
      return [
        `journal_mode=${String(db.pragma('journal_mode', { simple: true }))}`,
        `synchronous=${String(db.pragma('synchronous', { simple: true }))} (2 = FULL)`,
        `busy_timeout=${String(db.pragma('busy_timeout', { simple: true }))} ms`,
      ];
    } finally {
      db.close();
    }
  });
}
