import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { repairAsiBoundaries } from '../../server/src/engine/asiRepair.js';
import { OverlayFileSystemHost } from '../../server/src/workspace/fsHost.js';
import { ProgramHost } from '../../server/src/workspace/program.js';

const parse = (text: string) => ts.createSourceFile('a.js', text, ts.ScriptTarget.Latest);

describe('repairAsiBoundaries', () => {
  it('supplies the semicolon Node infers after `=> ({ ... })` before a block, keeping length and line breaks', () => {
    const text = `const make = (x) => ({\n  x\n})\n\n  {\n  const y = make(1)\n}\n`;
    const result = repairAsiBoundaries(parse(text), ts.ScriptTarget.Latest)!;
    expect(result.repair.text).toBe(`const make = (x) => ({\n  x\n})\n\n ;{\n  const y = make(1)\n}\n`);
    expect(result.repair.text).toHaveLength(text.length);
    expect(result.repair.lines).toEqual([3]);
    expect(result.sourceFile.text).toBe(result.repair.text);
  });

  it('leaves valid files, other syntax errors and gaps without a spare character alone', () => {
    expect(repairAsiBoundaries(parse(`const a = () => ({})\n;{ }\n`), ts.ScriptTarget.Latest)).toBeUndefined();
    expect(repairAsiBoundaries(parse(`const a = ;\n`), ts.ScriptTarget.Latest)).toBeUndefined();
    expect(repairAsiBoundaries(parse(`const a = () => ({ b: 1 })\n{\n}\n`), ts.ScriptTarget.Latest)).toBeUndefined();
    // A comment between `)` and `{`: not the bare construct, not touched.
    expect(repairAsiBoundaries(parse(`const a = () => ({ b: 1 }) // c\n  {\n}\n`), ts.ScriptTarget.Latest)).toBeUndefined();
  });
});

describe('ProgramHost with a repaired file', () => {
  it('compares a changed text with the file as written, not the repaired copy', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-asi-'));
    const file = path.join(root, 'a.test.js');
    const text = `const make = () => ({ a: 1 })\n\n  {\n  make()\n}\n`;
    fs.writeFileSync(file, text);
    try {
      const host = new ProgramHost({ allowJs: true, noEmit: true }, new OverlayFileSystemHost(root));
      host.addRoot(file);
      const first = host.getProgram();
      expect(first.getSourceFile(file)!.text).not.toBe(text);
      expect(first.getSyntacticDiagnostics(first.getSourceFile(file))).toHaveLength(0);
      host.fileChanged(file, text, false);
      expect(host.getProgram()).toBe(first);
      host.fileChanged(file, `${text}\n`, false);
      expect(host.getProgram()).not.toBe(first);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
