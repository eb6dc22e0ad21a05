import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { API_TYPES_PATH, apiTypesText, openApiDocumentOfFreshApp } from './api-types';

/** `npm run api-types`: writes the web page's API types from the document the server serves. */
async function main(): Promise<void> {
  const text = await apiTypesText(await openApiDocumentOfFreshApp());
  mkdirSync(dirname(API_TYPES_PATH), { recursive: true });
  writeFileSync(API_TYPES_PATH, text);
  process.stdout.write(`api-types: wrote ${API_TYPES_PATH}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`api-types: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
