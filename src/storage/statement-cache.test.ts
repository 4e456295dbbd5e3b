// The prepared-statement cache under Kysely on SQLite (issue 17): one statement per SQL text, bounded,
// and still right after the schema changes under a cached statement.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './database.js';

describe('prepared-statement cache (sqlite)', () => {
  let dir: string | undefined;
  let raw: SqliteDatabase.Database | undefined;
  afterEach(() => {
    raw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    raw = undefined;
    dir = undefined;
  });

  function open(): SqliteDatabase.Database {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cordon-stmt-'));
    raw = new SqliteDatabase(path.join(dir, 'db.sqlite'));
    raw.exec('create table t (id integer primary key, a text)');
    return raw;
  }

  it('prepares each SQL text once and answers as a fresh statement would', () => {
    const db = withStatementCache(open());
    const insert = db.prepare('insert into t (a) values (?)');
    expect(db.prepare('insert into t (a) values (?)')).toBe(insert);
    insert.run('x');
    db.prepare('insert into t (a) values (?)').run('y');
    expect(db.prepare('select a from t order by id').all()).toEqual([{ a: 'x' }, { a: 'y' }]);
    // The database itself is untouched: its own prepare still makes new statements.
    expect(raw!.prepare('select a from t order by id')).not.toBe(db.prepare('select a from t order by id'));
    expect(db.inTransaction).toBe(false);
  });

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const db = withStatementCache(open(), 2);
    const one = db.prepare('select 1 as n');
    const two = db.prepare('select 2 as n');
    expect(db.prepare('select 1 as n')).toBe(one);
    db.prepare('select 3 as n');
    expect(db.prepare('select 1 as n')).toBe(one);
    expect(db.prepare('select 2 as n')).not.toBe(two);
  });

  it('a cached statement sees a schema change made after it was prepared', () => {
    const db = withStatementCache(open());
    db.prepare('insert into t (a) values (?)').run('x');
    expect(db.prepare('select * from t').all()).toEqual([{ id: 1, a: 'x' }]);
    db.exec("alter table t add column b text not null default 'new'");
    expect(db.prepare('select * from t').all()).toEqual([{ id: 1, a: 'x', b: 'new' }]);
  });
});
