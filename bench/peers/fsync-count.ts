import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Why fsyncs cannot be counted here, or undefined when strace can attach to this process. */
export function straceUnavailable(): string | undefined {
  const probe = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  if (probe.error) return `strace is not installed (${probe.error.message}); apt-get install strace to count fsyncs`;
  return undefined;
}

/**
 * fsync and fdatasync calls made by every thread of this process while `run` runs, counted by
 * file (strace -f -y attached to this process: ptrace, so slow; never around a timed run).
 */
export async function countFsyncs(dir: string, label: string, run: () => Promise<void>): Promise<Map<string, number>> {
  const out = join(dir, `strace-${label}.txt`);
  const strace = spawn('strace', ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', out, '-p', String(process.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  strace.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => strace.on('exit', (code) => resolve(code)));
  // strace says nothing once attached (-qq): give it time to attach to every thread.
  const early = await Promise.race([exited, new Promise<'attached'>((resolve) => setTimeout(() => resolve('attached'), 1500))]);
  if (early !== 'attached') throw new Error(`strace could not attach (exit ${String(early)}): ${stderr.trim()}`);
  try {
    await run();
  } finally {
    strace.kill('SIGINT');
    await exited;
  }
  const counts = new Map<string, number>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    // `1234 fdatasync(12</dir/file-wal>) = 0`, or `... <unfinished ...>` when another thread's call interleaves.
    const match = /\b(?:fsync|fdatasync)\(\d+<([^>]*)>/.exec(line);
    if (match) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  rmSync(out, { force: true });
  return counts;
}
