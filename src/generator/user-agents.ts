/**
 * User agents the generator assigns to clients, grouped by the kind of client that sends them.
 * Strings are real-world shapes (current browser, mobile, crawler and tool formats), ASCII only.
 */

/** The kind of client: decides its user agent, the paths it asks for and whether it sends a referer. */
export type ClientKind = 'browser' | 'crawler' | 'tool' | 'scanner';

/** A user agent with its relative weight inside its client kind. */
export interface WeightedAgent {
  readonly ua: string;
  readonly weight: number;
}

/** Desktop and mobile browsers. */
export const BROWSER_AGENTS: readonly WeightedAgent[] = [
  { weight: 30, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' },
  { weight: 8, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68' },
  { weight: 7, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0' },
  { weight: 10, ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' },
  { weight: 7, ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15' },
  { weight: 3, ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0' },
  { weight: 2, ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' },
  { weight: 16, ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' },
  { weight: 12, ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36' },
  { weight: 3, ua: 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36' },
  { weight: 2, ua: 'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' },
  { weight: 1, ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0.6723.90 Mobile/15E148 Safari/604.1' },
];

/** Search engine, social and AI crawlers. */
export const CRAWLER_AGENTS: readonly WeightedAgent[] = [
  { weight: 10, ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
  { weight: 8, ua: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
  { weight: 6, ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36' },
  { weight: 3, ua: 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)' },
  { weight: 4, ua: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)' },
  { weight: 3, ua: 'Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)' },
  { weight: 3, ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)' },
  { weight: 2, ua: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' },
  { weight: 1, ua: 'Mozilla/5.0 (compatible; DuckDuckBot-Https/1.1; https://duckduckgo.com/duckduckbot)' },
];

/** Command-line tools, libraries and monitors. */
export const TOOL_AGENTS: readonly WeightedAgent[] = [
  { weight: 6, ua: 'curl/8.5.0' },
  { weight: 2, ua: 'curl/7.81.0' },
  { weight: 4, ua: 'python-requests/2.32.3' },
  { weight: 3, ua: 'Go-http-client/1.1' },
  { weight: 2, ua: 'Wget/1.21.4' },
  { weight: 2, ua: 'axios/1.7.7' },
  { weight: 2, ua: 'okhttp/4.12.0' },
  { weight: 3, ua: 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)' },
  { weight: 1, ua: 'Prometheus/2.53.0' },
];

/** Vulnerability scanners and junk clients (often no user agent at all). */
export const SCANNER_AGENTS: readonly WeightedAgent[] = [
  { weight: 4, ua: '-' },
  { weight: 3, ua: 'Mozilla/5.0 zgrab/0.x' },
  { weight: 2, ua: 'Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)' },
  { weight: 2, ua: 'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36' },
  { weight: 1, ua: 'Nuclei - Open-source project (github.com/projectdiscovery/nuclei)' },
  { weight: 1, ua: 'masscan/1.3 (https://github.com/robertdavidgraham/masscan)' },
];

/** Agents by client kind. */
export const AGENTS_BY_KIND: Readonly<Record<ClientKind, readonly WeightedAgent[]>> = {
  browser: BROWSER_AGENTS,
  crawler: CRAWLER_AGENTS,
  tool: TOOL_AGENTS,
  scanner: SCANNER_AGENTS,
};
