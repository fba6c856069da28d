import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** Every problem found in a configuration, listed at once so an installer can fix them in one pass. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';

  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** YAML file; when absent, only defaults and environment overrides apply. */
  file?: string;
  /** Environment to read overrides from (the process environment by default). */
  env?: NodeJS.ProcessEnv;
  /**
   * Prefix of override variables. `CONCLAVE_SFU__HTTP__PORT=8443` sets `http.port`: segments are separated by
   * a double underscore and matched to keys case-insensitively, ignoring `_` and `-`.
   */
  envPrefix?: string;
}

const SECRET_FILE_SUFFIX = '_FILE';

/**
 * Loads a service configuration once at start-up: YAML file, then environment overrides, validated by a strict
 * zod schema (unknown keys refused). Values of override variables ending in `_FILE` are read from that file,
 * so secrets never sit in the environment or the YAML itself. Relative paths in the YAML are the schema's
 * concern; `configDir` of the result tells where the file was.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  options: LoadConfigOptions = {},
): { config: z.infer<S>; configDir: string } {
  const source = options.file ?? '(defaults)';
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};

  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (error) {
      throw new ConfigError(source, [
        `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? error}`,
      ]);
    }
    try {
      const parsed: unknown = parseYaml(text, { maxAliasCount: 100 });
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new ConfigError(source, ['the file must hold a YAML mapping at its top level']);
        }
        raw = parsed as Record<string, unknown>;
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(source, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
    }
  }

  if (options.envPrefix !== undefined) {
    applyEnvOverrides(raw, options.env ?? process.env, options.envPrefix, problems);
  }

  if (problems.length > 0) throw new ConfigError(source, problems);
  const config = validateConfig(schema, raw, source);
  const configDir = options.file !== undefined ? dirname(resolve(options.file)) : process.cwd();
  return { config, configDir };
}

/** Validates an in-memory configuration, listing every problem in one `ConfigError`. */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source = '(inline)',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.infer<S>;
  throw new ConfigError(
    source,
    result.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`,
    ),
  );
}

function applyEnvOverrides(
  target: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  prefix: string,
  problems: string[],
): void {
  const head = `${prefix}__`;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(head) || value === undefined) continue;
    let segments = name.slice(head.length).split('__');
    let text = value;
    const last = segments[segments.length - 1]!;
    if (last.endsWith(SECRET_FILE_SUFFIX)) {
      segments = [...segments.slice(0, -1), last.slice(0, -SECRET_FILE_SUFFIX.length)];
      try {
        text = readFileSync(value, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        problems.push(`${name}: cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? error}`);
        continue;
      }
    }
    setPath(target, segments, coerce(text));
  }
}

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function setPath(target: Record<string, unknown>, segments: string[], value: unknown): void {
  let node = target;
  segments.forEach((segment, index) => {
    const existing = Object.keys(node).find((key) => normalise(key) === normalise(segment));
    const key = existing ?? camelCase(segment);
    if (index === segments.length - 1) {
      node[key] = value;
      return;
    }
    const child = node[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
}

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Environment values are strings: numbers, booleans and JSON arrays/objects are recognised. */
function coerce(text: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
