import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lightParameterTypes } from '../../server/src/engine/lightCalls.js';
import { isArrayOfThenables, isThenable } from '../../server/src/engine/typeUtils.js';
import { ts, type TS } from '../../server/src/engine/typescript.js';
import { OverlayFileSystemHost } from '../../server/src/workspace/fsHost.js';
import { ProgramHost } from '../../server/src/workspace/program.js';

// Performance mechanisms whose failure would not change a finding, only the time and memory it costs: each is pinned
// here by what it does (a shared parse, a question never asked of the checker), so a regression fails a test.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-sharing-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const ESM: TS.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, types: [] };

describe('parsed files shared between programs', () => {
  const helper = write('src/helper.ts', 'export const answer = 42;\n');
  const testA = write('a.test.ts', "import { answer } from './src/helper';\nexport const a = answer;\n");
  const testB = write('b.test.ts', "import { answer } from './src/helper';\nexport const b = answer;\n");

  it('one parse of a file for programs with the same parse-affecting options, whatever else differs', () => {
    const fsHost = new OverlayFileSystemHost(root);
    const first = new ProgramHost({ ...ESM, strict: true }, fsHost);
    const second = new ProgramHost({ ...ESM, strict: false, noUnusedLocals: true }, fsHost);
    first.addRoot(testA);
    second.addRoot(testB);
    expect(second.getProgram().getSourceFile(helper)).toBe(first.getProgram().getSourceFile(helper));
  });

  it('a separate parse under options that change parsing, and for a buffer whose text differs', () => {
    const fsHost = new OverlayFileSystemHost(root);
    const esm = new ProgramHost(ESM, fsHost);
    const commonJs = new ProgramHost({ ...ESM, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }, fsHost);
    esm.addRoot(testA);
    commonJs.addRoot(testB);
    const shared = esm.getProgram().getSourceFile(helper)!;
    expect(commonJs.getProgram().getSourceFile(helper)).not.toBe(shared);

    const edited = new OverlayFileSystemHost(root);
    edited.setOverlay(helper, 'export const answer = 43;\n');
    const editing = new ProgramHost(ESM, edited);
    editing.addRoot(testA);
    const own = editing.getProgram().getSourceFile(helper)!;
    expect(own.text).toContain('43');
    expect(shared.text).toContain('42');
  });

  it('a released checker leaves the parsed files to the next program', () => {
    const host = new ProgramHost(ESM, new OverlayFileSystemHost(root));
    host.addRoot(testA);
    const program = host.getProgram();
    const checker = program.getTypeChecker();
    host.releaseChecker();
    const next = host.getProgram();
    expect(next).not.toBe(program);
    expect(next.getTypeChecker()).not.toBe(checker);
    expect(next.getSourceFile(helper)).toBe(program.getSourceFile(helper));
  });
});

describe('questions answered without the checker', () => {
  const file = write(
    'light.test.ts',
    [
      'declare function save(): Promise<void>;',
      'interface Builder { lit(value: string): { as(name: string): string } }',
      'declare const db: {',
      '  selectNoFrom<SE extends string>(selections: ReadonlyArray<SE>): number;',
      '  selectNoFrom<CB extends (eb: Builder) => ReadonlyArray<string>>(callback: CB): number;',
      '};',
      "db.selectNoFrom((eb) => [eb.lit('x').as('y')]);",
      'export const mixed = [1, save()];',
      "export const literal = { then: 'later' };",
    ].join('\n'),
  );
  const host = new ProgramHost(ESM, new OverlayFileSystemHost(root));
  host.addRoot(file);

  function setUp() {
    const program = host.getProgram();
    const sourceFile = program.getSourceFile(file)!;
    const asked: TS.Node[] = [];
    const real = program.getTypeChecker();
    const checker = new Proxy(real, {
      get: (target, property) => {
        const value = Reflect.get(target, property) as unknown;
        if (property !== 'getTypeAtLocation' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (node: TS.Node) => {
          asked.push(node);
          return (value as (n: TS.Node) => TS.Type).call(target, node);
        };
      },
    });
    const find = <T extends TS.Node>(test: (n: TS.Node) => n is T): T[] => {
      const found: T[] = [];
      const visit = (n: TS.Node): void => {
        if (test(n)) found.push(n);
        ts.forEachChild(n, visit);
      };
      visit(sourceFile);
      return found;
    };
    return { checker, asked, find };
  }

  it('an array literal is never thenable and is not typed as a whole; its elements are asked one by one', () => {
    const { checker, asked, find } = setUp();
    const [callbackArray, mixed] = find(ts.isArrayLiteralExpression);
    expect(isThenable(checker, callbackArray!)).toBe(false);
    expect(isThenable(checker, mixed!)).toBe(false);
    expect(isArrayOfThenables(checker, mixed!)).toBe(true);
    expect(asked).not.toContain(callbackArray);
    expect(asked).not.toContain(mixed);
  });

  it('an object literal without a then is never thenable; one with a then is asked about', () => {
    const { checker, asked, find } = setUp();
    const [literal] = find(ts.isObjectLiteralExpression);
    isThenable(checker, literal!);
    expect(asked).toContain(literal);
  });

  it('the parameter types of an overload taking ReadonlyArray<T> are read from its declaration', () => {
    const { checker, find } = setUp();
    const call = find(ts.isCallExpression).find((c) => c.getText().startsWith('db.selectNoFrom'))!;
    const types = lightParameterTypes(call, 0, checker);
    expect(types).toHaveLength(2);
    expect(types![0]).not.toBe('inferred-from-argument');
    expect((types![0] as TS.Type).getCallSignatures()).toHaveLength(0);
    expect(types![1]).toBe('inferred-from-argument');
  });
});
