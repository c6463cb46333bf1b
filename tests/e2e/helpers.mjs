// helpers.mjs - what the end-to-end suites share: the cidx binary, golden projects laid out in
// a temporary directory, an MCP client (the official TypeScript SDK) connected to `cidx serve`
// over stdio, and output-schema validation with Ajv (draft 2020-12, the dialect MCP names, and
// draft-07, what the SDK's own validator speaks).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';

const here = dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.CIDX_SOURCE_DIR ?? resolve(here, '..', '..');

export function cidxBin() {
  const bin = process.env.CIDX_BIN;
  if (!bin) throw new Error('CIDX_BIN is not set: the path of the built cidx (ctest sets it)');
  return bin;
}

export function tempDir(tag) {
  return realpathSync(mkdtempSync(join(tmpdir(), `cidx-e2e-${tag}-`)));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// Lays out tests/golden/PROJECT under dir and returns its canonical root.
export function instantiate(dir, project) {
  const out = execFileSync('bash', [join(sourceDir, 'tests/golden/instantiate.sh'),
    join(dir, project), project], { encoding: 'utf8' });
  return out.trim();
}

// Starts `cidx serve` (extra args, extra environment) and connects an SDK client to it.
export async function connect({ args = [], env = {}, cacheDir } = {}) {
  const transport = new StdioClientTransport({
    command: cidxBin(),
    args: ['serve', ...args],
    env: { ...process.env, CLANG_INDEX_CACHE_DIR: cacheDir, ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'cidx-e2e', version: '1.0.0' });
  let stderr = '';
  transport.stderr?.on('data', (d) => { stderr += d.toString(); });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

// Closes the client (the server exits when its input closes) and checks that the server's stderr
// holds no sanitizer report (the Sanitize build runs this suite too).
export async function close(conn) {
  await conn.client.close();
  await new Promise((r) => setImmediate(r));
  assert.doesNotMatch(conn.stderr(), /AddressSanitizer|LeakSanitizer|runtime error:/,
    'the server reported a sanitizer error');
}

const ajv2020 = new Ajv2020({ strict: false, allErrors: true });
const ajv07 = new Ajv({ strict: false, allErrors: true });
const validators = new Map();

// Remembers the output schema of every tool of a tools/list answer (compiled in both dialects).
export function learnSchemas(tools) {
  for (const t of tools) {
    validators.set(t.name, [ajv2020.compile(t.outputSchema), ajv07.compile(t.outputSchema)]);
  }
}

// Asserts that a tool result validates against the tool's output schema; returns the data.
export function checkResult(name, result) {
  assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.equal(result.content.length, 1, `${name}: one text item`);
  assert.equal(result.content[0].type, 'text');
  assert.ok(result.content[0].text.length <= 100 * 1024, `${name}: text over 100 KB`);
  const sc = result.structuredContent;
  assert.ok(sc && typeof sc === 'object', `${name}: no structuredContent`);
  for (const v of validators.get(name) ?? []) {
    const ok = v(sc);
    assert.ok(ok, `${name}: structuredContent does not match outputSchema: ` +
      `${JSON.stringify(v.errors)}\n${JSON.stringify(sc).slice(0, 2000)}`);
  }
  return sc;
}

// Calls a tool and checks its result against the output schema.
export async function call(client, name, args = {}, options = {}) {
  const result = await client.callTool({ name, arguments: args }, undefined, options);
  return checkResult(name, result);
}
