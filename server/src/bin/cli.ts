#!/usr/bin/env node
// Argument parsing and exit codes only: the work is done by the engine (check/rules) or the LSP layer.
const args = process.argv.slice(2);

if (args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  const { startServer } = await import('../lsp/server.js');
  startServer();
} else {
  process.stderr.write('usage: flakelens check [paths] | flakelens rules | flakelens --stdio\n');
  process.exitCode = 2;
}
