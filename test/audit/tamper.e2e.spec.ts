import { rmSync } from 'node:fs';
import { aManualClock } from '../support/builders';
import { startTestApp } from '../support/test-app';
import { runCli } from './support/cli';
import { writeHistory } from './support/history';
import { rawLog, tampering } from './support/raw-log';
import { tamperDetectionTests } from './support/tamper-scenarios';

describe('tampering with the SQLite log is detected', () => {
  tamperDetectionTests(async () => ({ env: {}, cleanup: async () => undefined }));

  it('is detected by `npm run cli -- verify` too, with no server running (and `cli -- replay` works there)', async () => {
    const clock = aManualClock();
    const app = await startTestApp({ clock, keepData: true });
    const dataDir = app.config.dataDir;
    await writeHistory(app, clock);
    await app.close();
    const clean = runCli('timeline', ['verify'], { TIMELINE_DATA_DIR: dataDir });
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual(expect.objectContaining({ ok: true, treeSize: 8 }));
    const replay = runCli('timeline', ['replay', '--asOf', '2025-03-06', '--topic', 'vestby-harbour'], { TIMELINE_DATA_DIR: dataDir });
    expect(replay.status).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual(expect.objectContaining({ position: 8, matchesReadModel: true, items: [expect.objectContaining({ id: 'vestby-oil-spill' })] }));

    const raw = await rawLog(app.config);
    await tampering.edit(raw, 6);
    await raw.close();
    const tampered = runCli('timeline', ['verify'], { TIMELINE_DATA_DIR: dataDir });
    expect(tampered.status).toBe(1);
    expect(JSON.parse(tampered.stdout).firstMismatch).toEqual(expect.objectContaining({ position: 6, reason: 'leaf-hash' }));
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});
