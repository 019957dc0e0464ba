import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What the analysis asked of the file system, so a result cache can tell later whether the same questions still get
 * the same answers (see cli/cache.ts). Installed for the duration of one `check --cache` run; the language server
 * never installs one.
 */
export interface ProbeRecorder {
  /** A file's text was read (undefined: it could not be). */
  read(file: string, text: string | undefined): void;
  /** Whether a file or directory exists was asked. */
  exists(target: string, kind: 'file' | 'dir', result: boolean): void;
  /** A directory was listed (undefined: it could not be). */
  list(dir: string, names: readonly string[] | undefined): void;
}

let active: ProbeRecorder | undefined;

export function setProbeRecorder(recorder: ProbeRecorder | undefined): void {
  active = recorder;
}

export function probeRead(file: string, text: string | undefined): void {
  active?.read(path.resolve(file), text);
}

export function probeExists(target: string, kind: 'file' | 'dir', result: boolean): void {
  active?.exists(path.resolve(target), kind, result);
}

export function probeList(dir: string, names: readonly string[] | undefined): void {
  active?.list(path.resolve(dir), names);
}

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/**
 * A file's fingerprint: a content hash for workspace files, size and mtime for installed packages (thousands of
 * declaration files: rehashing them would cost what the cache saves; an install rewrites them). `-` when unreadable.
 */
export function fingerprintFile(file: string, text?: string): string {
  if (file.includes(NODE_MODULES)) {
    try {
      const stat = fs.statSync(file);
      return `s${stat.size}:${stat.mtimeMs}`;
    } catch {
      return '-';
    }
  }
  if (text === undefined) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return '-';
    }
  }
  return hashText(text);
}

export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** Whether target exists as that kind now, recorded for the cache key (a failed lookup is an input too). */
export function existsRecorded(target: string, kind: 'file' | 'dir'): boolean {
  const result = existsNow(target, kind);
  probeExists(target, kind, result);
  return result;
}

export function existsNow(target: string, kind: 'file' | 'dir'): boolean {
  try {
    const stat = fs.statSync(target);
    return kind === 'file' ? stat.isFile() : stat.isDirectory();
  } catch {
    return false;
  }
}

/** A directory listing's key. `.flakelens` (where the cache itself and verify results live) is never analysed. */
export function listingKey(names: readonly string[] | undefined): string {
  return names === undefined ? '-' : hashText(names.filter((n) => n !== '.flakelens').sort().join('\n'));
}

export function listNow(dir: string): string {
  try {
    return listingKey(fs.readdirSync(dir));
  } catch {
    return '-';
  }
}
