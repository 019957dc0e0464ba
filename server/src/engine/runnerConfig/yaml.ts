/**
 * The subset of YAML a `.mocharc.yml` uses: top-level `key: scalar`, `key: [a, b]` and `key:` followed by
 * `- item` lines, with comments. Anything else (nested maps, anchors, multi-line scalars) becomes an
 * unknown value for that key: never a guess.
 */
import type { Prop, Span, Val } from './evaluate.js';

function scalar(raw: string, at: Span): Val {
  const text = raw.trim();
  if (text === '' || text === '~' || text === 'null') return { t: 'lit', v: null, at };
  if (text === 'true' || text === 'True' || text === 'TRUE') return { t: 'lit', v: true, at };
  if (text === 'false' || text === 'False' || text === 'FALSE') return { t: 'lit', v: false, at };
  if (/^[-+]?\d+(\.\d+)?$/.test(text)) return { t: 'lit', v: Number(text), at };
  const quoted = /^'(.*)'$/.exec(text) ?? /^"(.*)"$/.exec(text);
  if (quoted) return { t: 'lit', v: quoted[1]!.replace(/''/g, "'"), at };
  if (/^[&*!|>{]/.test(text)) return { t: 'unknown', reason: `YAML construct \`${text.slice(0, 20)}\` is not read`, at };
  return { t: 'lit', v: text, at };
}

/** Removes a trailing ` # comment` outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i);
    }
  }
  return line;
}

export function parseSimpleYaml(file: string, text: string): Val {
  const props = new Map<string, Prop>();
  const lines = text.split('\n');
  let offset = 0;
  let current: { key: string; keySpan: Span; items: Val[]; start: number; nested: boolean } | undefined;
  const finish = (end: number): void => {
    if (!current) return;
    const at = { file, start: current.start, end };
    const value: Val = current.nested
      ? { t: 'unknown', reason: `the nested YAML value of \`${current.key}\` is not read`, at }
      : current.items.length === 0 ? { t: 'lit', v: null, at } : { t: 'arr', items: current.items, at };
    props.set(current.key, { key: current.keySpan, value });
    current = undefined;
  };
  for (const rawLine of lines) {
    const lineStart = offset;
    offset += rawLine.length + 1;
    const line = stripComment(rawLine.replace(/\r$/, ''));
    if (line.trim() === '' || line.trim() === '---') continue;
    const indent = /^\s*/.exec(line)![0].length;
    if (indent > 0 && current) {
      const item = /^\s*-\s+(.*)$/.exec(line);
      if (item) {
        const valueStart = lineStart + line.indexOf(item[1]!);
        current.items.push(scalar(item[1]!, { file, start: valueStart, end: valueStart + item[1]!.trimEnd().length }));
      } else {
        current.nested = true;
      }
      continue;
    }
    finish(lineStart);
    const entry = /^([\w$.-]+|"[^"]*"|'[^']*')\s*:(?:\s+(.*))?$/.exec(line);
    if (!entry) continue;
    const key = entry[1]!.replace(/^["']|["']$/g, '');
    const keySpan = { file, start: lineStart + indent, end: lineStart + indent + entry[1]!.length };
    const rest = entry[2]?.trim();
    if (rest === undefined || rest === '') {
      current = { key, keySpan, items: [], start: keySpan.start, nested: false };
      continue;
    }
    const valueStart = lineStart + line.indexOf(rest, entry[1]!.length);
    const at = { file, start: valueStart, end: valueStart + rest.length };
    const flow = /^\[(.*)\]$/.exec(rest);
    if (flow) {
      const items = flow[1]!.trim() === '' ? [] : flow[1]!.split(',').map((part) => scalar(part, at));
      props.set(key, { key: keySpan, value: { t: 'arr', items, at } });
    } else {
      props.set(key, { key: keySpan, value: scalar(rest, at) });
    }
  }
  finish(text.length);
  return { t: 'obj', props, at: { file, start: 0, end: text.length } };
}
