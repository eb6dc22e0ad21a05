import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyExport } from '../audit/export-verifier';
import { fileLines } from '../audit/ndjson-file';
import { parseTreeHead } from '../audit/tree-head';
import { messageOf } from '../platform/error-message';

const USAGE = `usage: npm run verify-export -- FILE [--head SAVED_HEAD.json] [--public-key BASE64]
  Checks an export with no server and no database: the tree head's Ed25519 signature, every leaf hash,
  the Merkle root; with --head, that the log behind a tree head saved earlier is a prefix of this one;
  with --public-key, that the heads are signed with that key (base64 SPKI DER, as served in publicKey).
Exit codes: 0 verified, 1 not verified, 2 usage error.`;

/** `npm run verify-export`: the standalone verifier; imports nothing that opens a database. */
async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { head: { type: 'string' }, 'public-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [file] = positionals;
  if (values.help || !file || positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let savedHead;
  if (values.head) {
    savedHead = parseTreeHead(JSON.parse(readFileSync(values.head, 'utf8')));
    if (!savedHead) {
      process.stderr.write(`verify-export: ${values.head} is not a tree head {treeSize, rootHash, timestamp, ...}\n`);
      return 2;
    }
  }
  const report = await verifyExport(fileLines(file), { savedHead, trustedPublicKey: values['public-key'] });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify-export: ${messageOf(error)}\n`);
    process.exit(2);
  },
);
