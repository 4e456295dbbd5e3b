// Which tables this process writes, as it writes them: a Kysely plugin that tells listeners the tables
// named in every INSERT, UPDATE, DELETE or MERGE (transactions share their database's plugins). Used to
// drop in-process caches of rows the moment a change path writes them (the actor cache,
// access/load-actor.ts). It sees only this process's Kysely queries: a cache using it must also expire
// on its own for writes made elsewhere (another process, raw SQL, cascades from a table it does not watch).
import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

export class TableWriteWatch implements KyselyPlugin {
  readonly #listeners = new Set<(tables: ReadonlySet<string>) => void>();

  /** Call `listener` with the tables of each write statement, before it runs; returns the unsubscribe. */
  onWrite(listener: (tables: ReadonlySet<string>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (this.#listeners.size && WRITES.has(node.kind)) {
      const tables = tablesIn(node, new Set());
      for (const listener of this.#listeners) listener(tables);
    }
    return node;
  }

  transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(result);
  }
}

// Every table the statement names (its target, and any it reads in subqueries: more is only safer).
function tablesIn(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const n of node) tablesIn(n, out);
  else if (node && typeof node === 'object') {
    const n = node as { kind?: string; table?: { identifier?: { name?: string } } };
    if (n.kind === 'TableNode' && n.table?.identifier?.name) out.add(n.table.identifier.name);
    else for (const value of Object.values(node)) tablesIn(value, out);
  }
  return out;
}

const watches = new WeakMap<object, TableWriteWatch>();

/** A new database handle with a write watch (openStorage). */
export function watchedKysely<DB>(make: (plugins: KyselyPlugin[]) => Kysely<DB>): Kysely<DB> {
  const watch = new TableWriteWatch();
  const db = make([watch]);
  watches.set(db, watch);
  return db;
}

/** The write watch of a database handle made by openStorage; undefined for a transaction or another handle. */
export function tableWritesOf(db: object): TableWriteWatch | undefined {
  return watches.get(db);
}
