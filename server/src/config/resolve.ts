import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { SeveritySetting } from '../engine/types.js';
import { defaultConfig, SETTINGS, type FlakelensConfig } from './schema.js';

export const CONFIG_FILE_NAME = 'flakelens.config.json';

const SEVERITIES: SeveritySetting[] = ['error', 'warning', 'info', 'hint', 'off'];

export interface ConfigProblem {
  /** The file (or settings layer) the problem is in. */
  source: string;
  message: string;
}

export interface ResolvedConfig {
  config: FlakelensConfig;
  problems: ConfigProblem[];
  /** Config files that were read, so watchers know what to react to. */
  files: string[];
}

/**
 * Applies one settings layer on top of `base`. Each bad option is reported and skipped;
 * the rest of the layer still applies.
 */
export function applyLayer(
  base: FlakelensConfig,
  layer: unknown,
  source: string,
  knownRules: ReadonlySet<string>,
  problems: ConfigProblem[],
): FlakelensConfig {
  if (layer === undefined || layer === null) return base;
  if (typeof layer !== 'object' || Array.isArray(layer)) {
    problems.push({ source, message: `settings must be an object, got ${describe(layer)}; ignored` });
    return base;
  }
  const next: FlakelensConfig = { ...base, rules: { ...base.rules } };
  const known = new Set(SETTINGS.map((s) => s.key as string));
  for (const [key, value] of Object.entries(layer as Record<string, unknown>)) {
    if (key === '$schema') continue;
    if (!known.has(key)) {
      problems.push({ source, message: `unknown option "${key}" ignored (known: ${[...known].join(', ')})` });
      continue;
    }
    switch (key) {
      case 'rules': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push({ source, message: `"rules" must be an object of rule id to severity, got ${describe(value)}` });
          break;
        }
        for (const [ruleId, severity] of Object.entries(value as Record<string, unknown>)) {
          if (!knownRules.has(ruleId)) {
            problems.push({ source, message: `"rules.${ruleId}": unknown rule ignored` });
            continue;
          }
          if (typeof severity !== 'string' || !SEVERITIES.includes(severity as SeveritySetting)) {
            problems.push({ source, message: `"rules.${ruleId}" must be one of ${SEVERITIES.join(', ')}, got ${describe(severity)}; ignored` });
            continue;
          }
          next.rules[ruleId] = severity as SeveritySetting;
        }
        break;
      }
      case 'testFiles':
      case 'ignore':
      case 'knownSafeCalls': {
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
          problems.push({ source, message: `"${key}" must be an array of non-empty glob strings, got ${describe(value)}; ignored` });
          break;
        }
        next[key] = [...(value as string[])];
        break;
      }
      case 'docsBaseUrl': {
        if (typeof value !== 'string' || (value !== '' && !isDocsBaseUrl(value))) {
          problems.push({ source, message: `"docsBaseUrl" must be an http(s) or file URL (or "" for the pages installed with flakelens), got ${describe(value)}; ignored` });
          break;
        }
        next.docsBaseUrl = value;
        break;
      }
      case 'cacheLocation': {
        if (typeof value !== 'string') {
          problems.push({ source, message: `"cacheLocation" must be a file path (or "" for no cache), got ${describe(value)}; ignored` });
          break;
        }
        next.cacheLocation = value;
        break;
      }
      case 'maxFileSize':
      case 'debounceMs': {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
          problems.push({ source, message: `"${key}" must be a non-negative number, got ${describe(value)}; ignored` });
          break;
        }
        next[key] = value;
        break;
      }
    }
  }
  return next;
}

function isDocsBaseUrl(value: string): boolean {
  try {
    return ['http:', 'https:', 'file:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function readJsonc(file: string, problems: ConfigProblem[]): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    problems.push({ source: file, message: `cannot be read: ${(error as Error).message}` });
    return undefined;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM is not a parse error
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    // A half-read file is not trusted (a recovered parse can misplace keys): the whole file is ignored.
    const first = errors[0]!;
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    problems.push({ source: file, message: `invalid JSON at line ${line}, column ${column}: ${printParseErrorCode(first.error)}; the file is ignored, defaults used` });
    return undefined;
  }
  return value;
}

/**
 * Reads the workspace config statically (never executes workspace code):
 * flakelens.config.json (JSONC), else the "flakelens" key of package.json.
 * Later layers (LSP initializationOptions, workspace/configuration) are applied by the caller with applyLayer.
 */
export function loadWorkspaceConfig(root: string, knownRules: ReadonlySet<string>): ResolvedConfig {
  const problems: ConfigProblem[] = [];
  let config = defaultConfig();
  const configFile = path.join(root, CONFIG_FILE_NAME);
  const packageJson = path.join(root, 'package.json');
  const files = [configFile, packageJson];
  if (fs.existsSync(configFile)) {
    config = applyLayer(config, readJsonc(configFile, problems), configFile, knownRules, problems);
  } else if (fs.existsSync(packageJson)) {
    const pkg = readJsonc(packageJson, problems) as Record<string, unknown> | undefined;
    if (pkg && typeof pkg === 'object' && 'flakelens' in pkg) {
      config = applyLayer(config, pkg.flakelens, `${packageJson} ("flakelens" key)`, knownRules, problems);
    }
  }
  return { config, problems, files };
}
