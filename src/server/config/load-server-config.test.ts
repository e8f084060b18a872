/** The server config file: defaults, placeholders, strictness with file/line/path, secrets only as references. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretValue } from '../../core/secret-value.js';
import { configProblems } from '../../config/load-config.js';
import { loadServerConfigText } from './load-server-config.js';

const problemsOf = (text: string, env: NodeJS.ProcessEnv = {}): { code: string; line: unknown; path: unknown }[] => {
  try {
    loadServerConfigText(text, 'server.yaml', env);
  } catch (err) {
    return configProblems(err).map((e) => ({ code: e.code, line: e.details['line'], path: e.details['path'] }));
  }
  return [];
};

describe('server config', () => {
  it('fills defaults and substitutes ${env:} placeholders', () => {
    const c = loadServerConfigText('server:\n  listeners:\n    - port: ${env:PORT}\n      tls: { cert_file: c.pem, key_file: k.pem }\n  rate_limit:\n    redis_url: ${secret:redis_url}\npgwire:\n  port: 5433\n', '/etc/trb/server.yaml', { PORT: '9443' }).config;
    assert.equal(c.server.listeners[0]?.port, 9443);
    assert.equal(c.server.listeners[0]?.tls?.min_version, '1.2');
    assert.equal(c.server.limits.body_max_bytes, 1_048_576);
    assert.deepEqual(c.server.cors.origins, []);
    assert.ok(isSecretValue(c.server.rate_limit.redis_url));
    assert.equal(c.pgwire?.port, 5433);
    assert.equal(c.pgwire?.enabled, false, 'the gateway starts only when enabled');
    assert.ok(Object.isFrozen(c.server));
  });

  it('reports every problem with its line and path', () => {
    const text = 'server:\n  listeners:\n    - port: 99999\n      hots: x\n  cors:\n    origins: [not-a-url]\nextra: 1\n';
    const problems = problemsOf(text);
    assert.deepEqual(problems.map((p) => [p.line, p.path]), [[3, 'server.listeners[0].port'], [4, 'server.listeners[0].hots'], [6, 'server.cors.origins[0]'], [7, 'extra']]);
    assert.ok(problems.every((p) => p.code === 'TRB_SERVER_CONFIG_INVALID'));
  });

  it('refuses a literal Redis URL and a missing env variable', () => {
    assert.deepEqual(problemsOf('server:\n  rate_limit:\n    redis_url: redis://:hunter2@cache:6379\n'), [{ code: 'TRB_CONFIG_PLAINTEXT_SECRET', line: 3, path: 'server.rate_limit.redis_url' }]);
    assert.equal(problemsOf('server:\n  pipelines_dir: ${env:NOPE}\n')[0]?.code, 'TRB_CONFIG_ENV_MISSING');
  });
});
