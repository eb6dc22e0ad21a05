import 'reflect-metadata';
import { createAppContext } from '../bootstrap/cli-context';
import { ConfigError, loadConfig } from '../platform/app-config';
import { systemClock } from '../platform/clock';
import { ArticleSeeder } from './article-seeder';
import { messageOf } from '../platform/error-message';

/** `npm run seed`: loads the article's timeline into the configured store; safe to run again. */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, TIMELINE_SEED: 'none' });
  const app = await createAppContext(config, systemClock);
  try {
    const report = await app.get(ArticleSeeder).seed();
    process.stdout.write(
      `timeline seed: ${report.sources} sources, ${report.developments} developments, ${report.claims} further claims, ${report.revisions} revisions added; ${report.skipped} already stored (${config.dataDir})\n`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  const prefix = error instanceof ConfigError ? 'configuration error' : 'seed failed';
  process.stderr.write(`timeline seed: ${prefix}: ${messageOf(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
