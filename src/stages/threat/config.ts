/** Options of the `threat` stage. The only declaration of its config. */
import { z } from 'zod';
import { SignatureRule } from './rule-schema.js';

/** Config of the `threat` stage. */
export const ThreatConfig = z.strictObject({
  builtin_rules: z.boolean().default(true).meta({ description: 'Use the shipped signatures (rules/threat-signatures.yaml): SQL injection, XSS, path traversal, Log4Shell, Shellshock, command injection, scanner probes, attack tools.' }),
  rules_files: z.array(z.string().min(1)).default([]).meta({ description: 'Extra YAML files of signatures (`rules: [...]`, same shape as the shipped file); relative to the working directory.' }),
  rules: z.array(SignatureRule).default([]).meta({ description: 'Extra signatures inline: `{ id, severity, tags, fields, pattern }`.' }),
  disable: z.array(z.string()).default([]).meta({ description: 'Ids of signatures to switch off (e.g. a probe that is a real page on your site).' }),
  reputation_lists: z.array(z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'must be a short lower-case name' }).meta({ description: 'Name used in threat_rules (`list.<name>`).' }),
    file: z.string().min(1).meta({ description: 'Local file: one IP/CIDR per line (FireHOL .netset) or CSV with an ip/cidr column and an optional score column.' }),
    score: z.number().int().min(0).max(100).default(50).meta({ description: 'Score of a listed address when the file has no score column.' }),
  })).default([]).meta({
    description: 'IP reputation lists matched against the client address with a prefix tree (longest match); files replaced on disk are re-read.',
    examples: [[{ name: 'firehol1', file: '/var/lib/tributary/firehol_level1.netset' }]],
  }),
  reload_check_secs: z.number().int().min(0).default(60).meta({ description: 'How often reputation list files are checked for replacement; 0 disables.' }),
}).meta({ description: 'Matches attack signatures in request lines, agents and referers; adds threat_score, threat_tags and threat_rules.' });

/** A parsed {@link ThreatConfig}. */
export type ThreatConfig = z.infer<typeof ThreatConfig>;
