import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'server/dist/bin/cli.js');
export const SAMPLE = path.join(REPO_ROOT, 'test/fixtures/sample-workspace');
/** Scratch workspaces live inside the repo so `vitest`, `@playwright/test` ... resolve from its node_modules. */
const SCRATCH = path.join(REPO_ROOT, 'test/fixtures/.tmp');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

/** Runs the built CLI as a child process, the way users and CI run it (stdout is a pipe, so no colour). */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<CliResult> {
  const env = { ...process.env, ...options.env };
  delete env.FORCE_COLOR;
  if (options.env && 'FORCE_COLOR' in options.env) env.FORCE_COLOR = options.env.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A throwaway workspace (package.json + tsconfig + the given files); remove it with the returned function. */
export function scratchWorkspace(name: string, files: Record<string, string | Buffer>): { dir: string; remove: () => void } {
  const dir = path.join(SCRATCH, `${name}-${process.pid}-${Date.now().toString(36)}`);
  const all: Record<string, string | Buffer> = {
    'package.json': JSON.stringify({ name, private: true, type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
    }),
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
