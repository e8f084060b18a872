/** The Apache access-log formats httpd ships as LogFormat nicknames. */
import type { AccessRecord } from '../../core/record.js';
import type { LineFormat } from '../format.js';
import { compileApacheLogFormat } from './apache-log-format.js';

/** `common`: `%h %l %u %t "%r" %>s %b`. Extra trailing fields are kept in `extras.trailing`. */
export const apacheCommon: LineFormat<AccessRecord> = compileApacheLogFormat('%h %l %u %t "%r" %>s %b', 'apache_common', {
  description: 'Apache Common Log Format (LogFormat "%h %l %u %t \\"%r\\" %>s %b" common)', allowTrailing: true,
});

/** `combined`: common plus quoted Referer and User-Agent. */
export const apacheCombined: LineFormat<AccessRecord> = compileApacheLogFormat(
  '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"', 'apache_combined', {
    description: 'Apache Combined Log Format (common + "%{Referer}i" "%{User-agent}i")', allowTrailing: true,
  });

/** `vhost_combined`: `%v:%p` prefix, `%O` bytes. */
export const apacheVhostCombined: LineFormat<AccessRecord> = compileApacheLogFormat(
  '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"', 'apache_vhost_combined', {
    description: 'Apache vhost_combined (Debian default for virtual hosts: "%v:%p " + combined with %O)', allowTrailing: true,
  });
