// `npm run bench` runs every benchmark in turn (scale last: it loads millions of rows);
// `npm run bench -- pages` (or smtp, folder, scale) runs one. Options: --messages N (scale).
import { parseArgs } from 'node:util';
import { folder } from './folder.ts';
import { machine } from './lib.ts';
import { pages } from './pages.ts';
import { scale } from './scale.ts';
import { smtp } from './smtp.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { messages: { type: 'string' } },
});
const messages = values.messages === undefined ? undefined : Number(values.messages);
const benchmarks: Record<string, () => Promise<void>> = {
  pages,
  smtp,
  folder,
  scale: () => scale({ messages }),
};
const chosen = positionals.length > 0 ? positionals : Object.keys(benchmarks);
const unknown = chosen.filter((name) => !(name in benchmarks));
if (unknown.length > 0 || (messages !== undefined && !(Number.isInteger(messages) && messages > 0))) {
  console.error(`usage: npm run bench -- [${Object.keys(benchmarks).join(' | ')}]... [--messages N]`);
  process.exit(2);
}

console.log(await machine());
for (const name of chosen) {
  const started = Date.now();
  await benchmarks[name]!();
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
