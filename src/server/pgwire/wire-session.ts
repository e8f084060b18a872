/**
 * One authenticated PostgreSQL wire session: answers the simple and the extended query protocol
 * (Parse/Bind/Describe/Execute/Close/Sync) for an {@link Identity}. Each statement goes to one of
 * three places: session commands (SET/SHOW/BEGIN...) answered here, catalog queries answered by the
 * session's {@link CatalogDb} (only relations the identity may see), and everything else to the
 * {@link QueryEngine}, which enforces grants, masking, limits and audits the query.
 */
import type { Identity } from '../../security/identity/identity.js';
import type { Cell, QueryColumn, QueryEngine } from '../../query/query-engine.js';
import {
  bindComplete, closeComplete, commandComplete, emptyQueryResponse, errorResponse, noData, parameterDescription,
  parameterStatus, parseComplete, portalSuspended, readyForQuery, type WireError,
} from './protocol/backend-messages.js';
import { decodeFrontend, ProtocolViolation, type FrontendMessage } from './protocol/frontend-messages.js';
import { decodeParam, OID, pgTypeByOid, pgTypeOf, type PgType } from './pg-types.js';
import { describeRows, encodeColumns, encodeRows, type EncodedColumns } from './result-encoder.js';
import { SQLSTATE, toWireError } from './sqlstate.js';
import { DEFAULT_SETTINGS, isSettable, parseSessionCommand, type SessionCommand } from './session-commands.js';
import { isCatalogQuery, rewriteCatalogSql } from './catalog/catalog-sql.js';
import { CatalogDb, CatalogStatementRefused, type CatalogResult } from './catalog/catalog-db.js';

/** What a session needs. */
export interface WireSessionDeps {
  readonly engine: QueryEngine;
  readonly identity: Identity;
  readonly database: string;
  readonly user: string;
  readonly backendPid: number;
  readonly versionString: string;
}

type Route =
  | { readonly kind: 'session'; readonly command: SessionCommand }
  | { readonly kind: 'catalog'; readonly sql: string }
  | { readonly kind: 'engine'; readonly sql: string };

interface Statement {
  readonly route: Route;
  readonly declared: readonly number[];
  /** Parameter and result columns (engine: from describe; catalog: computed on first Describe/Execute). */
  params: readonly QueryColumn[];
  columns: readonly QueryColumn[] | undefined;
}

interface Portal {
  readonly stmt: Statement;
  readonly params: readonly Cell[];
  readonly formats: readonly number[];
  catalogResult?: CatalogResult | undefined;
  enc?: EncodedColumns | undefined;
  /** Rows left over by an Execute with a row limit. */
  pending?: { iter: AsyncIterator<readonly (readonly Cell[])[]>; buffer: (readonly Cell[])[]; sent: number; close(): Promise<void> } | undefined;
}

/** Thrown to end the session after an ErrorResponse (protocol violation). */
export class SessionFatal extends Error {
  override readonly name = 'SessionFatal';
}

const fail = (code: string, message: string): WireError => ({ severity: 'ERROR', code, message });

/** See the file comment. Not reentrant: the gateway hands it one message at a time. */
export class WireSession {
  readonly #deps: WireSessionDeps;
  readonly #settings = new Map(DEFAULT_SETTINGS);
  readonly #statements = new Map<string, Statement>();
  readonly #portals = new Map<string, Portal>();
  #catalog: Promise<CatalogDb> | undefined;
  #tx: 'I' | 'T' | 'E' = 'I';
  /** Extended protocol: after an error, messages are skipped until Sync. */
  #skipToSync = false;
  #abort: AbortController | undefined;
  #busy = false;
  #queries = 0;

  constructor(deps: WireSessionDeps) {
    this.#deps = deps;
  }

  /** True while a message is being answered (the idle timeout does not apply). */
  get busy(): boolean { return this.#busy; }

  /** Cancels the running statement (CancelRequest). */
  cancel(): void { this.#abort?.abort(); }

  /** Releases the catalog database and open portals. */
  async close(): Promise<void> {
    this.#abort?.abort();
    for (const p of this.#portals.values()) await p.pending?.close().catch(() => undefined);
    this.#portals.clear();
    if (this.#catalog) (await this.#catalog.catch(() => undefined))?.close();
  }

  /** Answers one frontend message; yields complete backend messages. */
  async *handle(raw: Uint8Array): AsyncGenerator<Uint8Array> {
    this.#busy = true;
    try {
      let msg: FrontendMessage;
      try {
        msg = decodeFrontend(raw);
      } catch (err) {
        if (err instanceof ProtocolViolation) {
          yield errorResponse({ severity: 'FATAL', code: SQLSTATE.protocolViolation, message: err.message });
          throw new SessionFatal(err.message);
        }
        throw err;
      }
      if (msg.type === 'sync') {
        this.#skipToSync = false;
        yield readyForQuery(this.#tx);
        return;
      }
      if (msg.type === 'query') {
        this.#skipToSync = false;
        yield* this.#simpleQuery(msg.sql);
        yield readyForQuery(this.#tx);
        return;
      }
      if (msg.type === 'flush' || msg.type === 'terminate') return;
      if (this.#skipToSync) return;
      try {
        yield* this.#extended(msg);
      } catch (err) {
        if (err instanceof SessionFatal) throw err;
        this.#skipToSync = true;
        if (this.#tx === 'T') this.#tx = 'E';
        yield errorResponse(err instanceof WireErrorThrown ? err.wire : toWireError(err));
      }
    } finally {
      this.#busy = false;
    }
  }

  async *#simpleQuery(sql: string): AsyncGenerator<Uint8Array> {
    try {
      const route = this.#route(sql);
      if (route.kind === 'session' && route.command.kind === 'empty') { yield emptyQueryResponse(); return; }
      this.#checkTx(route);
      if (route.kind === 'session') { yield* this.#sessionCommand(route.command, true); return; }
      const stmt: Statement = { route, declared: [], params: [], columns: undefined };
      const portal: Portal = { stmt, params: [], formats: [] };
      yield* this.#execute(portal, 0, true);
    } catch (err) {
      if (this.#tx === 'T') this.#tx = 'E';
      yield errorResponse(err instanceof WireErrorThrown ? err.wire : toWireError(err));
    }
  }

  async *#extended(msg: FrontendMessage): AsyncGenerator<Uint8Array> {
    switch (msg.type) {
      case 'parse': {
        const route = this.#route(msg.sql);
        const stmt: Statement = { route, declared: msg.paramOids, params: [], columns: undefined };
        if (route.kind === 'engine') {
          const d = await this.#deps.engine.describe(this.#deps.identity, route.sql);
          stmt.params = d.params;
          stmt.columns = d.columns;
        } else if (route.kind === 'session') {
          stmt.columns = route.command.kind === 'show' ? [{ name: route.command.name, type: 'VARCHAR' }] : [];
        }
        if (msg.name !== '') this.#statements.delete(msg.name);
        this.#statements.set(msg.name, stmt);
        yield parseComplete();
        return;
      }
      case 'bind': {
        const stmt = this.#statements.get(msg.statement);
        if (!stmt) throw new WireErrorThrown(fail(SQLSTATE.invalidSqlStatementName, `prepared statement "${msg.statement}" does not exist`));
        const params = msg.params.map((raw, i) => {
          const format = msg.paramFormats.length === 1 ? msg.paramFormats[0] : msg.paramFormats[i];
          return decodeParam(raw, format ?? 0, this.#paramType(stmt, i));
        });
        const old = this.#portals.get(msg.portal);
        await old?.pending?.close();
        this.#portals.set(msg.portal, { stmt, params, formats: msg.resultFormats });
        yield bindComplete();
        return;
      }
      case 'describe': {
        if (msg.kind === 'S') {
          const stmt = this.#statements.get(msg.name);
          if (!stmt) throw new WireErrorThrown(fail(SQLSTATE.invalidSqlStatementName, `prepared statement "${msg.name}" does not exist`));
          const n = Math.max(stmt.declared.length, stmt.params.length, countPlaceholders(stmt.route));
          yield parameterDescription(Array.from({ length: n }, (_, i) => this.#paramType(stmt, i)?.oid ?? OID.text));
          const cols = await this.#columnsOf(stmt, undefined);
          yield cols.length === 0 ? noData() : describeRows(cols, encodeColumns(cols));
          return;
        }
        const portal = this.#portals.get(msg.name);
        if (!portal) throw new WireErrorThrown(fail(SQLSTATE.invalidCursorName, `portal "${msg.name}" does not exist`));
        const cols = await this.#columnsOf(portal.stmt, portal);
        yield cols.length === 0 ? noData() : describeRows(cols, encodeColumns(cols, portal.formats));
        return;
      }
      case 'execute': {
        const portal = this.#portals.get(msg.portal);
        if (!portal) throw new WireErrorThrown(fail(SQLSTATE.invalidCursorName, `portal "${msg.portal}" does not exist`));
        this.#checkTx(portal.stmt.route);
        if (portal.stmt.route.kind === 'session') { yield* this.#sessionCommand(portal.stmt.route.command, false); return; }
        yield* this.#execute(portal, msg.maxRows, false);
        return;
      }
      case 'close': {
        if (msg.kind === 'S') this.#statements.delete(msg.name);
        else { await this.#portals.get(msg.name)?.pending?.close(); this.#portals.delete(msg.name); }
        yield closeComplete();
        return;
      }
      case 'unsupported':
        throw new WireErrorThrown(fail(SQLSTATE.featureNotSupported, `message type '${msg.code}' is not supported by this server`));
      default:
        return;
    }
  }

  #paramType(stmt: Statement, i: number): PgType | undefined {
    const declared = stmt.declared[i];
    if (declared !== undefined && declared !== 0) return pgTypeByOid(declared);
    const described = stmt.params[i];
    return described ? pgTypeOf(described.type) : undefined;
  }

  #route(sql: string): Route {
    const command = parseSessionCommand(sql);
    if (command) return { kind: 'session', command };
    if (isCatalogQuery(sql)) return { kind: 'catalog', sql: rewriteCatalogSql(sql) };
    return { kind: 'engine', sql };
  }

  #checkTx(route: Route): void {
    if (this.#tx !== 'E') return;
    if (route.kind === 'session' && route.command.kind === 'tx' && (route.command.tag === 'ROLLBACK' || route.command.tag === 'COMMIT')) return;
    throw new WireErrorThrown(fail('25P02', 'current transaction is aborted, commands ignored until end of transaction block'));
  }

  async #columnsOf(stmt: Statement, portal: Portal | undefined): Promise<readonly QueryColumn[]> {
    if (stmt.columns) return stmt.columns;
    if (stmt.route.kind !== 'catalog') return [];
    const result = await this.#runCatalog(stmt.route.sql, portal?.params ?? nullParams(stmt.route.sql));
    if (portal) portal.catalogResult = result;
    return result.columns;
  }

  async #runCatalog(sql: string, params: readonly Cell[]): Promise<CatalogResult> {
    this.#catalog ??= this.#deps.engine.relations(this.#deps.identity).then((relations) => CatalogDb.open(relations, {
      database: this.#deps.database, user: this.#deps.user, backendPid: this.#deps.backendPid,
      settings: this.#settings, versionString: this.#deps.versionString,
    }));
    const db = await this.#catalog.catch((err: unknown) => { this.#catalog = undefined; throw err; });
    try {
      return await db.query(sql, params);
    } catch (err) {
      if (err instanceof CatalogStatementRefused) throw new WireErrorThrown(fail(SQLSTATE.insufficientPrivilege, err.message));
      throw new WireErrorThrown(fail(SQLSTATE.featureNotSupported, `catalog query not supported: ${firstLine(err)}`));
    }
  }

  async *#execute(portal: Portal, maxRows: number, simple: boolean): AsyncGenerator<Uint8Array> {
    const route = portal.stmt.route;
    if (route.kind === 'catalog') {
      const result = portal.catalogResult ?? await this.#runCatalog(route.sql, portal.params);
      portal.catalogResult = undefined;
      const enc = encodeColumns(result.columns, portal.formats);
      if (simple) yield describeRows(result.columns, enc);
      if (result.rows.length > 0) yield encodeRows(result.rows, enc);
      yield commandComplete(`SELECT ${result.rows.length}`);
      return;
    }
    if (route.kind !== 'engine') return;
    if (!portal.pending) {
      const abort = new AbortController();
      this.#abort = abort;
      const stream = await this.#deps.engine.query(this.#deps.identity, route.sql, {
        via: 'pgwire', params: portal.params, signal: abort.signal, requestId: `pgwire-${this.#deps.backendPid}-${++this.#queries}`,
      });
      if (simple) yield describeRows(stream.columns, encodeColumns(stream.columns, portal.formats));
      portal.pending = { iter: stream.batches()[Symbol.asyncIterator](), buffer: [], sent: 0, close: () => stream.close() };
      portal.enc = encodeColumns(stream.columns, portal.formats);
    }
    const pending = portal.pending;
    const enc = portal.enc ?? encodeColumns([], portal.formats);
    const signal = this.#abort?.signal;
    let sentNow = 0;
    try {
      for (;;) {
        if (maxRows > 0 && sentNow >= maxRows) { yield portalSuspended(); return; }
        if (pending.buffer.length === 0) {
          const next = await pending.iter.next();
          if (signal?.aborted) throw new WireErrorThrown(fail(SQLSTATE.queryCanceled, 'canceling statement due to user request'));
          if (next.done) break;
          pending.buffer.push(...next.value);
          continue;
        }
        const take = maxRows > 0 ? Math.min(maxRows - sentNow, pending.buffer.length) : pending.buffer.length;
        const rows = pending.buffer.splice(0, take);
        yield encodeRows(rows, enc);
        sentNow += rows.length;
        pending.sent += rows.length;
      }
    } catch (err) {
      portal.pending = undefined;
      await pending.close().catch(() => undefined);
      if (signal?.aborted && !(err instanceof WireErrorThrown)) throw new WireErrorThrown(fail(SQLSTATE.queryCanceled, 'canceling statement due to user request'));
      throw err;
    }
    portal.pending = undefined;
    await pending.close();
    yield commandComplete(`SELECT ${pending.sent}`);
  }

  async *#sessionCommand(cmd: SessionCommand, simple: boolean): AsyncGenerator<Uint8Array> {
    switch (cmd.kind) {
      case 'empty': yield emptyQueryResponse(); return;
      case 'noop': yield commandComplete(cmd.tag); return;
      case 'tx': {
        // COMMIT of a failed block reports ROLLBACK, as PostgreSQL does.
        const tag = cmd.tag === 'COMMIT' && this.#tx === 'E' ? 'ROLLBACK' : cmd.tag;
        if (cmd.tag === 'BEGIN') this.#tx = 'T';
        else if (cmd.tag === 'COMMIT' || cmd.tag === 'ROLLBACK') this.#tx = 'I';
        yield commandComplete(tag);
        return;
      }
      case 'reset': {
        if (cmd.name === 'all') for (const [k, v] of DEFAULT_SETTINGS) this.#settings.set(k, v);
        else if (DEFAULT_SETTINGS.has(cmd.name)) this.#settings.set(cmd.name, DEFAULT_SETTINGS.get(cmd.name) as string);
        yield commandComplete('RESET');
        return;
      }
      case 'set': {
        if (!isSettable(cmd.name, cmd.value)) {
          throw new WireErrorThrown(fail(SQLSTATE.featureNotSupported, `SET ${cmd.name} is not supported by this server (read-only SQL gateway)`));
        }
        const name = cmd.name === 'names' ? 'client_encoding' : cmd.name;
        this.#settings.set(name, cmd.value);
        if (this.#catalog) await (await this.#catalog).setSetting(name, cmd.value);
        yield commandComplete('SET');
        if (name === 'application_name' || name === 'datestyle' || name === 'timezone') yield parameterStatus(name === 'datestyle' ? 'DateStyle' : name === 'timezone' ? 'TimeZone' : name, cmd.value);
        return;
      }
      case 'show': {
        const value = this.#settings.get(cmd.name);
        if (value === undefined) throw new WireErrorThrown(fail(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${cmd.name}"`));
        const cols = [{ name: cmd.name, type: 'VARCHAR' }];
        const enc = encodeColumns(cols);
        if (simple) yield describeRows(cols, enc);
        yield encodeRows([[value]], enc);
        yield commandComplete('SHOW');
        return;
      }
    }
  }
}

/** An error already expressed as an ErrorResponse. */
class WireErrorThrown extends Error {
  constructor(readonly wire: WireError) { super(wire.message); }
}

function countPlaceholders(route: Route): number {
  if (route.kind === 'session') return 0;
  let max = 0;
  for (const m of route.sql.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

function nullParams(sql: string): Cell[] {
  return Array.from({ length: countPlaceholders({ kind: 'catalog', sql }) }, () => null);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 200) ?? '';
}
