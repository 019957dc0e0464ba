import { CATEGORY_TITLES, docsUrlFor, type Rule } from '../engine/types.js';
import { PLAIN, type Palette } from './colors.js';

export const RULES_FORMATS = ['table', 'json', 'markdown'] as const;
export type RulesFormat = (typeof RULES_FORMATS)[number];

export function isRulesFormat(value: string): value is RulesFormat {
  return (RULES_FORMATS as readonly string[]).includes(value);
}

export function rulesAsJson(rules: readonly Rule[]) {
  return rules.map(({ meta }) => ({
    id: meta.id,
    category: meta.category,
    categoryTitle: CATEGORY_TITLES[meta.category],
    defaultSeverity: meta.defaultSeverity,
    requiresTypes: meta.requiresTypes,
    summary: meta.docs.summary,
    docsUrl: docsUrlFor(meta.id),
  }));
}

/** The README's rules table (a meta-test checks the README against the registry). */
export function rulesAsMarkdown(rules: readonly Rule[]): string {
  const rows = rules.map(({ meta }) => `| [${meta.id}](docs/rules/${meta.id}.md) | ${meta.category} | ${meta.defaultSeverity} | ${meta.docs.summary.replace(/\|/g, '\\|')} |`);
  return ['| Rule | Category | Default severity | What it reports |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

export function rulesAsTable(rules: readonly Rule[], palette: Palette = PLAIN): string {
  const header = ['RULE', 'CATEGORY', 'SEVERITY', 'DOCS'];
  const rows = rules.map(({ meta }) => [meta.id, meta.category, meta.defaultSeverity, docsUrlFor(meta.id)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [palette.bold(line(header)), ...rows.map(line), '', palette.gray(`${rules.length} rules; override severities in flakelens.config.json ("rules": { "<id>": "error" | "warning" | "info" | "hint" | "off" }).`)].join('\n') + '\n';
}

export function formatRules(rules: readonly Rule[], format: RulesFormat, palette: Palette): string {
  if (format === 'json') return `${JSON.stringify(rulesAsJson(rules), null, 2)}\n`;
  if (format === 'markdown') return rulesAsMarkdown(rules);
  return rulesAsTable(rules, palette);
}
