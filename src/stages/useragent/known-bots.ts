/**
 * Names of well-known bots, matched in order against the user agent (case-insensitive). The
 * `useragent` stage's `bots` option adds entries before these. Detection itself is `isbot`'s (its
 * pattern list is maintained upstream); this table only names what it detects.
 */

/** One naming rule. */
export interface BotRule {
  readonly pattern: RegExp;
  readonly name: string;
}

const rule = (pattern: string, name: string): BotRule => ({ pattern: new RegExp(pattern, 'i'), name });

/** Built-in naming rules. */
export const KNOWN_BOTS: readonly BotRule[] = Object.freeze([
  rule('googlebot|google-inspectiontool|storebot-google|adsbot-google|mediapartners-google', 'Googlebot'),
  rule('bingbot|bingpreview|msnbot|adidxbot', 'bingbot'),
  rule('yandex(bot|images|metrika|mobilebot)?', 'YandexBot'),
  rule('baiduspider', 'Baiduspider'),
  rule('duckduckbot|duckassistbot', 'DuckDuckBot'),
  rule('applebot', 'Applebot'),
  rule('facebookexternalhit|facebookcatalog|meta-externalagent', 'facebookexternalhit'),
  rule('twitterbot', 'Twitterbot'),
  rule('linkedinbot', 'LinkedInBot'),
  rule('slackbot', 'Slackbot'),
  rule('discordbot', 'Discordbot'),
  rule('ahrefsbot', 'AhrefsBot'),
  rule('semrushbot', 'SemrushBot'),
  rule('mj12bot', 'MJ12bot'),
  rule('dotbot', 'DotBot'),
  rule('petalbot', 'PetalBot'),
  rule('gptbot', 'GPTBot'),
  rule('claudebot|claude-web|anthropic-ai', 'ClaudeBot'),
  rule('ccbot', 'CCBot'),
  rule('bytespider', 'Bytespider'),
  rule('uptimerobot', 'UptimeRobot'),
  rule('pingdom', 'Pingdom'),
  rule('sqlmap', 'sqlmap'),
  rule('nikto', 'Nikto'),
  rule('nmap', 'Nmap'),
  rule('masscan', 'masscan'),
  rule('zgrab', 'zgrab'),
  rule('curl/', 'curl'),
  rule('wget/', 'Wget'),
  rule('python-requests|python-urllib|aiohttp', 'Python'),
  rule('go-http-client', 'Go-http-client'),
  rule('java/|okhttp|apache-httpclient', 'Java HTTP client'),
  rule('headlesschrome', 'HeadlessChrome'),
]);
