/**
 * The one check of every request's params against the protocol's shapes (types, ranges, lengths), before anything
 * is applied: a request that fails here changes nothing. Errors quote at most a short prefix of a bad value, so a
 * 50 MB path is neither echoed back nor logged.
 */
import {
  CAPTURE_BACKENDS,
  DownloadModelParams,
  EngineConfig,
  EngineErrorCode,
  EngineLevers,
  ListDevicesParams,
  MODEL_NAMES,
  StartParams,
  TranscribeFileParams,
} from '../protocol';
import { AnySpec, ENGINE_SETTINGS, LEVER_SETTINGS, MAX_PATH_CHARS } from '../settings';
import { EngineError } from './errors';

export { MAX_PATH_CHARS } from '../settings';
/** Longest prefix of a bad value quoted in an error. */
const QUOTE_CHARS = 40;
/** Highest device index accepted (devices are listed 0..n-1; -1 is the default). */
const MAX_DEVICE_INDEX = 4096;

/** A value for an error message: JSON, cut to QUOTE_CHARS. */
export function quote(value: unknown): string {
  let s: string;
  try {
    s =
      typeof value === 'string'
        ? JSON.stringify(value.length > QUOTE_CHARS * 2 ? value.slice(0, QUOTE_CHARS * 2) : value)
        : String(JSON.stringify(value));
  } catch {
    s = typeof value;
  }
  return s.length > QUOTE_CHARS
    ? `${s.slice(0, QUOTE_CHARS)}… (${typeof value === 'string' ? `${value.length} characters` : typeof value})`
    : s;
}

function invalid(message: string): EngineError {
  return new EngineError(EngineErrorCode.InvalidParams, message);
}

type Check = (value: unknown, name: string) => void;

const oneOf =
  (choices: readonly unknown[]): Check =>
  (v, name) => {
    if (!choices.includes(v)) throw invalid(`${name} must be ${choices.map((c) => JSON.stringify(c)).join(', ')}, not ${quote(v)}.`);
  };
const bool: Check = (v, name) => {
  if (typeof v !== 'boolean') throw invalid(`${name} must be true or false, not ${quote(v)}.`);
};
const number =
  (min: number, max: number, unit = '', integer = false): Check =>
  (v, name) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw invalid(`${name} must be a ${integer ? 'whole number' : 'number'} from ${min} to ${max}${unit}, not ${quote(v)}.`);
    }
  };
/** Strictly between the bounds (a probability: 0 and 1). */
const between =
  (min: number, max: number): Check =>
  (v, name) => {
    if (typeof v !== 'number' || !(v > min && v < max)) throw invalid(`${name} must be between ${min} and ${max}, not ${quote(v)}.`);
  };
const text =
  (maxChars: number): Check =>
  (v, name) => {
    if (typeof v !== 'string' || v.length === 0) throw invalid(`${name} must be a non-empty string, not ${quote(v)}.`);
    if (v.length > maxChars)
      throw invalid(`${name} is ${v.length} characters long; at most ${maxChars} are accepted (it starts ${quote(v)}).`);
    if (v.includes('\0')) throw invalid(`${name} contains a NUL character: ${quote(v)}.`);
  };
const pathText = text(MAX_PATH_CHARS);
/** A list of strings, each checked as `text`. */
const texts =
  (maxItems: number, maxChars: number): Check =>
  (v, name) => {
    if (!Array.isArray(v)) throw invalid(`${name} must be a list of strings, not ${quote(v)}.`);
    if (v.length > maxItems) throw invalid(`${name} holds ${v.length} strings; at most ${maxItems} are accepted.`);
    const each = text(maxChars);
    v.forEach((item, i) => each(item, `${name}[${i}]`));
  };

/** Checks an object against a table of its fields: unknown fields are errors too (a misspelt setting is not ignored). */
function checkObject(value: unknown, name: string, fields: Record<string, Check>, required: readonly string[] = []): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${name} must be an object, not ${quote(value)}.`);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const check = fields[key];
    if (!check) throw invalid(`${name} has an unknown field ${quote(key)}; known: ${Object.keys(fields).join(', ')}.`);
    if (record[key] !== undefined) check(record[key], name === 'params' ? key : `${name}.${key}`);
  }
  for (const key of required) if (record[key] === undefined) throw invalid(`${name === 'params' ? '' : `${name}.`}${key} is required.`);
}

/** The check of one field, from its row in the settings table (src/settings.ts). */
function checkOf(spec: AnySpec): Check {
  switch (spec.type) {
    case 'enum':
      return oneOf(spec.values ?? []);
    case 'boolean':
      return bool;
    case 'integer':
    case 'number':
      if (spec.open) return between(spec.min ?? -Infinity, spec.max ?? Infinity);
      return number(spec.min ?? -Infinity, spec.max ?? Infinity, spec.unit ? ` ${spec.unit}` : '', spec.type === 'integer');
    case 'string':
      return text(spec.maxChars ?? MAX_PATH_CHARS);
    case 'strings':
      return texts(spec.maxItems ?? 0, spec.maxChars ?? MAX_PATH_CHARS);
  }
}
const checksOf = <K extends string>(table: Record<K, unknown>): Record<K, Check> =>
  Object.fromEntries(Object.entries(table).map(([k, spec]) => [k, checkOf(spec as AnySpec)])) as Record<K, Check>;

/** EngineLevers, field by field. */
export const LEVER_CHECKS: Record<keyof EngineLevers, Check> = checksOf(LEVER_SETTINGS);

/** A model outside the list is its own error (the client may offer the models there are). */
const modelName: Check = (v, name) => {
  if (!(MODEL_NAMES as readonly unknown[]).includes(v)) {
    throw new EngineError(EngineErrorCode.UnknownModel, `Unknown model ${quote(v)} (${name}): choose ${MODEL_NAMES.join(' or ')}.`);
  }
};

/** EngineConfig, field by field. */
export const CONFIG_CHECKS: Record<keyof EngineConfig, Check> = {
  ...checksOf(ENGINE_SETTINGS),
  model: modelName,
  levers: (v, name) => checkObject(v, name, LEVER_CHECKS),
};

export function checkConfig(value: unknown, name = 'config'): EngineConfig {
  checkObject(value ?? {}, name, CONFIG_CHECKS);
  return (value ?? {}) as EngineConfig;
}

export function checkInitialize(params: unknown): EngineConfig {
  checkObject(params ?? {}, 'params', { config: (v) => checkConfig(v) });
  return checkConfig((params as { config?: unknown } | undefined)?.config);
}

export function checkTranscribeFile(params: unknown): TranscribeFileParams {
  checkObject(params, 'params', { path: pathText, model: CONFIG_CHECKS.model, language: CONFIG_CHECKS.language }, ['path']);
  return params as TranscribeFileParams;
}

const BACKEND = oneOf(CAPTURE_BACKENDS);

export function checkStart(params: unknown): StartParams {
  checkObject(
    params,
    'params',
    {
      source: (v, name) => {
        const kind = (v as { kind?: unknown } | null)?.kind;
        if (kind === 'file') checkObject(v, name, { kind: () => undefined, path: pathText, realtime: bool }, ['path', 'realtime']);
        else if (kind === 'microphone')
          checkObject(v, name, { kind: () => undefined, device: number(-1, MAX_DEVICE_INDEX, '', true), backend: BACKEND });
        else throw invalid(`${name}.kind must be "file" or "microphone", not ${quote(kind)}.`);
      },
    },
    ['source'],
  );
  return params as StartParams;
}

export function checkDownloadModel(params: unknown): DownloadModelParams {
  checkObject(params, 'params', { model: CONFIG_CHECKS.model }, ['model']);
  return params as DownloadModelParams;
}

export function checkListDevices(params: unknown): ListDevicesParams {
  checkObject(params ?? {}, 'params', { backend: BACKEND });
  return (params ?? {}) as ListDevicesParams;
}
