/** `flakelens explain <file>`: the test model and the runner config model of one file, for people and for tools. */
import type { ExplainedBlock, Explanation } from '../engine/explain.js';
import { MODEL_FIELDS, type ConfigValue, type SetupFile, type SourceLocation } from '../engine/runnerConfig.js';
import type { Palette } from './colors.js';
import { relativePath } from './report.js';
import { TOOL_NAME, toolVersion } from './version.js';

export const EXPLAIN_FORMATS = ['text', 'json'] as const;
export type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];

export function isExplainFormat(format: string): format is ExplainFormat {
  return (EXPLAIN_FORMATS as readonly string[]).includes(format);
}

/** JSON: the engine's plain data, with the tool and root for context (paths stay absolute). */
export function explainJson(explanation: Explanation, root: string): string {
  return `${JSON.stringify({ version: 1, tool: { name: TOOL_NAME, version: toolVersion() }, root, ...explanation }, null, 2)}\n`;
}

function where(root: string, source: SourceLocation): string {
  return `${relativePath(root, source.file)}:${source.range.start.line + 1}:${source.range.start.character + 1} ${source.keyPath}`;
}

function show(value: unknown): string {
  if (value === undefined) return '(decided at run time)';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `${value.length} file(s)`;
  return JSON.stringify(value);
}

function fieldLine(root: string, name: string, value: ConfigValue<unknown>, c: Palette): string {
  const label = name.padEnd(16);
  switch (value.kind) {
    case 'known':
      return `  ${label} ${c.bold(show(value.value))}  ${c.gray(`set at ${where(root, value.source)}`)}`;
    case 'default':
      return `  ${label} ${show(value.value)}  ${c.gray('runner default')}`;
    case 'unknown':
      return `  ${label} ${c.yellow('unknown')}  ${c.gray(`${value.reason}${value.source ? ` (${where(root, value.source)})` : ''}`)}`;
  }
}

function blockLines(block: ExplainedBlock, depth: number, c: Palette, out: string[]): void {
  const title = block.title !== undefined ? ` ${JSON.stringify(block.title)}` : '';
  const modifiers = block.modifiers.length ? c.yellow(` [${block.modifiers.join(', ')}]`) : '';
  const kind = block.kind === 'hook' ? block.hook! : block.kind;
  out.push(`${'  '.repeat(depth + 1)}${block.callee}${title}${modifiers}  ${c.gray(`${kind}, line ${block.start.line + 1}`)}`);
  for (const child of block.children) blockLines(child, depth + 1, c, out);
}

function setupLines(root: string, files: SetupFile[], c: Palette, out: string[]): void {
  for (const file of files) {
    const shown = file.path ? relativePath(root, file.path) : file.specifier;
    out.push(`    ${shown} ${c.gray(`(${file.status})`)}`);
    if (file.topLevel.length) out.push(`      top level: ${file.topLevel.join(', ')}`);
    if (file.partial) out.push(c.yellow(`      hooks may be incomplete: ${file.partial}`));
    if (file.interception.kind !== 'no') out.push(`      request interception: ${file.interception.kind === 'yes' ? file.interception.reason : c.yellow(`unknown (${file.interception.reason})`)}`);
    for (const hook of file.hooks) {
      const where = file.path === hook.file ? `line ${hook.range.start.line + 1}` : `${relativePath(root, hook.file)}:${hook.range.start.line + 1}`;
      out.push(`      ${hook.hook} ${c.gray(where)}: ${hook.effects.length ? hook.effects.join(', ') : c.gray('resets nothing we know')}`);
    }
  }
}

export function explainText(explanation: Explanation, root: string, c: Palette): string {
  const out: string[] = [];
  const model = explanation.runnerConfig;
  out.push(c.underline(relativePath(root, explanation.file)));
  out.push('');
  const { suites, tests, hooks, steps } = explanation.counts;
  const frameworks = explanation.frameworks.length ? explanation.frameworks.join(', ') : 'no runner resolved';
  out.push(c.bold(`Test model`) + ` (${frameworks}): ${suites} suite(s), ${tests} test(s), ${hooks} hook(s)${steps ? `, ${steps} step(s)` : ''}`);
  if (explanation.blocks.length === 0) out.push(c.gray('  no suites, tests or hooks found'));
  for (const block of explanation.blocks) blockLines(block, 0, c, out);
  out.push('');
  const config = model.configFile ? relativePath(root, model.configFile) : 'none found';
  out.push(c.bold('Runner configuration') + `: ${model.runner}, config ${config}${model.project ? `, project ${model.project}` : ''}`);
  for (const field of MODEL_FIELDS) {
    const value = model[field] as ConfigValue<unknown>;
    out.push(fieldLine(root, field, value, c));
    if (field === 'setupFiles' && value.kind === 'known') setupLines(root, value.value as SetupFile[], c, out);
  }
  const notes = [...explanation.notes, ...model.notes];
  if (notes.length) {
    out.push('');
    out.push(c.bold('Notes'));
    for (const note of notes) out.push(`  ${note}`);
  }
  return `${out.join('\n')}\n`;
}
