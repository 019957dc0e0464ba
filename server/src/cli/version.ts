import * as fs from 'node:fs';
import { readmeUrl } from '../engine/docs.js';

export const TOOL_NAME = 'flakelens';
/** The README installed with the package (there is no hosted site yet). */
export const INFORMATION_URI = readmeUrl();

let cached: string | undefined;

/** The package version, read from package.json (three levels up from both server/src/cli and server/dist/cli). */
export function toolVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cached = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
