/**
 * Parse throughput per format on ONE core: generates ~200k realistic lines in memory (seeded,
 * deterministic) for apache_combined, nginx_main and a compiled Apache LogFormat, parses them and
 * prints lines/s. Run: `node --import tsx bench/parse-bench.ts [lines]`.
 */
import { apacheCombined } from '../src/formats/apache/apache-formats.js';
import { nginxMain } from '../src/formats/nginx/nginx-formats.js';
import { compileApacheLogFormat } from '../src/formats/apache/apache-log-format.js';
import { createAutoFormat } from '../src/formats/auto-format.js';
import type { LineFormat } from '../src/formats/format.js';

const N = Number(process.argv[2] ?? 200_000);
let seed = 42;
const rnd = (): number => { seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff; return seed / 0x7fffffff; };
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.97',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const PATHS = ['/', '/index.html', '/api/v1/orders', '/static/app.3f9a1c.js', '/images/logo.png', '/search', '/login'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ip = (): string => (rnd() < 0.1 ? `2001:db8::${Math.floor(rnd() * 65535).toString(16)}` : `${10 + Math.floor(rnd() * 200)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`);
const p2 = (n: number): string => String(n).padStart(2, '0');
let t = Date.UTC(2024, 0, 2, 0, 0, 0);
const clf = (): string => { t += Math.floor(rnd() * 200); const d = new Date(t); return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0100`; };
const req = (): string => `${pick(['GET', 'GET', 'GET', 'POST', 'HEAD'])} ${pick(PATHS)}${rnd() < 0.3 ? `?q=${Math.floor(rnd() * 1e6)}&page=${Math.floor(rnd() * 9)}` : ''} HTTP/1.1`;
const ref = (): string => (rnd() < 0.4 ? '-' : `https://www.example.com${pick(PATHS)}`);
const status = (): number => pick([200, 200, 200, 200, 304, 301, 404, 500]);

const gen: Record<string, () => string> = {
  apache_combined: () => `${ip()} - - [${clf()}] "${req()}" ${status()} ${Math.floor(rnd() * 50000)} "${ref()}" "${pick(UAS)}"`,
  nginx_main: () => `${ip()} - - [${clf()}] "${req()}" ${status()} ${Math.floor(rnd() * 50000)} "${ref()}" "${pick(UAS)}" "-" rt=0.${Math.floor(rnd() * 999)} uct="0.001" uht="0.002" urt="0.00${Math.floor(rnd() * 9)}"`,
  log_format: () => `${ip()} - - [${clf()}] "${req()}" ${status()} ${Math.floor(rnd() * 50000)} ${Math.floor(rnd() * 900000)} "${ref()}" "${pick(UAS)}" www.example.com:443`,
};
const custom = compileApacheLogFormat('%h %l %u %t "%r" %>s %b %D "%{Referer}i" "%{User-Agent}i" %v:%p', 'log_format:bench');
const runs: [string, LineFormat, string][] = [
  ['apache_combined', apacheCombined, 'apache_combined'],
  ['nginx_main', nginxMain, 'nginx_main'],
  ['log_format (%h %l %u %t "%r" %>s %b %D ... %v:%p)', custom, 'log_format'],
  ['auto (on combined lines)', createAutoFormat(), 'apache_combined'],
];

console.log(`node ${process.version}, ${N} lines per format, one thread`);
for (const [label, format, kind] of runs) {
  const lines = Array.from({ length: N }, gen[kind]!);
  const bytes = lines.reduce((s, l) => s + l.length + 1, 0);
  let ok = 0;
  for (let i = 0; i < Math.min(20_000, N); i++) if (format.parse(lines[i]!).ok) ok++; // warm-up
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    ok = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) if (format.parse(lines[i]!).ok) ok++;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (ok !== N) console.error(`  ${label}: only ${ok}/${N} lines parsed`);
  console.log(`${label.padEnd(52)} ${Math.round(N / best).toLocaleString('en-US').padStart(10)} lines/s  ${(bytes / best / 1e6).toFixed(0).padStart(4)} MB/s  (avg ${Math.round(bytes / N)} B/line)`);
}
