#!/usr/bin/env node
// The part of a cold `flakelens check` that no rule can avoid: Node, our modules, loading the compiler, and building
// and binding (creating the checker of) the programs that own the checked test files, through flakelens' own Workspace
// (the same tsconfig ownership, shared parses and parse options as `check`, one checker at a time as `check` keeps
// them), with no rule run and no question asked of a checker. bench/run.mjs times it beside tsc and the cold check in
// the same run: the check's wall minus this is what the rules cost.
// With --first FILE, the language server's floor for an opened document instead: from this script's start (Node is
// up, as the server is when `initialized` arrives), loading the engine and rule modules and the compiler, and building
// and binding the first program the server makes for that document alone; bench/lsp.mjs sets it beside the time to
// the document's first diagnostics.
// Usage: node bench/floor.mjs ROOT [PATH...]        prints the number of programs and source files
//        node bench/floor.mjs ROOT --first FILE     prints the milliseconds to the bound first program
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const started = performance.now();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { Workspace } = await import(pathToFileURL(path.join(ROOT, 'server/dist/workspace/workspace.js')).href);

const root = path.resolve(process.argv[2] ?? '.');
if (process.argv[3] === '--first' && !process.argv[4]) {
  console.error('usage: node bench/floor.mjs ROOT --first FILE');
  process.exit(2);
}
if (process.argv[3] === '--first') {
  // The server loads the rules with the engine, before its first analysis.
  await import(pathToFileURL(path.join(ROOT, 'server/dist/rules/index.js')).href);
  const file = path.resolve(process.argv[4]);
  const workspace = new Workspace({ root, rules: [] });
  workspace.addRoots([file]);
  const program = workspace.projectFor(file).getProgram();
  program.getTypeChecker();
  console.log(JSON.stringify({ ms: performance.now() - started, sourceFiles: program.getSourceFiles().length }));
  process.exit(0);
}
const paths = process.argv.length > 3 ? process.argv.slice(3).map((p) => path.resolve(p)) : [root];
const workspace = new Workspace({ root, rules: [] });
const files = workspace.listTestFiles(paths).filter((f) => /\.[cm]?[jt]sx?$/.test(f));
workspace.addRoots(files);
const programs = new Set();
let sourceFiles = 0;
let previous;
for (const file of workspace.inAnalysisOrder(files)) {
  // Private to the Workspace: the project entry `analyzeFile` would use for this file.
  const entry = workspace.projectFor(path.resolve(file));
  if (entry === previous) continue;
  previous?.releaseChecker();
  previous = entry;
  const program = entry.getProgram();
  program.getTypeChecker();
  if (!programs.has(program)) sourceFiles += program.getSourceFiles().length;
  programs.add(program);
}
console.log(JSON.stringify({ testFiles: files.length, programs: programs.size, sourceFiles }));
