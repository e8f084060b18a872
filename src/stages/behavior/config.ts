/** Options of the `behavior` stage. The only declaration of its config. */
import { z } from 'zod';
import { trustedProxiesOption } from '../geoip/client-address.js';

const severity = z.enum(['low', 'medium', 'high', 'critical']);

/** A sliding-window rule: at least `threshold` matching requests from one client within `window_secs`. */
const windowRule = (threshold: number, windowSecs: number, sev: 'low' | 'medium' | 'high' | 'critical', what: string) => z.strictObject({
  threshold: z.number().int().min(2).max(100_000).default(threshold).meta({ description: `Matching requests (${what}) from one client that trigger the rule.` }),
  window_secs: z.number().int().min(1).max(86_400).default(windowSecs).meta({ description: 'Length of the sliding window, in seconds of request time.' }),
  severity: severity.default(sev),
});

/** Paths treated as login endpoints by default. */
export const DEFAULT_LOGIN_PATHS: readonly string[] = Object.freeze([
  '/login', '/signin', '/sign-in', '/wp-login.php', '/xmlrpc.php', '/user/login', '/users/sign_in', '/admin/login',
  '/account/login', '/auth/login', '/api/login', '/api/auth/login', '/api/v1/auth/login', '/session', '/sessions',
]);

/** Config of the `behavior` stage. */
export const BehaviorConfig = z.strictObject({
  pseudonym_key: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/).default('pseudonyms')
    .meta({ description: 'Vault data key (kind `hmac`) of `client_id`: the same pseudonym `privacy` gives `client_ip` with `pseudonymize` and this key.' }),
  trusted_proxies: trustedProxiesOption(),
  http_404_burst: z.union([z.literal(false), windowRule(20, 60, 'medium', '404 responses')]).default({ threshold: 20, window_secs: 60, severity: 'medium' })
    .meta({ description: 'Bursts of 404s (probing for files); `false` disables.' }),
  login_bruteforce: z.union([z.literal(false), windowRule(10, 300, 'high', 'failed logins').extend({
    paths: z.array(z.string().startsWith('/')).default([...DEFAULT_LOGIN_PATHS]).meta({ description: 'Login endpoints (a path matches itself and anything below it).' }),
    methods: z.array(z.string().regex(/^[A-Z]+$/)).default(['POST']).meta({ description: 'Methods of a login attempt.' }),
    failure_statuses: z.array(z.number().int().min(100).max(599)).default([200, 401, 403, 429])
      .meta({ description: 'Statuses of a FAILED attempt (a form re-rendered with 200, or 401/403/429); a successful login usually redirects (302/303).' }),
  })]).default({ threshold: 10, window_secs: 300, severity: 'high', paths: [...DEFAULT_LOGIN_PATHS], methods: ['POST'], failure_statuses: [200, 401, 403, 429] })
    .meta({ description: 'Repeated failed login attempts; `false` disables.' }),
  rate_spike: z.union([z.literal(false), windowRule(300, 60, 'low', 'requests of any kind')]).default({ threshold: 300, window_secs: 60, severity: 'low' })
    .meta({ description: 'Request-rate spikes from one client; `false` disables.' }),
  signature_events: z.union([z.literal(false), z.strictObject({
    min_score: z.number().int().min(1).max(100).default(1).meta({ description: 'Lowest `threat_score` (from the `threat` stage) that makes a security event.' }),
  })]).default({ min_score: 1 }).meta({ description: 'One security event per request the `threat` stage scored (put `threat` before this stage); `false` disables.' }),
  max_clients: z.number().int().min(1000).max(50_000_000).default(1_000_000)
    .meta({ description: 'Clients whose windows are kept at most; beyond it the least recently active client\'s windows are dropped (counted as `evicted`).' }),
}).meta({ description: 'Per-client behaviour over sliding windows (404 bursts, login brute force, rate spikes) and signature hits, as rows of the `security_events` dataset; adds `client_id`.' });

/** A parsed {@link BehaviorConfig}. */
export type BehaviorConfig = z.infer<typeof BehaviorConfig>;
