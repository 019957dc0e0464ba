import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Framework } from '../testModel.js';
import { unknownRunnerConfig, type RunnerConfigFile, type RunnerConfigModel } from '../runnerConfig.js';

/** File access for config reading: editor buffers win over disk in the LSP. */
export interface ConfigHost {
  readFile(file: string): string | undefined;
  fileExists(file: string): boolean;
  /** Entry names of a directory, or undefined when it cannot be read. */
  readDirectory(dir: string): Array<{ name: string; isDirectory: boolean }> | undefined;
}

export const diskHost: ConfigHost = {
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  fileExists(file) {
    try {
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  },
  readDirectory(dir) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
    } catch {
      return undefined;
    }
  },
};

const CONFIG_NAME = /^(?:(?:vitest|vite|jest|playwright)\.config(?:\.[\w-]+)*\.(?:[cm]?[jt]s|json)|vitest\.(?:workspace|projects)\.(?:[cm]?[jt]s|json)|\.mocharc(?:\.(?:js|cjs|mjs|json|jsonc|yaml|yml))?|package\.json)$/;

export class ConfigReader {
  constructor(
    readonly root: string,
    readonly host: ConfigHost,
  ) {}

  static isConfigFileName(file: string): boolean {
    return CONFIG_NAME.test(path.basename(file));
  }

  modelFor(file: string, _frameworks: ReadonlySet<Framework> | undefined): RunnerConfigModel {
    return unknownRunnerConfig(file, 'runner configs are not read yet');
  }

  configFile(_file: string): RunnerConfigFile | undefined {
    return undefined;
  }

  invalidate(file: string): boolean {
    return ConfigReader.isConfigFileName(file);
  }

  dependsOn(_testFile: string, _input: string): boolean {
    return false;
  }
}
