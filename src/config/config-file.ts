import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** One Error naming the file, the variable that points at it, and every problem. */
export function configFileError(what: ConfigFileKind, file: string, problems: string[]): Error {
  const lines = problems.map((p) => `  - ${p}`).join('\n');
  return new Error(`Invalid ${what.kind} ${file} (${what.variable}):\n${lines}`);
}

/** Which file: its kind and the setting that names it. */
export interface ConfigFileKind {
  kind: string;
  variable: string;
}

/**
 * Reads a YAML (or JSON, which YAML also reads) configuration file named by a setting, so a
 * missing or unparsable file stops the gateway at start with a message naming it.
 */
export function readYamlFile(what: ConfigFileKind, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw configFileError(what, file, [
      `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    ]);
  }
  try {
    return parse(text) as unknown;
  } catch (err) {
    throw configFileError(what, file, [
      `is not valid YAML/JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    ]);
  }
}
