// The generated benchmark repository shared by bench/run.mjs and bench/lsp.mjs: helpers importing each other, and
// vitest, jest and Playwright test files, about one in six with a flaky pattern. Deterministic per size.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bump when the generated code changes, so cached repositories are regenerated. */
const GENERATOR_VERSION = 2;


/** Deterministic pseudo-random numbers, so a given size always generates the same repository. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function helperSource(i, rand) {
  const deps = [];
  for (let k = 0; k < 2 && i > 0; k++) deps.push(Math.floor(rand() * i));
  const imports = [...new Set(deps)].map((d) => `import { Service${d}, load${d} } from './helper${d}';`).join('\n');
  const uses = [...new Set(deps)].map((d) => `    const dep${d} = await load${d}(id);\n    total += dep${d}.length;`).join('\n');
  return `${imports}

export interface Record${i} {
  id: string;
  values: number[];
  createdAt: Date;
}

export async function load${i}(id: string): Promise<Record${i}[]> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return [{ id, values: [${i}, ${i + 1}], createdAt: new Date(0) }];
}

export class Service${i} {
  private readonly cache = new Map<string, Record${i}[]>();

  async fetch(id: string): Promise<Record${i}[]> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const loaded = await load${i}(id);
    this.cache.set(id, loaded);
    return loaded;
  }

  async total(id: string): Promise<number> {
    let total = 0;
${uses}
    for (const record of await this.fetch(id)) total += record.values.reduce((a, b) => a + b, 0);
    return total;
  }

  reset(): void {
    this.cache.clear();
  }
}
${deps.length ? `\nexport type Related${i} = ${[...new Set(deps)].map((d) => `Service${d}`).join(' | ')};\n` : ''}`;
}

function vitestSource(i, helpers, flaky) {
  const [a, b] = helpers;
  return `import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Service${a}, load${a} } from '../../src/helper${a}';
import { Service${b} } from '../../src/helper${b}';

describe('service ${a} (${i})', () => {
  let service: Service${a};
  let other: Service${b};

  beforeEach(() => {
    service = new Service${a}();
    other = new Service${b}();
    vi.restoreAllMocks();
  });

  it${flaky === 1 ? '.only' : ''}('loads records', async () => {
    const records = await load${a}('x${i}');
    expect(records).toHaveLength(1);
    expect(records[0]!.values[0]).toBe(${a});
  });

  it('caches fetches', async () => {
    const first = await service.fetch('k');
    const second = await service.fetch('k');
    expect(second).toBe(first);
  });

  it('adds totals', async () => {
    ${flaky === 2 ? `expect(other.total('k')).resolves.toBeGreaterThan(0);` : `await expect(other.total('k')).resolves.toBeGreaterThan(0);`}
  });

  it.each([1, 2, 3])('resets %i', async (n) => {
    await service.fetch(String(n));
    ${flaky === 3 ? 'service.fetch(String(n + 1));' : 'await service.fetch(String(n + 1));'}
    service.reset();
    expect(n).toBeGreaterThan(0);
  });
});
`;
}

function jestSource(i, helpers, flaky) {
  const [a, b] = helpers;
  return `import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Service${a} } from '../../src/helper${a}';
import { load${b} } from '../../src/helper${b}';

describe('integration ${i}', () => {
  const service = new Service${a}();

  afterEach(() => {
    service.reset();
    jest.useRealTimers();
  });

  it('computes a total', async () => {
    const total = await service.total('id-${i}');
    expect(total).toBeGreaterThanOrEqual(${a});
  });

  it('loads related records', async () => {
    const ids = ['a', 'b', 'c'];
    ${flaky === 1 ? `ids.forEach(async (id) => {\n      expect(await load${b}(id)).toHaveLength(1);\n    });` : `for (const id of ids) expect(await load${b}(id)).toHaveLength(1);`}
  });

  it('waits for the cache', async () => {
    await service.fetch('warm');
    ${flaky === 2 ? 'await new Promise((resolve) => setTimeout(resolve, 100));' : ''}
    await expect(service.fetch('warm')).resolves.toHaveLength(1);
  });
});
`;
}

function playwrightSource(i, helpers, flaky) {
  const [a] = helpers;
  return `import { expect, test } from '@playwright/test';
import { load${a} } from '../../src/helper${a}';

test.describe('page ${i}', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/items/${i}');
  });

  test('shows the item', async ({ page }) => {
    const [record] = await load${a}('${i}');
    await page.getByRole('searchbox').fill(record!.id);
    ${flaky === 1 ? `page.getByRole('button', { name: 'Go' }).click();` : `await page.getByRole('button', { name: 'Go' }).click();`}
    ${flaky === 2 ? 'await page.waitForTimeout(500);' : ''}
    await expect(page.getByRole('heading')).toHaveText('Item ${i}');
  });

  test('filters', async ({ page }) => {
    await page.getByLabel('Filter').fill('x');
    ${flaky === 3 ? `expect(page.getByRole('listitem')).toHaveCount(0);` : `await expect(page.getByRole('listitem')).toHaveCount(0);`}
  });
});
`;
}

function generate(dir, marker, testCount, helperCount) {
  const rand = random(testCount * 7919 + helperCount);
  fs.rmSync(dir, { recursive: true, force: true });
  const write = (rel, text) => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  write('package.json', JSON.stringify({ name: 'bench-repo', private: true, type: 'module' }, null, 2));
  write(
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
        include: ['src', 'tests'],
      },
      null,
      2,
    ),
  );
  for (let i = 0; i < helperCount; i++) write(`src/helper${i}.ts`, helperSource(i, rand));
  for (let i = 0; i < testCount; i++) {
    const first = Math.floor(rand() * helperCount);
    const helpers = [first, (first + 1 + Math.floor(rand() * (helperCount - 1))) % helperCount];
    // About one file in six carries a flaky pattern, as in a real suite.
    const flaky = rand() < 1 / 6 ? 1 + Math.floor(rand() * 3) : 0;
    const kind = i % 10 < 4 ? 'vitest' : i % 10 < 7 ? 'jest' : 'playwright';
    if (kind === 'vitest') write(`tests/unit/unit${i}.test.ts`, vitestSource(i, helpers, flaky));
    else if (kind === 'jest') write(`tests/integration/integration${i}.test.ts`, jestSource(i, helpers, flaky));
    else write(`tests/e2e/page${i}.spec.ts`, playwrightSource(i, helpers, flaky));
  }
  write('.generated', marker);
}


/** The repository for this size under `workDir`, generated when missing or stale. Returns its path and what happened. */
export function ensureRepo(workDir, testCount, helperCount) {
  const repo = path.join(workDir, `repo-${testCount}-${helperCount}`);
  const marker = `${GENERATOR_VERSION} ${testCount} ${helperCount}\n`;
  const markerFile = path.join(repo, '.generated');
  if (fs.existsSync(markerFile) && fs.readFileSync(markerFile, 'utf8') === marker) return { repo, generated: false };
  generate(repo, marker, testCount, helperCount);
  return { repo, generated: true };
}
