import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchMeta, RecordBatch } from '../../core/component.js';
import { UserAgentConfig, UserAgentStage, userAgentStageSpec } from './index.js';

const stage = (config: unknown = {}): UserAgentStage => userAgentStageSpec.create('ua', UserAgentConfig.parse(config)) as UserAgentStage;

// Real user agents as servers log them.
const CASES: readonly (readonly [string, Partial<Record<string, unknown>>])[] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { ua_browser: 'Chrome', ua_browser_version: '120.0.0.0', ua_os: 'Windows', ua_device_type: 'desktop', is_bot: false, bot_name: null }],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
    { ua_browser: 'Safari', ua_os: 'Mac OS', ua_device_type: 'desktop', is_bot: false }],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    { ua_browser: 'Firefox', ua_browser_version: '121.0', ua_os: 'Linux', ua_device_type: 'desktop', is_bot: false }],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
    { ua_browser: 'Mobile Safari', ua_os: 'iOS', ua_os_version: '17.1', ua_device_type: 'mobile', ua_device_vendor: 'Apple', ua_device_model: 'iPhone', is_bot: false }],
  ['Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
    { ua_browser: 'Chrome', ua_os: 'Android', ua_os_version: '14', ua_device_type: 'mobile', ua_device_vendor: 'Samsung', ua_device_model: 'SM-S911B', is_bot: false }],
  ['Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    { ua_os: 'iOS', ua_device_type: 'tablet', ua_device_model: 'iPad', is_bot: false }],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
    { ua_browser: 'Edge', ua_os: 'Windows', is_bot: false }],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', { is_bot: true, bot_name: 'Googlebot', ua_device_type: 'bot' }],
  ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36',
    { is_bot: true, bot_name: 'bingbot' }],
  ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', { is_bot: true, bot_name: 'YandexBot' }],
  ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', { is_bot: true, bot_name: 'AhrefsBot' }],
  ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', { is_bot: true, bot_name: 'facebookexternalhit' }],
  ['curl/8.4.0', { is_bot: true, bot_name: 'curl' }],
  ['python-requests/2.31.0', { is_bot: true, bot_name: 'Python' }],
  ['sqlmap/1.7.11#stable (https://sqlmap.org)', { is_bot: true, bot_name: 'sqlmap' }],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36', { is_bot: true, bot_name: 'HeadlessChrome' }],
];

describe('useragent stage', () => {
  for (const [ua, expected] of CASES) {
    it(`parses ${ua.slice(0, 70)}`, () => {
      const got = stage().parse(ua) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(expected)) assert.equal(got[k], v, `${k} of ${ua}`);
    });
  }

  it('configured bots are named first; null and `-` agents give null columns; every record passes', () => {
    const s = stage({ bots: [{ pattern: 'acme-monitor', name: 'ACME uptime' }] });
    const meta: BatchMeta = { source: 's', uri: 'u', stream: 'st' };
    const records = [{ user_agent: 'acme-monitor/1.0' }, { user_agent: null }, { user_agent: '-' }, { user_agent: CASES[0]![0] }, { user_agent: CASES[0]![0] }];
    const batch: RecordBatch = { meta, records: records.map((r, i) => ({ ...r, source_line: i + 1, source_offset: i })), raws: records.map(() => '') };
    const out = s.process(batch, {} as never);
    assert.equal(out.passed.records.length, 5);
    const [a, b, c, d, e] = out.passed.records as readonly Record<string, unknown>[];
    assert.deepEqual([a!.is_bot, a!.bot_name], [true, 'ACME uptime']);
    assert.deepEqual([b!.is_bot, b!.ua_browser, c!.is_bot], [null, null, null]);
    assert.equal(d!.ua_browser, 'Chrome');
    assert.deepEqual(e, d === e ? e : { ...d, source_line: 5, source_offset: 4 });
  });

  it('declares its columns and validates its config', () => {
    assert.deepEqual(userAgentStageSpec.columns!(UserAgentConfig.parse({})).map((c) => c.name),
      ['ua_browser', 'ua_browser_version', 'ua_os', 'ua_os_version', 'ua_device_type', 'ua_device_vendor', 'ua_device_model', 'is_bot', 'bot_name']);
    assert.equal(UserAgentConfig.safeParse({ bots: [{ pattern: '(', name: 'x' }] }).success, false);
  });
});
