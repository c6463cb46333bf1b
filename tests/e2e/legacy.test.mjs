// legacy.test.mjs - `cidx serve --tool-set=legacy` through the official MCP TypeScript SDK
// client: the sixteen tools of the plan's Python server with its names and parameters, every
// one called on the cpp_features golden project with answers from its FACTS.md, every result
// valid against its outputSchema (Ajv, both dialects), the {data, metadata} wrapper with status
// complete, and partial while the broken project (CIDX_TEST_HOOKS=1: a parse that hangs) keeps
// indexing; case-insensitive patterns searched anywhere in the name, project_only,
// class_name filters, wait_for_indexing with timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

import { call, close, connect, instantiate, learnSchemas, removeDir, tempDir }
  from './helpers.mjs';

const LEGACY = ['--tool-set=legacy'];
const LONG = { timeout: 400000 };

// Every tool with its parameters, as the Python server named them.
const PARAMS = {
  search_classes: ['pattern', 'project_only', 'file_name'],
  search_functions: ['pattern', 'project_only', 'class_name', 'file_name'],
  search_symbols: ['pattern', 'project_only', 'symbol_types'],
  get_class_info: ['class_name'],
  get_function_signature: ['function_name', 'class_name'],
  find_in_file: ['file_path', 'pattern'],
  set_project_directory: ['project_path', 'config_file', 'auto_refresh'],
  refresh_project: ['incremental', 'force_full'],
  get_server_status: [],
  get_indexing_status: [],
  wait_for_indexing: ['timeout'],
  get_class_hierarchy: ['class_name'],
  get_derived_classes: ['class_name', 'project_only'],
  find_callers: ['function_name', 'class_name'],
  find_callees: ['function_name', 'class_name'],
  get_call_path: ['from_function', 'to_function', 'max_depth'],
};
const REQUIRED = {
  search_classes: ['pattern'], search_functions: ['pattern'], search_symbols: ['pattern'],
  get_class_info: ['class_name'], get_function_signature: ['function_name'],
  find_in_file: ['file_path', 'pattern'], set_project_directory: ['project_path'],
  get_class_hierarchy: ['class_name'], get_derived_classes: ['class_name'],
  find_callers: ['function_name'], find_callees: ['function_name'],
  get_call_path: ['from_function', 'to_function'],
};

let dir, root, conn, client;

// A query result: {data, metadata} with metadata complete.
async function query(name, args) {
  const sc = await call(client, name, args);
  assert.ok('data' in sc, `${name}: no data`);
  assert.equal(sc.metadata.status, 'complete', `${name}: ${JSON.stringify(sc.metadata)}`);
  assert.equal(sc.metadata.warning, null);
  assert.equal(sc.metadata.indexed_files, sc.metadata.total_files);
  assert.ok(sc.metadata.total_files >= 4, JSON.stringify(sc.metadata));
  assert.equal(sc.metadata.completion_percentage, 100);
  assert.match(sc.metadata.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return sc;
}

const names = (list) => list.map((x) => x.qualified_name).sort();

async function rejectsBadArgs(name, args, re) {
  await assert.rejects(client.callTool({ name, arguments: args }),
    (e) => e instanceof McpError && e.code === -32602 && re.test(e.message),
    `${name} ${JSON.stringify(args)}`);
}

before(async () => {
  dir = tempDir('legacy');
  root = instantiate(dir, 'cpp_features');
  conn = await connect({ args: LEGACY, cacheDir: `${dir}/cache` });
  client = conn.client;
  learnSchemas((await client.listTools()).tools);
  const sc = await call(client, 'set_project_directory', { project_path: root });
  assert.equal(sc.project_path, root);
  assert.equal(sc.state, 'indexing');
  assert.match(sc.message, /Indexing started in background/);
  const w = await call(client, 'wait_for_indexing', { timeout: 300 }, LONG);
  assert.equal(w.status, 'complete', JSON.stringify(w));
  assert.equal(w.completed, true);
  assert.equal(w.state, 'indexed');
  assert.equal(w.failed_files, 0);
  assert.match(w.message, /Indexing complete/);
});

after(async () => {
  if (conn) await close(conn);
  removeDir(dir);
});

test('tools/list has exactly the sixteen tools, with their parameters and defaults', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(PARAMS).sort());
  for (const t of tools) {
    assert.deepEqual(Object.keys(t.inputSchema.properties ?? {}).sort(),
      [...PARAMS[t.name]].sort(), t.name);
    assert.deepEqual([...(t.inputSchema.required ?? [])].sort(),
      [...(REQUIRED[t.name] ?? [])].sort(), t.name);
    assert.equal(t.outputSchema.type, 'object', t.name);
    assert.ok(t.description.length > 40, t.name);
    if (t.inputSchema.properties?.project_only)
      assert.equal(t.inputSchema.properties.project_only.default, true, t.name);
  }
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  assert.equal(byName.wait_for_indexing.inputSchema.properties.timeout.type, 'number');
  assert.equal(byName.wait_for_indexing.inputSchema.properties.timeout.default, 60);
  assert.equal(byName.get_call_path.inputSchema.properties.max_depth.default, 10);
  assert.equal(byName.refresh_project.inputSchema.properties.incremental.default, true);
  assert.equal(byName.refresh_project.inputSchema.properties.force_full.default, false);
  assert.equal(byName.set_project_directory.inputSchema.properties.auto_refresh.default, true);
  // the instructions speak of the legacy tools
  assert.match(client.getInstructions(), /set_project_directory/);
});

test('get_indexing_status, get_server_status and wait_for_indexing once indexed', async () => {
  const st = await call(client, 'get_indexing_status', {});
  assert.equal(st.state, 'indexed');
  assert.equal(st.is_fully_indexed, true);
  assert.equal(st.is_ready_for_queries, true);
  assert.equal(st.progress.indexed_files, st.progress.total_files);
  assert.equal(st.progress.completion_percentage, 100);
  assert.equal(st.project_path, root);
  const ss = await call(client, 'get_server_status', {});
  assert.equal(ss.analyzer_type, 'cidx');
  assert.equal(ss.call_graph_enabled, true);
  assert.equal(ss.compile_commands_enabled, true);
  assert.equal(ss.compile_commands_path, `${root}/compile_commands.json`);
  assert.ok(ss.project_files >= 8, JSON.stringify(ss)); // four sources, four headers
  assert.ok(ss.indexed_classes >= 101 + 10, JSON.stringify(ss)); // deep's 101 structs and more
  assert.ok(ss.indexed_functions > 50, JSON.stringify(ss));
  const w = await call(client, 'wait_for_indexing', { timeout: 0.5 });
  assert.equal(w.status, 'already_complete');
  assert.equal(w.completed, true);
  // the same project again: nothing to do
  const again = await call(client, 'set_project_directory', { project_path: root,
    auto_refresh: false });
  assert.equal(again.state, 'indexed');
  assert.equal(again.auto_refresh, false);
});

test('search_classes: case-insensitive regex anywhere in the name, file_name', async () => {
  let sc = await query('search_classes', { pattern: 'circ' });
  assert.deepEqual(names(sc.data), ['geo::Circle']);
  const circle = sc.data[0];
  assert.equal(circle.name, 'Circle');
  assert.equal(circle.kind, 'class');
  assert.equal(circle.file, `${root}/include/shapes.h`);
  assert.equal(circle.line, 55);
  assert.equal(circle.column, 7);
  assert.equal(circle.is_project, true);
  assert.deepEqual(circle.base_classes, ['geo::Shape']);
  assert.equal(circle.start_line, 55);
  assert.equal(circle.end_line, 63);
  assert.equal(circle.brief, 'A circle: single inheritance.');
  // upper case finds lower, anchors work, and the match is anywhere in the name
  sc = await query('search_classes', { pattern: 'SHAPE$' });
  assert.deepEqual(names(sc.data), ['geo::Shape']);
  sc = await query('search_classes', { pattern: 'HAP' });
  assert.deepEqual(names(sc.data), ['geo::Shape']);
  sc = await query('search_classes', { pattern: '^deep\\d+$' });
  assert.equal(sc.data.length, 101);
  assert.ok(sc.data.every((c) => c.kind === 'struct'));
  const d50 = sc.data.find((c) => c.name === 'Deep50');
  assert.deepEqual(d50.base_classes, ['deep::Deep49']);
  assert.equal(d50.line, 59);
  // structs count, unions and enums do not
  sc = await query('search_classes', { pattern: '^(named|number|color)$' });
  assert.deepEqual(names(sc.data), ['geo::Named']);
  // file_name as a file name
  sc = await query('search_classes', { pattern: '', file_name: 'templates.h' });
  assert.ok(sc.data.length >= 5);
  assert.ok(sc.data.every((c) => c.file === `${root}/include/templates.h`));
  assert.ok(names(sc.data).includes('tmpl::IntStack'));
  // nothing: empty data and a hint
  sc = await query('search_classes', { pattern: 'zzzNothing' });
  assert.deepEqual(sc.data, []);
  assert.match(sc.hint, /no class/);
});

test('search_functions: class_name keeps one class, signatures and parents', async () => {
  let sc = await query('search_functions', { pattern: '^add$' });
  assert.equal(sc.data.length, 3);
  assert.ok(sc.data.every((f) => f.qualified_name === 'outer::inner::add' &&
    f.kind === 'function' && f.parent_class === ''));
  const addInt = sc.data.find((f) => f.signature === 'int outer::inner::add(int a, int b)');
  assert.ok(addInt, JSON.stringify(sc.data));
  assert.equal(addInt.file, `${root}/src/util.cpp`);
  assert.equal(addInt.line, 12);
  assert.equal(addInt.header_file, `${root}/include/util.h`);
  assert.equal(addInt.header_start_line, 17);
  assert.equal(addInt.brief, 'Adds two ints.');
  sc = await query('search_functions', { pattern: 'AREA', class_name: 'Circle' });
  assert.deepEqual(names(sc.data), ['geo::Circle::area']);
  assert.equal(sc.data[0].kind, 'method');
  assert.equal(sc.data[0].parent_class, 'geo::Circle');
  sc = await query('search_functions', { pattern: '^area$', class_name: 'geo::Shape' });
  assert.deepEqual(names(sc.data), ['geo::Shape::area']);
  sc = await query('search_functions', { pattern: '^area$' });
  assert.deepEqual(names(sc.data),
    ['geo::Circle::area', 'geo::Shape::area', 'geo::Square::area']);
  // constructors are methods
  sc = await query('search_functions', { pattern: '^Shape$', class_name: 'Shape' });
  assert.equal(sc.data.length, 4);
  sc = await query('search_functions', { pattern: 'x', class_name: 'NoSuchClass' });
  assert.deepEqual(sc.data, []);
  assert.match(sc.hint, /no class named/);
  sc = await query('search_functions', { pattern: 'square|cube', file_name: 'include/util.h' });
  assert.deepEqual(names(sc.data), ['outer::deepns::cube', 'outer::deepns::square']);
});

test('search_symbols: classes and functions at once, symbol_types', async () => {
  let sc = await query('search_symbols', { pattern: 'NAMED' });
  assert.deepEqual(names(sc.data.classes), ['geo::Named']);
  assert.deepEqual(names(sc.data.functions), ['geo::Named::~Named']);
  sc = await query('search_symbols', { pattern: 'named', symbol_types: ['function'] });
  assert.deepEqual(sc.data.classes, []);
  assert.deepEqual(sc.data.functions, []);
  sc = await query('search_symbols', { pattern: 'named', symbol_types: ['struct', 'method'] });
  assert.deepEqual(names(sc.data.classes), ['geo::Named']);
  assert.deepEqual(names(sc.data.functions), ['geo::Named::~Named']);
});

test('find_in_file: the symbols located in one file', async () => {
  let sc = await query('find_in_file', { file_path: 'include/util.h', pattern: 'SQUARE|cube' });
  assert.deepEqual(names(sc.data), ['outer::deepns::cube', 'outer::deepns::square']);
  sc = await query('find_in_file', { file_path: `${root}/src/main.cpp`, pattern: '' });
  assert.ok(names(sc.data).includes('main'));
  assert.ok(names(sc.data).includes('Doubler'));
  assert.ok(sc.data.every((s) => s.file === `${root}/src/main.cpp`));
  const doubler = sc.data.find((s) => s.qualified_name === 'Doubler');
  assert.equal(doubler.kind, 'struct');
  assert.deepEqual(doubler.base_classes, []);
  await rejectsBadArgs('find_in_file', { file_path: '/etc/passwd', pattern: '' },
    /'file_path'.*outside the project/);
});

test('get_function_signature: exact names, overloads, class_name', async () => {
  let sc = await query('get_function_signature', { function_name: 'add' });
  assert.deepEqual([...sc.data].sort(), ['outer::inner::add(double a, double b)',
    'outer::inner::add(int a, int b)', 'outer::inner::add(int a, int b, int c)']);
  sc = await query('get_function_signature', { function_name: 'operator<<',
    class_name: 'Sink' });
  assert.deepEqual([...sc.data].sort(), ['geo::Sink::operator<<(const char *text)',
    'geo::Sink::operator<<(int value)']);
  sc = await query('get_function_signature', { function_name: 'area', class_name: 'Circle' });
  assert.deepEqual(sc.data, ['geo::Circle::area() const override']);
  // exact and case-sensitive, as the Python server's lookup
  sc = await query('get_function_signature', { function_name: 'ADD' });
  assert.deepEqual(sc.data, []);
  assert.ok(sc.hint);
});

test('get_class_info: bases, methods, members; not found is data null', async () => {
  let sc = await query('get_class_info', { class_name: 'Circle' });
  const c = sc.data;
  assert.equal(c.qualified_name, 'geo::Circle');
  assert.deepEqual(c.base_classes, ['geo::Shape']);
  assert.deepEqual(c.methods.map((m) => m.name), ['Circle', 'area', 'draw']);
  const draw = c.methods.find((m) => m.name === 'draw');
  assert.equal(draw.access, 'public');
  assert.equal(draw.file, `${root}/src/shapes.cpp`);
  assert.equal(draw.line, 75);
  assert.deepEqual(c.members.map((m) => [m.name, m.access]), [['radius_', 'private']]);
  sc = await query('get_class_info', { class_name: 'geo::Shape' });
  assert.match(sc.data.doc_comment, /abstract: area\(\) is pure virtual/);
  assert.equal(sc.data.methods.length, 12);
  sc = await query('get_class_info', { class_name: 'NoSuchClass' });
  assert.equal(sc.data, null);
  assert.match(sc.hint, /not found/);
});

test('get_class_hierarchy: both directions, a diamond, the deep chain', async () => {
  let sc = await query('get_class_hierarchy', { class_name: 'Shape' });
  let h = sc.data;
  assert.equal(h.name, 'geo::Shape');
  assert.equal(h.class_info.qualified_name, 'geo::Shape');
  assert.deepEqual(h.base_classes, []);
  assert.deepEqual(names(h.derived_classes), ['geo::Circle', 'geo::Square']);
  assert.deepEqual(h.base_hierarchy, { name: 'geo::Shape', base_classes: [] });
  const down = h.derived_hierarchy;
  assert.deepEqual(down.derived_classes.map((d) => d.name).sort(), ['geo::Circle', 'geo::Square']);
  const circle = down.derived_classes.find((d) => d.name === 'geo::Circle');
  assert.deepEqual(circle.derived_classes, [{ name: 'geo::Labeled', derived_classes: [] }]);
  assert.equal(h.truncated, false);
  // the diamond: Node is reached under Left and under Right
  sc = await query('get_class_hierarchy', { class_name: 'Joined' });
  h = sc.data;
  assert.deepEqual(h.base_classes, ['geo::Left', 'geo::Right']);
  for (const side of h.base_hierarchy.base_classes)
    assert.deepEqual(side.base_classes, [{ name: 'geo::Node', base_classes: [] }]);
  // up from Deep100 through 100 ancestors, Deep0 last
  sc = await query('get_class_hierarchy', { class_name: 'Deep100' });
  let node = sc.data.base_hierarchy, depth = 0;
  while (node.base_classes.length) {
    assert.equal(node.base_classes.length, 1);
    node = node.base_classes[0];
    depth++;
  }
  assert.equal(depth, 100);
  assert.equal(node.name, 'deep::Deep0');
  sc = await query('get_class_hierarchy', { class_name: 'NoSuchClass' });
  assert.equal(sc.data, null);
});

test('get_derived_classes: the direct children only', async () => {
  let sc = await query('get_derived_classes', { class_name: 'Shape' });
  assert.deepEqual(names(sc.data), ['geo::Circle', 'geo::Square']);
  assert.ok(sc.data.every((c) => c.base_classes.includes('geo::Shape')));
  sc = await query('get_derived_classes', { class_name: 'Node', project_only: false });
  assert.deepEqual(names(sc.data), ['geo::Left', 'geo::Right']);
  sc = await query('get_derived_classes', { class_name: 'Labeled' });
  assert.deepEqual(sc.data, []);
  assert.ok(sc.hint);
});

test('find_callers: call sites, virtual calls, every function of the name', async () => {
  let sc = await query('find_callers', { function_name: 'draw', class_name: 'Circle' });
  assert.deepEqual(names(sc.data), ['geo::draw_all', 'main']);
  const main = sc.data.find((f) => f.name === 'main');
  assert.deepEqual(main.call_sites.map((s) => s.line).sort(), [35, 36]);
  assert.ok(main.call_sites.every((s) => s.file === `${root}/src/main.cpp`));
  assert.equal(main.call_sites.find((s) => s.line === 35).via, 'geo::Shape::draw');
  const drawAll = sc.data.find((f) => f.name === 'draw_all');
  assert.deepEqual(drawAll.call_sites.map((s) => [s.line, s.column]), [[99, 20]]);
  // three overloads of add: their callers merged
  sc = await query('find_callers', { function_name: 'add' });
  assert.deepEqual(names(sc.data), ['main', 'naïve_total', 'outer::inner::add']);
  assert.deepEqual(sc.data.find((f) => f.name === 'main').call_sites.map((s) => s.line).sort(),
    [39, 40, 41]);
  // a function pointer is not a call
  sc = await query('find_callers', { function_name: 'triple' });
  assert.deepEqual(sc.data, []);
  assert.ok(sc.hint);
});

test('find_callees: what a function calls, with the sites', async () => {
  let sc = await query('find_callees', { function_name: 'draw', class_name: 'geo::Shape' });
  assert.deepEqual(names(sc.data), ['geo::Shape::id', 'geo::Sink::operator<<',
    'geo::Sink::operator<<']);
  const id = sc.data.find((f) => f.name === 'id');
  assert.deepEqual(id.call_sites, [{ file: `${root}/src/shapes.cpp`, line: 50, column: 23 }]);
  assert.equal(id.parent_class, 'geo::Shape');
  sc = await query('find_callees', { function_name: 'main' });
  assert.ok(names(sc.data).includes('outer::deepns::square'));
  assert.ok(!names(sc.data).includes('triple'));
  sc = await query('find_callees', { function_name: 'apply' });
  assert.deepEqual(sc.data, []);
});

test('get_call_path: paths as qualified names, max_depth', async () => {
  let sc = await query('get_call_path', { from_function: 'main', to_function: 'square' });
  assert.deepEqual(sc.data[0], ['main', 'outer::deepns::square']);
  assert.ok(sc.data.some((p) => p.join(' ') === 'main outer::deepns::cube outer::deepns::square'));
  sc = await query('get_call_path', { from_function: 'main', to_function: 'operator<<' });
  assert.ok(sc.data.some((p) => p.join(' ') === 'main geo::Sink::operator<<'));
  assert.ok(sc.data.some((p) =>
    p.join(' ') === 'main geo::draw_all geo::Shape::draw geo::Sink::operator<<'));
  sc = await query('get_call_path', { from_function: 'main', to_function: 'operator<<',
    max_depth: 1 });
  assert.deepEqual(sc.data, [['main', 'geo::Sink::operator<<']]);
  sc = await query('get_call_path', { from_function: 'square', to_function: 'main' });
  assert.deepEqual(sc.data, []);
  assert.ok(sc.hint);
});

test('refresh_project: incremental and full refreshes, waited for', async () => {
  let sc = await call(client, 'refresh_project', {});
  assert.equal(sc.mode, 'incremental');
  assert.equal(sc.forced, false);
  assert.match(sc.message, /mode: incremental/);
  let w = await call(client, 'wait_for_indexing', { timeout: 300 }, LONG);
  assert.equal(w.completed, true);
  sc = await call(client, 'refresh_project', { force_full: true });
  assert.equal(sc.mode, 'full');
  assert.equal(sc.forced, true);
  w = await call(client, 'wait_for_indexing', { timeout: 300 }, LONG);
  assert.equal(w.completed, true);
  assert.equal(w.failed_files, 0);
  sc = await call(client, 'refresh_project', { incremental: false });
  assert.equal(sc.mode, 'full');
  w = await call(client, 'wait_for_indexing', { timeout: 300 }, LONG);
  assert.equal(w.completed, true);
  // answers are whole again
  await query('search_classes', { pattern: 'circ' });
});

test('bad arguments are -32602 errors that name the argument', async () => {
  await rejectsBadArgs('search_classes', {}, /'pattern' is required/);
  await rejectsBadArgs('search_classes', { pattern: '(' }, /'pattern'/);
  await rejectsBadArgs('search_classes', { pattern: 'x', project_only: 'yes' }, /'project_only'/);
  await rejectsBadArgs('search_classes', { pattern: 'x', wait_seconds: 5 },
    /unknown argument 'wait_seconds'/);
  await rejectsBadArgs('search_symbols', { pattern: 'x', symbol_types: ['enum'] },
    /'symbol_types\[0\]'/);
  await rejectsBadArgs('wait_for_indexing', { timeout: -1 }, /'timeout'/);
  await rejectsBadArgs('wait_for_indexing', { timeout: 'soon' }, /'timeout'/);
  await rejectsBadArgs('get_call_path', { from_function: 'main', to_function: 'x',
    max_depth: 0 }, /'max_depth'/);
  await rejectsBadArgs('set_project_directory', { project_path: 'relative/dir' }, /absolute/);
  await rejectsBadArgs('set_project_directory', { project_path: '/no/such/dir' },
    /not a directory/);
  await rejectsBadArgs('find_callers', { class_name: 'X' }, /'function_name' is required/);
  // a main tool is not there
  await assert.rejects(client.callTool({ name: 'find_symbols', arguments: { pattern: 'x' } }),
    (e) => e instanceof McpError && e.code === -32602 && /unknown tool/.test(e.message));
});

test('project_only leaves out dependencies (a config makes include/ one)', async () => {
  const d = tempDir('legacy-deps');
  const r = instantiate(d, 'cpp_features');
  writeFileSync(`${r}/cpp-analyzer-config.json`,
    JSON.stringify({ dependency_directories: ['include'] }));
  const c2 = await connect({ args: [...LEGACY, '--project', r], cacheDir: `${d}/cache` });
  try {
    learnSchemas((await c2.client.listTools()).tools);
    const w = await call(c2.client, 'wait_for_indexing', { timeout: 300 }, LONG);
    assert.equal(w.completed, true, JSON.stringify(w));
    let sc = await call(c2.client, 'search_classes', { pattern: '^circle$' });
    assert.deepEqual(sc.data, []);
    assert.match(sc.hint, /project_only false/);
    sc = await call(c2.client, 'search_classes', { pattern: '^circle$', project_only: false });
    assert.deepEqual(names(sc.data), ['geo::Circle']);
    assert.equal(sc.data[0].is_project, false);
    sc = await call(c2.client, 'search_classes', { pattern: 'doubler' });
    assert.deepEqual(names(sc.data), ['Doubler']);
    assert.equal(sc.data[0].is_project, true);
    sc = await call(c2.client, 'get_derived_classes', { class_name: 'Shape' });
    assert.deepEqual(sc.data, []);
    sc = await call(c2.client, 'get_derived_classes', { class_name: 'Shape',
      project_only: false });
    assert.deepEqual(names(sc.data), ['geo::Circle', 'geo::Square']);
    // a function is located at its definition: square is in include/util.h, add in src/
    sc = await call(c2.client, 'search_functions', { pattern: '^square$' });
    assert.deepEqual(sc.data, []);
    sc = await call(c2.client, 'search_functions', { pattern: '^square$', project_only: false });
    // (and Square's constructors: the pattern is case-insensitive)
    assert.deepEqual(names(sc.data),
      ['geo::Square::Square', 'geo::Square::Square', 'outer::deepns::square']);
    sc = await call(c2.client, 'search_functions', { pattern: '^add$' });
    assert.equal(sc.data.length, 3);
  } finally {
    await close(c2);
    removeDir(d);
  }
});

test('no project yet: queries fail saying to call set_project_directory', async () => {
  const d = tempDir('legacy-none');
  const c3 = await connect({ args: LEGACY, cacheDir: `${d}/cache` });
  try {
    learnSchemas((await c3.client.listTools()).tools);
    const st = await call(c3.client, 'get_indexing_status', {});
    assert.equal(st.state, 'uninitialized');
    assert.equal(st.is_ready_for_queries, false);
    assert.equal(st.progress, null);
    for (const [name, args] of [['search_classes', { pattern: 'x' }],
      ['wait_for_indexing', {}], ['refresh_project', {}], ['get_server_status', {}]]) {
      const r = await c3.client.callTool({ name, arguments: args });
      assert.equal(r.isError, true, name);
      assert.match(r.content[0].text, /set_project_directory/, name);
    }
  } finally {
    await close(c3);
    removeDir(d);
  }
});

// The broken project with a parse that hangs: indexing stays incomplete.
async function slowServer(tag, config) {
  const d = tempDir(tag);
  const r = instantiate(d, 'broken');
  writeFileSync(`${r}/cpp-analyzer-config.json`,
    JSON.stringify({ max_parse_retries: 0, parse_timeout_s: 300, ...config }));
  const c = await connect({ args: LEGACY, cacheDir: `${d}/cache`,
    env: { CIDX_TEST_HOOKS: '1' } });
  learnSchemas((await c.client.listTools()).tools);
  const sc = await call(c.client, 'set_project_directory', { project_path: r });
  assert.equal(sc.state, 'indexing');
  return { d, r, c };
}

test('while indexing: metadata.status partial, wait_for_indexing times out', async () => {
  const { d, c } = await slowServer('legacy-partial', {});
  const cl = c.client;
  try {
    // wait until files are done (the hung one is not), then stop waiting
    const ac = new AbortController();
    await assert.rejects(cl.callTool({ name: 'wait_for_indexing', arguments: { timeout: 600 } },
      undefined, {
        signal: ac.signal,
        timeout: 700000,
        onprogress: (p) => {
          if (p.total > 0 && p.progress > 0) ac.abort('files are done');
        },
      }));
    const sc = await call(cl, 'search_functions', { pattern: '' });
    assert.equal(sc.metadata.status, 'partial');
    assert.match(sc.metadata.warning, /INCOMPLETE RESULTS/);
    assert.ok(sc.metadata.indexed_files >= 1, JSON.stringify(sc.metadata));
    assert.ok(sc.metadata.indexed_files < sc.metadata.total_files, JSON.stringify(sc.metadata));
    assert.ok(sc.metadata.completion_percentage < 100);
    for (const [name, args] of [['search_classes', { pattern: '' }],
      ['get_class_info', { class_name: 'Intact' }], ['find_callers', { function_name: 'x' }]]) {
      const r = await call(cl, name, args);
      assert.equal(r.metadata.status, 'partial', name);
    }
    const w = await call(cl, 'wait_for_indexing', { timeout: 0.2 });
    assert.equal(w.status, 'timeout');
    assert.equal(w.completed, false);
    assert.match(w.message, /Timeout waiting for indexing/);
    const st = await call(cl, 'get_indexing_status', {});
    assert.equal(st.state, 'indexing');
    assert.equal(st.is_fully_indexed, false);
    assert.equal(st.is_ready_for_queries, true);
    assert.ok(st.progress.indexed_files < st.progress.total_files, JSON.stringify(st.progress));
  } finally {
    await close(c);
    removeDir(d);
  }
});

test('query_behavior reject: queries are refused, naming wait_for_indexing', async () => {
  const { d, c } = await slowServer('legacy-reject', { query_behavior: 'reject' });
  try {
    const r = await c.client.callTool({ name: 'search_classes', arguments: { pattern: 'x' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /reject/);
    assert.match(r.content[0].text, /wait_for_indexing/);
  } finally {
    await close(c);
    removeDir(d);
  }
});
