import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aClaim, aDevelopment, aSource, created, expectProblem, headPosition } from '../support/builders';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/test-app';

/** A small tmpfs to fill, where the machine lets us mount one (root); CI must run this. */
function mountSmallDisk(): { dir: string } | { skipped: string } {
  const dir = mkdtempSync(join(tmpdir(), 'timeline-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const reason = `cannot mount a tmpfs here (${String((error as { stderr?: unknown }).stderr ?? error).trim()})`;
    if (process.env.CI === 'true') throw new Error(`the full-disk test must run under CI: ${reason}`);
    return { skipped: reason };
  }
}

/** Writes until the disk refuses another byte; leaves `spare` bytes free. */
function fill(file: string, spare: number): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9, 1]) {
      try {
        for (;;) writeSync(fd, Buffer.alloc(size));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  execFileSync('truncate', ['-s', `-${spare}`, file]);
}

const disk = mountSmallDisk();
if ('skipped' in disk) process.stdout.write(`full-disk.e2e: skipped: ${disk.skipped}\n`);

(('dir' in disk) ? describe : describe.skip)('a full disk under the embedded store (tmpfs)', () => {
  const root = 'dir' in disk ? disk.dir : '';
  const filler = join(root, 'filler');
  let t: TestApp;

  beforeAll(async () => {
    mkdirSync(join(root, 'data'));
    t = await startTestApp({ dataDir: join(root, 'data'), env: { TIMELINE_EVENT_STORE: 'sqlite', TIMELINE_PROJECTION_WAIT_MS: '2000' } });
    created(await t.post('/v1/sources', aSource()));
    created(await t.post('/v1/developments', aDevelopment()));
  });

  afterAll(async () => {
    await t?.close();
    execFileSync('umount', [root]);
    rmSync(root, { recursive: true, force: true });
  });

  type Projections = { head: number; projections: { state: string; checkpoint: number }[] };
  const projections = async (): Promise<Projections> => (await t.get('/v1/projections')).body;
  /** Rounds in which a stored write found its projections unable to write (the 503 case). */
  const behindRounds: number[] = [];

  // Each round leaves another amount of space, so the space runs out at another step of a write.
  it.each([0, 16, 40, 64, 200])(
    'answers 507 with nothing stored once space runs out, 201 for every write it stored, and catches up by itself when space returns (%i KiB left)',
    async (spareKiB) => {
      fill(filler, spareKiB * 1024);
      const answers: number[] = [];
      for (let i = 0; i < 200 && !answers.includes(507); i++) {
        const before = await headPosition(t);
        const claim = aClaim({ stance: 'confirms', reportedAt: '2025-03-06', quote: `${i} `.padEnd(8000, 'x') });
        const response = await t.post('/v1/developments/vestby-oil-spill/claims', claim);
        answers.push(response.status);
        if (response.status === 201) {
          expect(await headPosition(t)).toBe(response.body.position);
          if (response.body.readModelBehind) behindRounds.push(spareKiB);
        } else {
          expectProblem(response, 507);
          expect(await headPosition(t)).toBe(before);
        }
      }
      expect(answers.at(-1)).toBe(507);
      expect(answers.filter((status) => status !== 201 && status !== 507)).toEqual([]);
      if (behindRounds.includes(spareKiB)) expect((await projections()).projections.map((p) => p.state)).toContain('retrying');

      rmSync(filler);

      const head = await headPosition(t);
      await eventually(projections, (p) => p.projections.every((x) => x.state === 'running' && x.checkpoint === head), 'caught up after space returned');
      const after = await t.post('/v1/developments/vestby-oil-spill/claims', aClaim({ stance: 'confirms', reportedAt: '2025-03-07' }));
      expect(created(after)).toEqual(expect.not.objectContaining({ readModelBehind: expect.anything() }));
      expect((await t.get('/v1/audit/verify')).body).toEqual(expect.objectContaining({ ok: true, treeSize: head + 1 }));
    },
    120_000,
  );

  it('met, in some round, a write stored while its projections could not write, and answered it 201', () => {
    expect(behindRounds.length).toBeGreaterThan(0);
  });
});
