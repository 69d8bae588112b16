import { readFileSync } from 'fs';
import { join } from 'path';

function readPackage(): { name: string; version: string } {
  for (const up of ['../../..', '../../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { name: string; version: string };
      return { name: pkg.name, version: pkg.version };
    } catch {
      // try the next level (dist/ adds one)
    }
  }
  return { name: 'ledger-service', version: 'unknown' };
}

export const APP_VERSION = readPackage();
