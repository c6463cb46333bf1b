// tools.test.mjs - every tool of `cidx serve` through the official MCP TypeScript SDK client on
// the cpp_features golden project: tools/list, known answers, every result valid against its
// outputSchema (Ajv, both dialects), pagination, ambiguity, path confinement, progress.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

import { call, checkResult, close, connect, instantiate, learnSchemas, removeDir, tempDir }
  from './helpers.mjs';

const TOOLS = ['set_project', 'sync_project', 'find_symbols', 'get_symbol_info',
  'get_file_outline', 'get_class_hierarchy', 'find_incoming_calls', 'find_outgoing_calls',
  'trace_call_path', 'find_references', 'get_source', 'get_server_status'];

let dir, root, conn, client;
const progress = [];
let answered = false, lateProgress = 0;

before(async () => {
  dir = tempDir('tools');
  root = instantiate(dir, 'cpp_features');
  conn = await connect({ cacheDir: `${dir}/cache` });
  client = conn.client;
  const { tools } = await client.listTools();
  learnSchemas(tools);
  // the first index, waited for, with progress notifications
  const sc = await call(client, 'set_project', { project_path: root, wait_seconds: 300 }, {
    onprogress: (p) => {
      if (answered) lateProgress++;
      progress.push(p);
    },
  });
  answered = true;
  assert.equal(sc.state, 'ready', JSON.stringify(sc));
});

after(async () => {
  if (conn) await close(conn);
  removeDir(dir);
});

test('initialize negotiated the latest revision and the server says who it is', () => {
  assert.equal(client.getServerVersion().name, 'cidx');
  assert.ok(client.getServerCapabilities().tools);
  assert.ok(client.getServerCapabilities().logging);
});

test('tools/list has every tool of TOOLS.md with schemas', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOLS].sort());
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', t.name);
    assert.equal(t.outputSchema.type, 'object', t.name);
    assert.ok(t.description.length > 20, t.name);
  }
});

test('progress notifications were monotonic and none came after the answer', async () => {
  assert.ok(progress.length >= 1, 'no progress notification');
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].progress > progress[i - 1].progress, JSON.stringify(progress));
  }
  await client.ping();
  assert.equal(lateProgress, 0);
});

test('set_project reports the project, its cache and counts', async () => {
  const sc = await call(client, 'set_project', { project_path: root });
  assert.equal(sc.project_root, root);
  assert.equal(sc.state, 'ready');
  assert.ok(sc.counts.symbols > 100, JSON.stringify(sc.counts));
  assert.ok(sc.counts.files >= 4);
});

test('find_symbols finds a class by name, with its location relative to the root', async () => {
  const sc = await call(client, 'find_symbols', { pattern: 'Shape', kinds: ['class'] });
  const shape = sc.results.find((r) => r.qualified_name === 'geo::Shape');
  assert.ok(shape, JSON.stringify(sc.results));
  assert.deepEqual(shape.location, { file: 'include/shapes.h', line: 30, column: 7 });
  assert.equal(shape.kind, 'class');
  assert.equal(sc.partial, undefined);
});

test('find_symbols pages through everything with limit and offset', async () => {
  const seen = new Set();
  let offset = 0, total = -1, pages = 0;
  for (;;) {
    const sc = await call(client, 'find_symbols', { pattern: '', limit: 40, offset });
    total = sc.total;
    for (const r of sc.results) seen.add(r.usr);
    pages++;
    if (!sc.truncated) {
      assert.equal(sc.next_offset, null);
      break;
    }
    assert.equal(sc.next_offset, offset + sc.results.length);
    offset = sc.next_offset;
  }
  assert.ok(pages > 1);
  assert.equal(seen.size, total);
});

test('find_symbols: detail full, words and regex matching, empty result with a hint', async () => {
  let sc = await call(client, 'find_symbols', { pattern: 'geo::Shape', detail: 'full', limit: 1 });
  assert.equal(sc.results[0].qualified_name, 'geo::Shape');
  assert.match(sc.results[0].brief, /Base of every shape/);
  sc = await call(client, 'find_symbols', { pattern: '^draw', match: 'regex' });
  assert.ok(sc.results.some((r) => r.name === 'draw_all'));
  sc = await call(client, 'find_symbols', { pattern: 'zzzNothingLikeThis' });
  assert.equal(sc.total, 0);
  assert.ok(sc.hint);
});

test('get_symbol_info: bases, derived classes, methods and docs', async () => {
  const sc = await call(client, 'get_symbol_info', { name: 'geo::Shape' });
  assert.equal(sc.qualified_name, 'geo::Shape');
  const derived = sc.derived.map((d) => d.qualified_name).sort();
  assert.deepEqual(derived, ['geo::Circle', 'geo::Square']);
  assert.ok(sc.methods.some((m) => m.name === 'area'));
  assert.match(sc.doc.brief, /Base of every shape/);
});

test('an ambiguous name answers with candidates, and a usr picks one', async () => {
  const sc = await call(client, 'find_incoming_calls', { name: 'area' });
  assert.equal(sc.ambiguous, true);
  assert.ok(sc.candidates.length >= 3);
  const base = sc.candidates.find((c) => c.qualified_name === 'geo::Shape::area');
  assert.ok(base);
  const info = await call(client, 'get_symbol_info', { usr: base.usr });
  assert.equal(info.qualified_name, 'geo::Shape::area');
});

test('calls: incoming, outgoing and paths', async () => {
  const inc = await call(client, 'find_incoming_calls', { name: 'geo::draw_all' });
  assert.ok(inc.callers.some((c) => c.symbol?.qualified_name === 'main'), JSON.stringify(inc));
  const out = await call(client, 'find_outgoing_calls', { name: 'main', limit: 1000 });
  assert.ok(out.callees.some((c) => c.symbol?.qualified_name === 'geo::draw_all'));
  const page = await call(client, 'find_outgoing_calls', { name: 'main', limit: 2 });
  assert.equal(page.callees.length, 2);
  assert.equal(page.truncated, true);
  const path = await call(client, 'trace_call_path', { from: 'main', to: 'geo::draw_all' });
  assert.ok(path.paths.length >= 1, JSON.stringify(path));
  assert.equal(path.paths[0][0].qualified_name, 'main');
});

test('get_class_hierarchy walks down to the grandchildren', async () => {
  const sc = await call(client, 'get_class_hierarchy', { name: 'geo::Shape', direction: 'down' });
  assert.ok(sc.nodes['geo::Labeled'], JSON.stringify(Object.keys(sc.nodes)));
  assert.deepEqual(sc.nodes['geo::Labeled'].bases, ['geo::Circle']);
});

test('find_references by role, get_source, get_file_outline', async () => {
  const refs = await call(client, 'find_references', { name: 'g_counter', roles: ['write'] });
  assert.ok(refs.references.length >= 1);
  assert.ok(refs.references.every((r) => r.roles.includes('write')));
  const src = await call(client, 'get_source', { name: 'main' });
  assert.match(src.text, /int main\(\)/);
  assert.equal(src.file, 'src/main.cpp');
  const outline = await call(client, 'get_file_outline', { file: 'include/shapes.h' });
  assert.equal(outline.file, 'include/shapes.h');
  assert.ok(outline.symbols.length >= 1);
  const bySuffix = await call(client, 'get_file_outline', { file: 'shapes.h' });
  assert.equal(bySuffix.file, 'include/shapes.h');
});

test('paths outside the project are refused with -32602 naming the argument', async () => {
  for (const file of ['/etc/passwd', '../../../../etc/passwd', `${root}/../outside.h`]) {
    await assert.rejects(client.callTool({ name: 'get_file_outline', arguments: { file } }),
      (e) => e instanceof McpError && e.code === -32602 && /'file'/.test(e.message));
  }
  await assert.rejects(
    client.callTool({ name: 'find_symbols', arguments: { pattern: 'x', file: '/etc/hosts' } }),
    (e) => e instanceof McpError && e.code === -32602);
});

test('bad arguments are -32602 errors that name the argument', async () => {
  const cases = [
    ['find_symbols', { pattern: 'x', limit: 0 }, /'limit'/],
    ['find_symbols', { pattern: 'x', kinds: ['gizmo'] }, /'kinds\[0\]'/],
    ['find_symbols', { pattern: '(', match: 'regex' }, /'pattern'/],
    ['get_class_hierarchy', { name: 'geo::Shape', direction: 'sideways' }, /'direction'/],
    ['find_references', { name: 'x', roles: ['sing'] }, /'roles\[0\]'/],
    ['get_symbol_info', {}, /'name'/],
    ['no_such_tool', {}, /unknown tool/],
  ];
  for (const [name, args, re] of cases) {
    await assert.rejects(client.callTool({ name, arguments: args }),
      (e) => e instanceof McpError && e.code === -32602 && re.test(e.message),
      `${name} ${JSON.stringify(args)}`);
  }
});

test('sync_project: an incremental refresh with nothing changed', async () => {
  const sc = await call(client, 'sync_project', { mode: 'incremental', wait_seconds: 120 });
  assert.equal(sc.state, 'ready');
  assert.equal(sc.last_refresh.nothing_changed, true);
  const st = await call(client, 'sync_project', {});
  assert.equal(st.state, 'ready');
});

test('get_server_status: cache, health and query statistics', async () => {
  const sc = await call(client, 'get_server_status', {});
  assert.equal(sc.state, 'ready');
  assert.equal(sc.project.root, root);
  assert.ok(sc.cache.symbols > 100);
  assert.equal(sc.cache.health.ok, true, JSON.stringify(sc.cache.health));
  assert.ok(Object.keys(sc.query_stats).length >= 1);
});

test('a text rendering comes with every result', async () => {
  const r = await client.callTool({ name: 'find_symbols', arguments: { pattern: 'Shape' } });
  checkResult('find_symbols', r);
  assert.match(r.content[0].text, /geo::Shape include\/shapes\.h:30:7/);
  assert.ok(!r.content[0].text.trimStart().startsWith('{'), 'the text is not JSON');
});
