// indexing.test.mjs - answers while a project is still indexing, through the official SDK client:
// the broken golden project with CIDX_TEST_HOOKS=1 has a file whose parse worker hangs, so
// indexing stays incomplete until the parse time limit. Checks the partial marker, the three
// query_behavior modes, cancelling a waiting call, and that shutdown stops the hung worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

import { call, close, connect, instantiate, learnSchemas, removeDir, tempDir }
  from './helpers.mjs';

const HOOKS = { CIDX_TEST_HOOKS: '1' };

// A broken project whose config says how long the hang lasts and how queries behave.
function slowProject(tag, config) {
  const dir = tempDir(tag);
  const root = instantiate(dir, 'broken');
  writeFileSync(`${root}/cpp-analyzer-config.json`,
    JSON.stringify({ max_parse_retries: 0, ...config }));
  return { dir, root };
}

// Processes whose command line names root: the parse workers of this project.
function workersOf(root) {
  const found = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(root) && cmd.includes('cidx-worker')) found.push(pid);
    } catch {
      // gone already
    }
  }
  return found;
}

async function start(dir, root) {
  const conn = await connect({ cacheDir: `${dir}/cache`, env: HOOKS });
  learnSchemas((await conn.client.listTools()).tools);
  const sc = await call(conn.client, 'set_project', { project_path: root });
  assert.equal(sc.state, 'indexing');
  return conn;
}

test('allow_partial: results carry partial, a cancelled wait stops, shutdown stops the workers',
  async () => {
    const { dir, root } = slowProject('partial', { parse_timeout_s: 300 });
    const conn = await start(dir, root);
    const { client } = conn;
    try {
      // a call that waits up to 600 s, cancelled once progress shows files being parsed
      const ac = new AbortController();
      let notes = 0;
      const waiting = client.callTool({ name: 'sync_project', arguments: { wait_seconds: 600 } },
        undefined, {
          signal: ac.signal,
          timeout: 700000,
          onprogress: (p) => {
            notes++;
            if (p.total > 0 && p.progress > 0) ac.abort('test cancels the wait');
          },
        });
      await assert.rejects(waiting);
      assert.ok(notes >= 1);
      // files are done, the hung one is not: every query result says so
      const sc = await call(client, 'find_symbols', { pattern: '' });
      assert.ok(sc.partial, 'no partial marker while indexing');
      assert.ok(sc.partial.indexed_files >= 1, JSON.stringify(sc.partial));
      assert.ok(sc.partial.indexed_files < sc.partial.total_files, JSON.stringify(sc.partial));
      const status = await call(client, 'get_server_status', {});
      assert.equal(status.state, 'indexing');
      // the server is free again at once: the request thread stopped waiting
      const st = await call(client, 'sync_project', {}, { timeout: 20000 });
      assert.equal(st.state, 'indexing');
      assert.ok(workersOf(root).length >= 1, 'the hung worker should still be running');
    } finally {
      const t0 = Date.now();
      await close(conn);
      // the server exits by itself within the client's two-second grace, hung worker stopped
      assert.ok(Date.now() - t0 < 2000, `close took ${Date.now() - t0} ms`);
      assert.deepEqual(workersOf(root), []);
      removeDir(dir);
    }
  });

test('reject: queries are refused with a message while indexing', async () => {
  const { dir, root } = slowProject('reject', { parse_timeout_s: 300, query_behavior: 'reject' });
  const conn = await start(dir, root);
  const { client } = conn;
  try {
    const r = await client.callTool({ name: 'find_symbols', arguments: { pattern: 'x' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /reject/);
    assert.match(r.content[0].text, /sync_project/);
  } finally {
    await close(conn);
    removeDir(dir);
  }
});

test('block: a query waits for indexing, up to wait_seconds', async () => {
  const { dir, root } = slowProject('block', { parse_timeout_s: 3, query_behavior: 'block' });
  const conn = await start(dir, root);
  const { client } = conn;
  try {
    // a short wait ends first: the answer is partial
    let sc = await call(client, 'find_symbols', { pattern: '', wait_seconds: 1 });
    assert.ok(sc.partial, JSON.stringify(sc).slice(0, 300));
    // a long one ends when the hung file times out and indexing completes
    sc = await call(client, 'find_symbols', { pattern: 'good', match: 'substring',
      wait_seconds: 120 }, { timeout: 150000 });
    assert.equal(sc.partial, undefined);
    const st = await call(client, 'sync_project', {});
    assert.equal(st.state, 'ready');
    assert.ok(st.progress.failed_files >= 1, JSON.stringify(st.progress));
  } finally {
    await close(conn);
    removeDir(dir);
  }
});
