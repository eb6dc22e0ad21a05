import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * The workbench page's bundle (`npm run build`, after nest build): src/web/main.tsx and everything it
 * imports (preact, openapi-fetch, uPlot and their CSS) into one script and one stylesheet, next to
 * index.html. Build tooling, outside src/: esbuild is a dev dependency the server image does not ship.
 */

const ROOT = resolve(__dirname, '..');
const SOURCES = join(ROOT, 'src', 'web');
/** Where the server looks by default (DEFAULT_WEB_DIR in src/http/web-page.ts). */
export const WEB_OUT_DIR = join(ROOT, 'dist', 'web');

export async function buildWeb(outDir: string = WEB_OUT_DIR, options: { minify?: boolean } = {}): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  await build({
    entryPoints: { app: join(SOURCES, 'main.tsx') },
    outdir: join(outDir, 'assets'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: options.minify ?? true,
    sourcemap: true,
    tsconfig: join(SOURCES, 'tsconfig.json'),
    logLevel: 'warning',
    legalComments: 'linked',
  });
  copyFileSync(join(SOURCES, 'index.html'), join(outDir, 'index.html'));
}

if (require.main === module) {
  buildWeb(process.argv[2] ? resolve(process.argv[2]) : WEB_OUT_DIR).catch((error: unknown) => {
    process.stderr.write(`build-web: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
