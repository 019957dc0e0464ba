import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './harness.js';

// Checks on the shipped editor configs that need no editor. Helix is not packaged in Debian 12, so its config is
// checked here only; Neovim and Emacs are run for real in editors.test.ts.

const read = (file: string) => fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
const ALL = ['neovim/init.lua', 'emacs/flakelens-eglot.el', 'emacs/flakelens-lsp-mode.el', 'helix/languages.toml', 'README.md'];

describe('client-examples', () => {
  it.each(ALL)('%s never uses `npx --no flakelens` (npm hands --stdio to itself)', (file) => {
    // Comments and the README may warn against it.
    const text = read(file).replace(/^\s*(--|;|#).*$/gm, '').replace(/(Do not write|Not)\s+`npx --no flakelens --stdio`/g, '');
    expect(text).not.toMatch(/['"]--no['"]\s*,?\s*['"]flakelens/);
    expect(text).not.toMatch(/npx --no flakelens/);
  });

  it.each(['neovim/init.lua', 'emacs/flakelens-eglot.el', 'emacs/flakelens-lsp-mode.el'])('%s starts the installed package with npx --no-install, or FLAKELENS_BIN', (file) => {
    const text = read(file);
    expect(text).toMatch(/['"]npx['"]\s*,?\s*['"]--no-install['"]\s*,?\s*['"]flakelens['"]\s*,?\s*['"]--stdio['"]/);
    expect(text).toMatch(/FLAKELENS_BIN/);
  });

  it('Neovim: both the 0.11+ vim.lsp.config/enable path and the lspconfig-free 0.7 start_client path exist', () => {
    const text = read('neovim/init.lua');
    expect(text).toMatch(/vim\.fn\.has\('nvim-0\.11'\)/);
    expect(text).toMatch(/vim\.lsp\.config\('flakelens'/);
    expect(text).toMatch(/vim\.lsp\.enable\('flakelens'\)/);
    expect(text).toMatch(/vim\.lsp\.start_client\(/);
    expect(text).toMatch(/vim\.lsp\.buf_attach_client\(/);
    expect(text).not.toMatch(/require\(['"]lspconfig['"]\)/);
  });

  it('Helix: languages.toml parses and runs flakelens next to typescript-language-server', () => {
    const config = parse(read('helix/languages.toml')) as {
      'language-server': Record<string, { command: string; args: string[]; config?: unknown }>;
      language: Array<{ name: string; 'language-servers': string[] }>;
    };
    expect(config['language-server'].flakelens).toEqual({
      command: 'npx',
      args: ['--no-install', 'flakelens', '--stdio'],
      config: { flakelens: { rules: { 'fixed-sleep': 'error' } } },
    });
    expect(config.language.map((l) => l.name)).toEqual(['typescript', 'tsx', 'javascript', 'jsx']);
    for (const language of config.language) expect(language['language-servers']).toEqual(['typescript-language-server', 'flakelens']);
  });

  it('Emacs examples map TypeScript files to a mode that exists on Emacs 28 and use typescript-ts-mode on 29+', () => {
    for (const file of ['emacs/flakelens-eglot.el', 'emacs/flakelens-lsp-mode.el']) {
      const text = read(file);
      expect(text).toMatch(/define-derived-mode flakelens-typescript-mode js-mode/);
      expect(text).toMatch(/treesit-ready-p 'typescript/);
      expect(text).toMatch(/typescript-ts-mode/);
    }
  });
});
