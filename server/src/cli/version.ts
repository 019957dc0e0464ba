import * as fs from 'node:fs';

export const TOOL_NAME = 'flakelens';
export const INFORMATION_URI = 'https://github.com/flakelens/flakelens';

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
