/** Options of the `threat` stage. The only declaration of its config. */
import { z } from 'zod';
import { SignatureRule } from './rule-schema.js';

/** Config of the `threat` stage. */
export const ThreatConfig = z.strictObject({
  builtin_rules: z.boolean().default(true).meta({ description: 'Use the shipped signatures (rules/threat-signatures.yaml): SQL injection, XSS, path traversal, Log4Shell, Shellshock, command injection, scanner probes, attack tools.' }),
  rules_files: z.array(z.string().min(1)).default([]).meta({ description: 'Extra YAML files of signatures (`rules: [...]`, same shape as the shipped file); relative to the working directory.' }),
  rules: z.array(SignatureRule).default([]).meta({ description: 'Extra signatures inline: `{ id, severity, tags, fields, pattern }`.' }),
  disable: z.array(z.string()).default([]).meta({ description: 'Ids of signatures to switch off (e.g. a probe that is a real page on your site).' }),
}).meta({ description: 'Matches attack signatures in request lines, agents and referers; adds threat_score, threat_tags and threat_rules.' });

/** A parsed {@link ThreatConfig}. */
export type ThreatConfig = z.infer<typeof ThreatConfig>;
