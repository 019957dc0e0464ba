// Preloaded (node -r) by tests into a flakelens process: at exit, says on stderr whether TypeScript was loaded.
const Module = require('node:module');
const original = Module._load;
let loaded = false;
Module._load = function load(request, ...rest) {
  if (/@ts-morph[\\/]common|typescript(\.js)?$/.test(request)) loaded = true;
  return original.call(this, request, ...rest);
};
process.on('exit', () => process.stderr.write(`\ncompiler loaded: ${loaded}\n`));
