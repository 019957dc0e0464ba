import { execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'server/dist/bin/cli.js');
export const EXAMPLES = path.join(REPO_ROOT, 'client-examples');
const DRIVERS = path.join(__dirname, 'drivers');
const SAMPLE = path.join(REPO_ROOT, 'test/fixtures/sample-workspace');
/** Inside the repository so `vitest` types resolve from its node_modules, as in a real project. */
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');

/** CI must run every editor test: a missing editor there is a failure, not a skip. */
export const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

export type Editor = 'nvim' | 'eglot' | 'lsp-mode';

/** Why the editor cannot run here, or undefined when it can. */
export function missingEditor(editor: Editor): string | undefined {
  const probe = (cmd: string, args: string[]): string | undefined => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    } catch {
      return undefined;
    }
  };
  if (editor === 'nvim') return probe('nvim', ['--version']) ? undefined : 'nvim is not installed (apt-get install neovim)';
  const feature = editor === 'eglot' ? 'eglot' : 'lsp-mode';
  const out = probe('emacs', ['--batch', '--eval', `(progn (package-initialize) (princ (if (locate-library "${feature}") "yes" "no")))`]);
  if (out === undefined) return 'emacs is not installed (apt-get install emacs-nox)';
  return out.trim().endsWith('yes') ? undefined : `${feature} is not installed (apt-get install elpa-${feature})`;
}

export interface Project {
  root: string;
  /** The test file the editors open. */
  file: string;
  tarball: string;
  remove(): void;
}

function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd, encoding: 'utf8', timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * A small project installed the way the README says: `npm pack` in the repository, then
 * `npm install --save-dev ./flakelens-<version>.tgz` in the project. It is its own git repository, so editors
 * (project.el, lsp-mode) take it as the workspace root rather than this repository.
 */
export async function prepareProject(): Promise<Project> {
  fs.mkdirSync(FIXTURES, { recursive: true });
  const root = fs.mkdtempSync(path.join(FIXTURES, '.tmp-editors-'));
  for (const name of ['flakelens.config.json', 'tsconfig.json', 'src/cart.ts', 'tests/unit/cart.test.ts']) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.copyFileSync(path.join(SAMPLE, name), path.join(root, name));
  }
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'editor-project', private: true, version: '1.0.0', type: 'module' }, null, 2));
  execFileSync('git', ['init', '-q', root]);
  // `npm test` has just built server/dist, so the prepack build is skipped here; the README's `npm pack` runs it.
  const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', root], REPO_ROOT)) as Array<{ filename: string }>;
  const tarball = path.join(root, packed[0]!.filename);
  await npm(['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', `./${path.basename(tarball)}`], root);
  return { root, file: path.join(root, 'tests/unit/cart.test.ts'), tarball, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

export interface EditorDiagnostic {
  code: string;
  severity: number;
  message: string;
  href: string | null;
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

export interface EditorRun {
  editor: string;
  error?: string;
  mode?: string;
  filetype?: string;
  firstDiagnosticsMs: number;
  editLatencyMs: number;
  initial: EditorDiagnostic[];
  afterEdit: EditorDiagnostic[];
  afterFix: EditorDiagnostic[];
  offered: string[];
  fixedLine: string;
  text: string;
  hover: string | null;
  wallMs: number;
  [key: string]: unknown;
}

export interface Scenario {
  /** 0-based line whose `it(` the driver turns into `it.only(`. */
  editLine: number;
  /** 0-based position to hover. */
  hoverLine: number;
  hoverCharacter: number;
  /** The server command: the installed package through npx (the examples' default) or FLAKELENS_BIN. */
  server: 'installed' | 'path';
  /** `startup`: stop once the first diagnostics are shown (the server command is all that differs between runs). */
  steps?: 'all' | 'startup';
}

/**
 * Starts the real editor with the shipped example config, unchanged: Neovim with `-u client-examples/neovim/init.lua`,
 * Emacs with `-l client-examples/emacs/<file>.el`. The only parameter is the documented FLAKELENS_BIN. The driver
 * script then acts as the user and writes what the editor saw to a JSON file.
 */
export function runEditor(editor: Editor, project: Project, scenario: Scenario): Promise<EditorRun> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `flakelens-${editor}-`));
  const out = path.join(scratch, 'out.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: scratch,
    TMPDIR: scratch,
    XDG_CONFIG_HOME: path.join(scratch, 'config'),
    XDG_DATA_HOME: path.join(scratch, 'data'),
    XDG_CACHE_HOME: path.join(scratch, 'cache'),
    XDG_STATE_HOME: path.join(scratch, 'state'),
    FLAKELENS_EDITOR_OUT: out,
    FLAKELENS_EDITOR_FILE: project.file,
    FLAKELENS_EDITOR_EDIT_LINE: String(scenario.editLine),
    FLAKELENS_EDITOR_HOVER_LINE: String(scenario.hoverLine),
    FLAKELENS_EDITOR_HOVER_COL: String(scenario.hoverCharacter),
  };
  delete env.FLAKELENS_BIN;
  env.FLAKELENS_EDITOR_STEPS = scenario.steps ?? 'all';
  if (scenario.server === 'path') env.FLAKELENS_BIN = CLI;
  const [command, args] =
    editor === 'nvim'
      ? ['nvim', ['--headless', '-i', 'NONE', '-u', path.join(EXAMPLES, 'neovim/init.lua'), '-c', `luafile ${path.join(DRIVERS, 'nvim.lua')}`]]
      : ['emacs', ['--batch', '-l', path.join(DRIVERS, 'common.el'), '-l', path.join(EXAMPLES, 'emacs', editor === 'eglot' ? 'flakelens-eglot.el' : 'flakelens-lsp-mode.el'), '-l', path.join(DRIVERS, `${editor}.el`)]];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args as string[], { cwd: project.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The drivers bound every wait themselves (60 s); this only catches an editor that hangs outright.
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!fs.existsSync(out)) {
        reject(new Error(`${editor} exited (${code ?? signal}) without a result\n${output.slice(-4000)}`));
        return;
      }
      const run = JSON.parse(fs.readFileSync(out, 'utf8')) as EditorRun;
      run.wallMs = Date.now() - started;
      fs.rmSync(scratch, { recursive: true, force: true });
      resolve(run);
    });
  });
}
