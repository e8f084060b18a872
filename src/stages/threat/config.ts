/** Options of the `threat` stage. The only declaration of its config. */
import { z } from 'zod';
import { secretRef } from '../../config/schema/secret-ref.js';
import { durationSecs } from './duration.js';
import { listUrlProblem } from './list-url.js';
import { SignatureRule } from './rule-schema.js';

/** Header names the downloader sets itself (conditional requests, framing); `headers` may not set them. */
const RESERVED_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'accept-encoding', 'if-none-match', 'if-modified-since']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const MIB = 1024 * 1024;

/** One entry of `reputation_lists`: a local `file`, or a `url` downloaded on the main thread and cached. */
export const ReputationListConfig = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'must be a short lower-case name' }).meta({ description: 'Name used in threat_rules (`list.<name>`) and for the cached copy of a `url` list.' }),
  file: z.string().min(1).optional().meta({ description: 'Local file: one IP/CIDR per line (FireHOL .netset) or CSV with an ip/cidr column and an optional score column; relative to the working directory. Set `file` or `url`, not both.' }),
  url: z.string().min(1).optional().meta({
    description: 'Download the list from this https:// URL (same formats as `file`), cached as `<data_dir>/threat/<stage id>/<name>.list` and refreshed every `refresh`. Set `file` or `url`, not both.',
    examples: ['https://iplists.firehol.org/files/firehol_level1.netset'],
  }),
  score: z.number().int().min(0).max(100).default(50).meta({ description: 'Score of a listed address when the list has no score column.' }),
  refresh: durationSecs({ min: 1, max: 30 * 86_400 }).prefault('6h').meta({ description: '`url` lists: how old the cached copy may get before it is downloaded again (seconds, or `30m`, `6h`, `1d`); watch mode refreshes on this schedule.' }),
  timeout_secs: z.number().int().min(1).max(3600).default(60).meta({ description: '`url` lists: time limit of one download (connect, redirects and body).' }),
  max_bytes: z.number().int().min(1).max(1024 * MIB).default(64 * MIB).meta({ description: '`url` lists: largest list accepted (bytes after decompression); a larger download is refused while streaming and the cached copy kept.' }),
  headers: z.record(z.string(), secretRef({
    description: 'Header value: a secret reference, alone or in a template such as `Bearer ${secret:NAME}`.',
  })).optional().meta({
    description: '`url` lists: request headers for feeds that need an API token, e.g. `{ Authorization: "Bearer ${secret:feed_token}" }`. Every value must be a `${secret:NAME}` reference (or a template holding one); values are never logged and never sent to another host on a redirect.',
  }),
  allow_insecure_http: z.boolean().default(false).meta({ description: '`url` lists: accept a plain http:// URL to another host (e.g. a mirror on a trusted network). Off by default: a list altered in transit changes who is flagged. http:// to this host (localhost) is always accepted; `headers` are never sent over plain http to another host.' }),
}).superRefine((l, ctx) => {
  if (l.file !== undefined && l.url !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'set exactly one of `file` or `url`, not both' });
  if (l.file === undefined && l.url === undefined) ctx.addIssue({ code: 'custom', path: ['file'], message: 'set `file` (a local list) or `url` (a list downloaded on a schedule)' });
  if (l.url === undefined && l.headers !== undefined) ctx.addIssue({ code: 'custom', path: ['headers'], message: '`headers` applies to `url` lists only' });
  if (l.url !== undefined) {
    const problem = listUrlProblem(l.url, { allowInsecureHttp: l.allow_insecure_http, withHeaders: Object.keys(l.headers ?? {}).length > 0 });
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: `the URL ${problem}` });
  }
  for (const name of Object.keys(l.headers ?? {})) {
    if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: ['headers', name], message: `\`${name}\` is not an HTTP header name` });
    else if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['headers', name], message: `header \`${name}\` is set by the downloader itself` });
  }
});

/** A parsed {@link ReputationListConfig}. */
export type ReputationListConfig = z.infer<typeof ReputationListConfig>;

/** Config of the `threat` stage. */
export const ThreatConfig = z.strictObject({
  builtin_rules: z.boolean().default(true).meta({ description: 'Use the shipped signatures (rules/threat-signatures.yaml): SQL injection, XSS, path traversal, Log4Shell, Shellshock, command injection, scanner probes, attack tools.' }),
  rules_files: z.array(z.string().min(1)).default([]).meta({ description: 'Extra YAML files of signatures (`rules: [...]`, same shape as the shipped file); relative to the working directory.' }),
  rules: z.array(SignatureRule).default([]).meta({ description: 'Extra signatures inline: `{ id, severity, tags, fields, pattern }`.' }),
  disable: z.array(z.string()).default([]).meta({ description: 'Ids of signatures to switch off (e.g. a probe that is a real page on your site).' }),
  reputation_lists: z.array(ReputationListConfig).superRefine((lists, ctx) => {
    lists.forEach((l, i) => {
      if (lists.findIndex((o) => o.name === l.name) < i) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `list name \`${l.name}\` is used twice` });
    });
  }).prefault([]).meta({
    // No `examples`: JSON Schema drops them (and plain defaults) on the input side of a transforming schema.
    description: 'IP reputation lists matched against the client address with a prefix tree (longest match): local files, or URLs downloaded on the main thread and refreshed on a schedule; lists replaced on disk are re-read. E.g. `[{ name: firehol1, url: "https://iplists.firehol.org/files/firehol_level1.netset", refresh: 6h }, { name: own, file: blocklist.csv }]`.',
  }),
  reload_check_secs: z.number().int().min(0).default(60).meta({ description: 'How often the workers check reputation list files (local or downloaded copies) for replacement; 0 disables.' }),
}).meta({ description: 'Matches attack signatures in request lines, agents and referers; adds threat_score, threat_tags and threat_rules.' });

/** A parsed {@link ThreatConfig}. */
export type ThreatConfig = z.infer<typeof ThreatConfig>;
