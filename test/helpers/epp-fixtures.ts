/** Reads the shared Nomulus EPP fixtures with their %PLACEHOLDER% templates filled in. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const EPP_SHARED = process.env.EPP_SHARED_DIR ?? '/work/shared/epp';
export const FIXTURES_DIR = join(EPP_SHARED, 'fixtures');

type Placeholders = Record<string, unknown> & { _fragments?: string[] };

export const placeholders: Placeholders = JSON.parse(readFileSync(join(EPP_SHARED, 'placeholders.json'), 'utf8'));

/** Escape a value for use as XML text (fragments from `_fragments` are inserted as they are). */
function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A fixture (path relative to fixtures/) with placeholders substituted; `overrides` win. */
export function fixture(rel: string, overrides: Record<string, string> = {}): string {
  const fragments = new Set(placeholders._fragments ?? []);
  const raw = readFileSync(join(FIXTURES_DIR, rel), 'utf8');
  return raw.replace(/%([A-Z_-]+)%/g, (m, name: string) => {
    const v = overrides[name] ?? placeholders[name];
    if (typeof v !== 'string') return m;
    return fragments.has(name) ? v : xmlText(v);
  });
}

/** Every fixture file, relative to fixtures/, sorted. */
export function allFixtures(dir = FIXTURES_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...allFixtures(p));
    else if (name.endsWith('.xml')) out.push(relative(FIXTURES_DIR, p));
  }
  return out.sort();
}
