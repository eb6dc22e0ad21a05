import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..', '..');

/** What `npm run cli -- <args>` / `npm run verify-export -- <args>` run, without npm's own output. */
export function runCli(script: 'timeline' | 'verify-export', args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', `src/cli/${script}.cli.ts`, ...args], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
