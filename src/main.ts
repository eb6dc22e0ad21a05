import 'reflect-metadata';
import { createApp } from './bootstrap/create-app';
import { AppConfig, ConfigError, loadConfig } from './platform/app-config';
import { ArticleSeeder } from './seed/article-seeder';
import { messageOf } from './platform/error-message';

const where = (config: AppConfig) => (config.eventStore === 'sqlite' ? `data in ${config.dataDir}` : `${config.eventStore} event store`);

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  app.enableShutdownHooks();
  if (config.seed === 'article') await app.get(ArticleSeeder).seedIfEmpty();
  await app.listen(config.port, config.host);
  process.stdout.write(`timeline: listening on http://${config.host}:${config.port} (${where(config)}; OpenAPI at /docs)\n`);
}

/** Any failure to start is one line on stderr: a wrong setting names the setting. */
main().catch((error: unknown) => {
  const message = messageOf(error);
  if (error instanceof ConfigError) {
    process.stderr.write(`timeline: configuration error: ${message}\n`);
    process.exit(2);
  }
  process.stderr.write(`timeline: failed to start: ${message}\n`);
  process.exit(1);
});
