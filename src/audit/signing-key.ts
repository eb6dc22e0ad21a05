import { KeyObject, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, ConfigError } from '../platform/app-config';

/** Where the generated key lives in the data directory (PKCS #8 PEM, mode 0600). */
export const SIGNING_KEY_FILE = 'audit-ed25519.pem';

/**
 * The Ed25519 key that signs tree heads: from TIMELINE_SIGNING_KEY_FILE when set, else the one in
 * the data directory, generated there on first start. WARNING: with PostgreSQL or KurrentDB the
 * key still lives on this machine's disk; instances sharing a database should share the key file.
 */
export function loadSigningKey(config: Pick<AppConfig, 'dataDir' | 'signingKeyFile'>): KeyObject {
  if (config.signingKeyFile) return readKey(config.signingKeyFile, 'TIMELINE_SIGNING_KEY_FILE');
  const file = join(config.dataDir, SIGNING_KEY_FILE);
  if (existsSync(file)) return readKey(file, 'TIMELINE_DATA_DIR');
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    mkdirSync(config.dataDir, { recursive: true });
    // 'wx': another instance that won the race keeps its key, and we read that one.
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') {
      throw new ConfigError('TIMELINE_DATA_DIR', `cannot write the signing key ${file}: ${(error as Error).message}`);
    }
  }
  return readKey(file, 'TIMELINE_DATA_DIR');
}

function readKey(file: string, setting: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(setting, `cannot read the signing key ${file}: ${(error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new ConfigError(setting, `${file} is not a PEM private key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError(setting, `${file} is a ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}
