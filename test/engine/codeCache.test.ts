import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The V8 code cache for large CommonJS files (engine/codeCache.ts), in fresh processes of the built module as the CLI
// and the server use it: the package must behave exactly as when Node loads it, whether the cache is made, used,
// rejected (corrupt), renewed after the file changed, or turned off.

const DIST = path.resolve(__dirname, '../../server/dist/engine/codeCache.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-code-cache-'));
const cacheDir = path.join(root, 'cache');
const pkg = path.join(root, 'node_modules', 'bigpkg');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function writePackage(version: number): void {
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'bigpkg', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'helper.js'), 'exports.twice = (n) => n * 2;\n');
  // Over the 1 MB threshold: many small functions, as a bundle has.
  const functions = Array.from({ length: 30_000 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n');
  fs.writeFileSync(
    path.join(pkg, 'index.js'),
    `'use strict';\nconst { twice } = require('./helper');\n${functions}\nmodule.exports = { version: ${version}, dir: __dirname, file: __filename, sum: f29999(1), twice: twice(21), self: module.id === __filename };\n`,
  );
}

const script = `
import { codeCacheStats, requireWithCodeCache } from ${JSON.stringify(pathToFileURL(DIST).href)};
const loaded = requireWithCodeCache('bigpkg', ${JSON.stringify(pathToFileURL(path.join(root, 'entry.mjs')).href)});
process.on('exit', () => console.log(JSON.stringify({ loaded, stats: codeCacheStats })));
`;

function run(env: Record<string, string> = {}): { loaded: Record<string, unknown>; stats: { used: number; rejected: number; written: number } } {
  const { NODE_DISABLE_COMPILE_CACHE: _off, ...inherited } = process.env;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...inherited, NODE_COMPILE_CACHE: cacheDir, ...env } });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}

const cacheFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.endsWith('.bin')) : []);

describe.skipIf(typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function')('code cache on Node without module.enableCompileCache', () => {
  const expected = (version: number) => ({ version, dir: pkg, file: path.join(pkg, 'index.js'), sum: 30000, twice: 42, self: true });

  it('makes the cache at exit, uses it in the next process, and the package behaves the same either way', () => {
    writePackage(1);
    const first = run();
    expect(first.loaded).toEqual(expected(1));
    expect(first.stats).toEqual({ used: 0, rejected: 0, written: 1 });
    expect(cacheFiles()).toHaveLength(1);
    const second = run();
    expect(second.loaded).toEqual(expected(1));
    expect(second.stats).toEqual({ used: 1, rejected: 0, written: 0 });
  });

  it('makes a new cache when the file changed and drops the old one', () => {
    const before = cacheFiles();
    writePackage(2);
    const changed = run();
    expect(changed.loaded).toEqual(expected(2));
    expect(changed.stats).toEqual({ used: 0, rejected: 0, written: 1 });
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()).not.toEqual(before);
  });

  it('compiles from source when the cached data is corrupt, and replaces it', () => {
    const [file] = cacheFiles();
    fs.writeFileSync(path.join(cacheDir, file!), Buffer.alloc(4096, 7));
    const corrupt = run();
    expect(corrupt.loaded).toEqual(expected(2));
    expect(corrupt.stats).toEqual({ used: 0, rejected: 1, written: 1 });
    expect(run().stats).toEqual({ used: 1, rejected: 0, written: 0 });
  });

  it('removes partial writes left by killed processes, not ones that may still be in progress', () => {
    const [file, ...others] = cacheFiles();
    expect(others).toEqual([]); // only bigpkg's cache, so the partial writes below carry its prefix
    const stale = path.join(cacheDir, `${file}.999991.tmp`);
    const fresh = path.join(cacheDir, `${file}.999992.tmp`);
    fs.writeFileSync(stale, 'partial');
    fs.writeFileSync(fresh, 'partial');
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    fs.rmSync(path.join(cacheDir, file!)); // so that this run writes the cache again
    expect(run().stats.written).toBe(1);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    fs.rmSync(fresh);
  });

  it('reads a large file with a byte-order mark and non-ASCII text as Node does', () => {
    const utf = path.join(root, 'node_modules', 'bigutf');
    fs.mkdirSync(utf, { recursive: true });
    fs.writeFileSync(path.join(utf, 'package.json'), JSON.stringify({ name: 'bigutf', main: 'index.js' }));
    const padding = Array.from({ length: 30_000 }, (_, i) => `function g${i}() { return ${i}; }`).join('\n');
    fs.writeFileSync(path.join(utf, 'index.js'), `\ufeff'use strict';\n${padding}\nmodule.exports = { text: 'héllo ☃ 𝄞', length: 'héllo ☃ 𝄞'.length };\n`);
    const load = `import { requireWithCodeCache } from ${JSON.stringify(pathToFileURL(DIST).href)};
console.log(JSON.stringify(requireWithCodeCache('bigutf', ${JSON.stringify(pathToFileURL(path.join(root, 'entry.mjs')).href)})));`;
    const { NODE_DISABLE_COMPILE_CACHE: _off, ...inherited } = process.env;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', load], { cwd: root, encoding: 'utf8', env: { ...inherited, NODE_COMPILE_CACHE: cacheDir } });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout.trim())).toEqual({ text: 'héllo ☃ 𝄞', length: 'héllo ☃ 𝄞'.length });
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE', () => {
    const off = run({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(off.loaded).toEqual(expected(2));
    expect(off.stats).toEqual({ used: 0, rejected: 0, written: 0 });
  });
});
