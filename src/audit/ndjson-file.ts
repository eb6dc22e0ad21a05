import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The lines of a file, streamed (an export can be larger than memory); blank lines are skipped. */
export async function* fileLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield line;
}
