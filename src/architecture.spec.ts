import { readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve, sep } from 'path';

/**
 * Dependencies point down: the feature modules (src/modules) use the lower layers, never the
 * other way round. Whoever composes the app (app.module.ts, app.factory.ts, data-source.ts)
 * passes module pieces into the lower layers.
 */
const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');
const MODULES = join(SRC, 'modules');
const LOWER_LAYERS = ['infrastructure', 'common', 'config'];

/** Every .ts file under a folder. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** What a file imports: `import/export ... from 'x'`, `import 'x'`, `import('x')`, `require('x')`, `jest.mock('x')`. */
function importedSpecifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\b(?:import|require|jest\.mock)\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]));
}

/** Where a specifier points inside the repository (null for packages). */
function target(file: string, specifier: string): string | null {
  if (specifier.startsWith('.')) return resolve(dirname(file), specifier);
  // tsconfig's baseUrl is the repository root: 'src/modules/x' resolves from there.
  if (specifier === 'src' || specifier.startsWith('src/')) return resolve(ROOT, specifier);
  return null;
}

const inModules = (path: string) => path === MODULES || path.startsWith(MODULES + sep);

/** `file: specifier` for each import of a file under `layer` that reaches into src/modules. */
function upwardImports(layer: string): string[] {
  return sourceFiles(join(SRC, layer)).flatMap((file) =>
    importedSpecifiers(readFileSync(file, 'utf8'))
      .filter((specifier) => {
        const to = target(file, specifier);
        return to !== null && inModules(to);
      })
      .map((specifier) => `${relative(ROOT, file)}: ${specifier}`),
  );
}

describe('architecture: lower layers never import the feature modules', () => {
  it.each(LOWER_LAYERS)('no file under src/%s imports from src/modules', (layer) => {
    expect(upwardImports(layer)).toEqual([]);
  });

  it('sees every form of import (so the check above cannot pass by not looking)', () => {
    const source = [
      `import { A } from '../../modules/auth/access-policy';`,
      `import type { B } from "../modules/b";`,
      `import {\n  C,\n  D,\n} from '../../modules/c';`,
      `export { E } from '../modules/e';`,
      `export * from '../modules/f';`,
      `import '../modules/g';`,
      `const h = require('../modules/h');`,
      `const i = await import('src/modules/i');`,
    ].join('\n');
    expect(importedSpecifiers(source)).toEqual(
      expect.arrayContaining([
        '../../modules/auth/access-policy',
        '../modules/b',
        '../../modules/c',
        '../modules/e',
        '../modules/f',
        '../modules/g',
        '../modules/h',
        'src/modules/i',
      ]),
    );
    expect(inModules(target(join(SRC, 'infrastructure', 'http', 'x.ts'), '../../modules/auth/access-policy')!)).toBe(true);
    expect(inModules(target(join(SRC, 'infrastructure', 'x.ts'), 'src/modules/i')!)).toBe(true);
    expect(target(join(SRC, 'common', 'x.ts'), '@nestjs/common')).toBeNull();
    expect(inModules(target(join(SRC, 'common', 'x.ts'), './modules-like')!)).toBe(false);
  });
});
