/** Options of the `sessions` stage. The only declaration of its config. */
import { z } from 'zod';
import { trustedProxiesOption } from '../geoip/client-address.js';
import { DEFAULT_VISITOR_KEY } from './visitor-id.js';

/** Static-asset extensions that are not page views by default. */
export const DEFAULT_ASSET_EXTENSIONS: readonly string[] = Object.freeze([
  'css', 'js', 'mjs', 'map', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'woff', 'woff2', 'ttf', 'otf', 'eot',
  'mp4', 'webm', 'mp3', 'ogg', 'wav', 'pdf', 'zip', 'gz', 'json', 'xml', 'txt',
]);

/** Config of the `sessions` stage. */
export const SessionsConfig = z.strictObject({
  timeout_minutes: z.number().positive().max(24 * 60).default(30)
    .meta({ description: 'A visitor\'s session ends after this many minutes without a request; the next request opens a new one.' }),
  visitor_key: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/).default(DEFAULT_VISITOR_KEY)
    .meta({ description: 'Vault data key (kind `hmac`, created on first use) the daily visitor salts derive from.' }),
  trusted_proxies: trustedProxiesOption(),
  asset_extensions: z.array(z.string().regex(/^[a-z0-9]{1,10}$/)).default([...DEFAULT_ASSET_EXTENSIONS])
    .meta({ description: 'Path extensions that are assets, not page views (`is_page` false): they extend a session but do not count as pages.' }),
  max_visitors: z.number().int().min(1000).max(50_000_000).default(1_000_000)
    .meta({ description: 'Open sessions kept in memory (and in the committed state) at most; beyond it the least recently active visitor\'s session is closed early (counted as `evicted`).' }),
}).meta({ description: 'Visitor ids (daily-salted keyed hash of IP + agent, never the IP) and sessions: session_id and session_seq per request, 30 minutes of inactivity ending a session, correct across batches, files and restarts.' });

/** A parsed {@link SessionsConfig}. */
export type SessionsConfig = z.infer<typeof SessionsConfig>;
