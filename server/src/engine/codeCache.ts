import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

/**
 * Requires a CommonJS package with a V8 code cache for its large files: ts-morph's bundled compiler is 9 MB of
 * JavaScript that every process (check, explain, the language server's engine) compiles again, and compiles further
 * as the parser and checker run. With the cache, V8 reads that code back instead (about 0.25 s less per `check`).
 * Node 22 does this for every module (module.enableCompileCache) and is used when present; Node 20 has no such thing.
 *
 * The cache lives in the user's cache directory (never a shared temporary one: V8 runs what it reads there), keyed by
 * the file's path, size and mtime and the Node version; V8 itself rejects data made by another V8 or with other
 * flags, and the cache is then made again. NODE_DISABLE_COMPILE_CACHE turns it off, NODE_COMPILE_CACHE moves it,
 * as they do for Node's own.
 */
export function requireWithCodeCache(specifier: string, parentUrl: string): unknown {
  const require = createRequire(parentUrl);
  const directory = cacheDirectory();
  if (!directory) return require(specifier);
  const builtin = (Module as unknown as { enableCompileCache?: (directory: string) => unknown }).enableCompileCache;
  if (typeof builtin === 'function') {
    builtin(directory);
    return require(specifier);
  }
  const prototype = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
  const original = prototype._compile;
  const extensions = (Module as unknown as { _extensions: Record<string, LoadExtension> })._extensions;
  const originalJs = extensions['.js']!;
  // Node 20 reads a module with readFileSync(file, 'utf8'), which takes 130-180 ms for the compiler's 9 MB where
  // reading the bytes and decoding them takes 40-110 ms.
  extensions['.js'] = function load(this: unknown, module: LoadingModule, filename: string): unknown {
    let bytes: Buffer;
    try {
      if (fs.statSync(filename).size < MIN_CACHED_SIZE) return originalJs.call(this, module, filename);
      bytes = fs.readFileSync(filename);
    } catch {
      return originalJs.call(this, module, filename);
    }
    const content = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    return module._compile(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content, filename);
  };
  prototype._compile = function compile(this: LoadingModule, content: string, filename: string): unknown {
    if (content.length < MIN_CACHED_SIZE) return original.call(this, content, filename);
    const script = cachedScript(content, filename, directory);
    if (!script) return original.call(this, content, filename);
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, path.dirname(filename));
  };
  try {
    return require(specifier);
  } finally {
    prototype._compile = original;
    extensions['.js'] = originalJs;
  }
}

/** What the cache did in this process: files compiled from it, caches V8 rejected, caches written at exit. */
export const codeCacheStats = { used: 0, rejected: 0, written: 0 };

type Compile = (this: LoadingModule, content: string, filename: string) => unknown;
type LoadExtension = (this: unknown, module: LoadingModule, filename: string) => unknown;
interface LoadingModule {
  exports: unknown;
  _compile(content: string, filename: string): unknown;
}

/** A partial cache write this old belongs to a process that died writing it. */
const STALE_PARTIAL_WRITE_MS = 10 * 60_000;

/** Smaller files compile in a few milliseconds: reading a cache for them would cost as much. */
const MIN_CACHED_SIZE = 1_000_000;

function cacheDirectory(): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    // os.homedir() throws when neither HOME nor the password database says.
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    const directory = process.env.NODE_COMPILE_CACHE || path.join(base, 'flakelens', 'v8-code-cache');
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    // Code from a directory someone else controls is not run.
    if (typeof process.getuid === 'function' && fs.statSync(directory).uid !== process.getuid()) return undefined;
    return directory;
  } catch {
    return undefined;
  }
}

/** The file compiled with its cached code when there is valid cached code; the cache is (re)written at exit. */
function cachedScript(content: string, filename: string, directory: string): vm.Script | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filename);
  } catch {
    return undefined;
  }
  const hash = (parts: unknown[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 24);
  // One prefix per file on disk (another install of the same package has its own), one name per version of it.
  const prefix = `${path.basename(filename).replace(/[^\w.-]/g, '_')}-${hash([filename])}-`;
  const cacheFile = path.join(directory, `${prefix}${hash([process.version, process.arch, stat.size, stat.mtimeMs])}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(Module.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
  if (cachedData && !script.cachedDataRejected) {
    codeCacheStats.used++;
    return script;
  }
  if (cachedData) codeCacheStats.rejected++;
  // At exit, the cache holds every function compiled by then (the parser, the checker), not only the top level.
  process.once('exit', () => writeCache(directory, prefix, cacheFile, script));
  return script;
}

function writeCache(directory: string, prefix: string, cacheFile: string, script: vm.Script): void {
  try {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temporary, cacheFile);
    codeCacheStats.written++;
    // Caches of earlier versions of the same file (an upgrade changed its size or mtime) are of no further use, nor
    // are the partial writes of processes killed while writing (older than any write in progress).
    for (const name of fs.readdirSync(directory)) {
      if (!name.startsWith(prefix)) continue;
      const file = path.join(directory, name);
      if (name.endsWith('.bin') && file !== cacheFile) fs.rmSync(file, { force: true });
      else if (name.endsWith('.tmp') && Date.now() - fs.statSync(file).mtimeMs > STALE_PARTIAL_WRITE_MS) fs.rmSync(file, { force: true });
    }
  } catch {
    // A cache that cannot be written only costs the next process its speed-up.
  }
}
