import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The rule docs pages ship with the package (docs/rules/<id>.md, listed in package.json "files"), so links point at
 * the installed copy unless the `docsBaseUrl` setting names a hosted one. Three levels up from both
 * server/src/engine and server/dist/engine is the package root.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function docsFile(ruleId: string): string {
  return path.join(PACKAGE_ROOT, 'docs', 'rules', `${ruleId}.md`);
}

/** `<docsBaseUrl>/<id>.md` when a hosted copy is configured, else a file: URI of the shipped page. */
export function docsUrlFor(ruleId: string, docsBaseUrl = ''): string {
  if (docsBaseUrl) return `${docsBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(ruleId)}.md`;
  return pathToFileURL(docsFile(ruleId)).href;
}

/** The package's README, for "Docs:" lines and SARIF's informationUri. */
export function readmeUrl(): string {
  return pathToFileURL(path.join(PACKAGE_ROOT, 'README.md')).href;
}

const pages = new Map<string, string | undefined>();

/** The shipped docs page's markdown (read once), or undefined when the package was installed without docs. */
export function docsPage(ruleId: string): string | undefined {
  if (!pages.has(ruleId)) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(docsFile(ruleId), 'utf8');
    } catch {
      text = undefined;
    }
    pages.set(ruleId, text);
  }
  return pages.get(ruleId);
}
