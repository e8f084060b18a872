/** Allocation helper for error-log records (one object shape for every error format). */
import type { ErrorLogRecord } from '../core/record.js';

/** A fresh ErrorLogRecord with every nullable field null. */
export function newErrorRecord(format: string, message: string): ErrorLogRecord {
  return {
    ts: null, ts_offset_min: null, level: null, module: null, pid: null, tid: null, client_ip: null,
    client_port: null, error_code: null, message, format, extras: null,
  };
}

/** Splits `addr:port` (IPv4, or IPv6 whose last group is the port) into address and port. */
export function splitHostPort(s: string): { ip: string; port: number | null } {
  const b = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s);
  if (b) return { ip: b[1]!, port: Number(b[2]) };
  const i = s.lastIndexOf(':');
  if (i > 0 && /^\d{1,5}$/.test(s.slice(i + 1))) return { ip: s.slice(0, i), port: Number(s.slice(i + 1)) };
  return { ip: s, port: null };
}
