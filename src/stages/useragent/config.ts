/** Options of the `useragent` stage. The only declaration of its config. */
import { z } from 'zod';

/** Config of the `useragent` stage. */
export const UserAgentConfig = z.strictObject({
  cache_size: z.number().int().min(0).max(1_000_000).default(20_000)
    .meta({ description: 'Distinct user-agent strings whose parse is cached per worker (repeated agents cost nothing); 0 disables.' }),
  bots: z.array(z.strictObject({
    pattern: z.string().min(1).refine((p) => { try { new RegExp(p, 'i'); return true; } catch { return false; } }, { message: 'must be a valid regular expression' })
      .meta({ description: 'Case-insensitive regular expression matched against the user agent.' }),
    name: z.string().min(1).max(100).meta({ description: 'Bot name written to `bot_name`.' }),
  })).default([]).meta({
    description: 'Extra bots: an agent matching `pattern` is a bot named `name` (checked before the built-in list and isbot).',
    examples: [[{ pattern: 'acme-monitor', name: 'ACME uptime monitor' }]],
  }),
}).meta({ description: 'Parses the user agent (ua-parser-js 1.x) into browser, OS and device columns and detects bots (isbot + named list).' });

/** A parsed {@link UserAgentConfig}. */
export type UserAgentConfig = z.infer<typeof UserAgentConfig>;
