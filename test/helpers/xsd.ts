/**
 * Validate EPP frames against shared/epp/xsd/epp-all.xsd with xmllint-wasm (libxml2 in WASM).
 * epp-all.xsd imports every object/extension schema; all of them are preloaded into xmllint's
 * in-memory file system under their own names so the imports resolve.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const XSD_DIR = join(process.env.EPP_SHARED_DIR ?? '/work/shared/epp', 'xsd');

let files: { main: { fileName: string; contents: string }; preload: { fileName: string; contents: string }[] } | null = null;

function schemaFiles() {
  if (!files) {
    const all = readdirSync(XSD_DIR)
      .filter((f) => f.endsWith('.xsd'))
      .map((fileName) => ({ fileName, contents: readFileSync(join(XSD_DIR, fileName), 'utf8') }));
    files = { main: all.find((f) => f.fileName === 'epp-all.xsd')!, preload: all.filter((f) => f.fileName !== 'epp-all.xsd') };
  }
  return files;
}

export interface XsdResult {
  valid: boolean;
  errors: string[];
}

/** Validate one EPP instance. */
export async function validateEpp(xml: string): Promise<XsdResult> {
  const [r] = await validateEppMany([xml]);
  return r!;
}

/** Validate several instances in one xmllint run; results in input order. */
export async function validateEppMany(xmls: string[]): Promise<XsdResult[]> {
  const { main, preload } = schemaFiles();
  const names = xmls.map((_, i) => `frame-${i}.xml`);
  const result = await validateXML({
    xml: xmls.map((contents, i) => ({ fileName: names[i]!, contents })),
    schema: [main],
    preload,
  });
  return names.map((name) => {
    const errors = result.errors.filter((e) => e.loc?.fileName === name || (e.loc === null && xmls.length === 1)).map((e) => e.rawMessage);
    return { valid: errors.length === 0 && (result.valid || xmls.length > 1), errors };
  });
}
