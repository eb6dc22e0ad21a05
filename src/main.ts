import 'reflect-metadata';
import { createApp } from './http/create-app';
import { ConfigError, loadConfig } from './platform/app-config';
import { ArticleSeeder } from './seed/article-seeder';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`timeline: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp(config);
  app.enableShutdownHooks();
  if (config.seed === 'article') await app.get(ArticleSeeder).seedIfEmpty();
  await app.listen(config.port, config.host);
  process.stdout.write(`timeline: listening on http://${config.host}:${config.port} (data in ${config.dataDir}; OpenAPI at /docs)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`timeline: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
