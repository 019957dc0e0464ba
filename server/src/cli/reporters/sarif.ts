import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { CATEGORY_TITLES, docsUrlFor, type Rule, type Severity } from '../../engine/types.js';
import type { CheckReport, ReportFile, ReportFinding } from '../report.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';
/** Bump the suffix if the fingerprint recipe changes, so code scanning does not match old alerts wrongly. */
export const FINGERPRINT_KEY = 'flakelens/v1';

type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** `focused-test` -> `FocusedTest`: SARIF rule names are identifiers, ids stay kebab-case. */
function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

function uriOf(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}

function ruleDescriptor(rule: Rule, docsBaseUrl?: string) {
  const { id, category, defaultSeverity, docs } = rule.meta;
  const helpUri = docsUrlFor(id, docsBaseUrl);
  const examples = [
    docs.badExample ? `Flaky:\n\n\`\`\`ts\n${docs.badExample}\n\`\`\`` : '',
    docs.goodExample ? `Use instead:\n\n\`\`\`ts\n${docs.goodExample}\n\`\`\`` : '',
  ].filter(Boolean);
  return {
    id,
    name: ruleName(id),
    shortDescription: { text: docs.summary },
    fullDescription: { text: `${docs.summary} ${docs.why}`.trim() },
    helpUri,
    help: {
      text: `${docs.why}\n\nSee ${helpUri}`,
      markdown: [`**${CATEGORY_TITLES[category]}**: ${docs.why}`, ...examples, `[Rule documentation](${helpUri})`].join('\n\n'),
    },
    defaultConfiguration: { level: sarifLevel(defaultSeverity) },
    properties: { tags: [category, 'flaky-tests'] },
  };
}

/**
 * Stable across runs and unrelated edits: rule, file and the finding's line text with whitespace normalised
 * (not its line number), plus an occurrence counter for identical lines in one file.
 */
function fingerprints(file: ReportFile): string[] {
  const seen = new Map<string, number>();
  return file.findings.map((finding) => {
    const lineText = (file.lines.get(finding.range.start.line) ?? '').trim().replace(/\s+/g, ' ');
    const hash = createHash('sha256').update(`${finding.ruleId}\0${file.path}\0${lineText}`).digest('hex').slice(0, 32);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  });
}

function result(file: ReportFile, finding: ReportFinding, ruleIndex: number, fingerprint: string) {
  const artifactLocation = { uri: uriOf(file.path), uriBaseId: SRCROOT };
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: sarifLevel(finding.severity),
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation,
          region: {
            startLine: finding.range.start.line,
            startColumn: finding.range.start.column,
            endLine: finding.range.end.line,
            endColumn: finding.range.end.column,
          },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
    ...(finding.fixes.length
      ? {
          fixes: finding.fixes.map((fix) => ({
            description: { text: fix.title },
            artifactChanges: [
              {
                artifactLocation,
                replacements: fix.edits.map((edit) => ({
                  deletedRegion: { charOffset: edit.start, charLength: edit.end - edit.start },
                  insertedContent: { text: edit.newText },
                })),
              },
            ],
          })),
        }
      : {}),
    properties: { category: finding.category, severity: finding.severity },
  };
}

/** A SARIF 2.1.0 log with one run, as GitHub code scanning accepts it (upload with github/codeql-action/upload-sarif). */
export function toSarif(report: CheckReport) {
  const ruleIndex = new Map(report.rules.map((rule, index) => [rule.meta.id, index]));
  const results = report.files.flatMap((file) => {
    const prints = fingerprints(file);
    return file.findings.map((finding, i) => result(file, finding, ruleIndex.get(finding.ruleId) ?? -1, prints[i]!));
  });
  const notifications = [
    ...report.notes.map((text) => ({ level: 'warning' as const, message: { text } })),
    ...report.files.flatMap((file) =>
      file.notes.map((text) => ({
        level: 'warning' as const,
        message: { text: `${file.path}: ${text}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(file.path), uriBaseId: SRCROOT } } }],
      })),
    ),
  ];
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            informationUri: report.tool.informationUri,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: report.rules.map((rule) => ruleDescriptor(rule, report.docsBaseUrl)),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(report.root.endsWith('/') ? report.root : `${report.root}/`).href } },
        invocations: [{ executionSuccessful: true, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        columnKind: 'utf16CodeUnits' as const,
        results,
      },
    ],
  };
}

export function formatSarif(report: CheckReport): string {
  return `${JSON.stringify(toSarif(report), null, 2)}\n`;
}
