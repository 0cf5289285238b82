/**
 * The lever A/B (tiny): one engine per setting, each with one fast-path option turned back to its alternative (the
 * encoder window and each of EngineLevers), all alive at once and run alternately on every clip (one untimed warm-up
 * of each, then each in turn BENCH_RUNS times), so that drift in the machine's speed hits them all alike.
 */
import { ENGINE_EXEC_ARGV } from '../src/engineClient';
import { ENGINE_ENV } from '../src/engineEnv';
import { EngineConfig, EngineLevers, ModelName } from '../src/protocol';
import { abValues, AnySpec, DEFAULT_LEVERS, ENGINE_SETTINGS, LEVER_SETTINGS as LEVER_TABLE } from '../src/settings';
import { Clip, ClipKind } from './clips';
import { Contention } from './contention';
import { EngineRunner } from './engineRunner';
import { ImplRuns, ImplSummary, runAlternately, summarize } from './results';

export interface LeverSetting {
  /** The EngineConfig field or EngineLevers field turned, '(default)' for the engine as shipped. */
  lever: string;
  setting: string;
  /** The lever's default setting. */
  defaultSetting: string;
  config: EngineConfig;
  /** Environment of the engine process, for the levers that live there (ENGINE_ENV in src/engineClient.ts). */
  env?: NodeJS.ProcessEnv;
  /** Node options after ENGINE_EXEC_ARGV (src/engineClient.ts), for the V8 lever. */
  execArgv?: string[];
}

/** The malloc settings of ENGINE_ENV against a value nearer glibc's default (a 1 MiB fixed threshold; 16 arenas = 8 per core). */
const MALLOC_ALTERNATIVE = { MALLOC_MMAP_THRESHOLD_: '1048576', MALLOC_ARENA_MAX: '16' };

/** Node 20's own limit for a semi-space of V8's young generation (64-bit), against ENGINE_EXEC_ARGV's 1 MB. */
const V8_SEMI_SPACE_DEFAULT = '--max-semi-space-size=16';

/** The settings the A/B runs: the default first (the report's "vs default" divides by it), then each lever turned alone. */
export const LEVER_SETTINGS: readonly LeverSetting[] = [
  {
    lever: '(default)',
    setting: `encoderWindow variable, ${Object.entries(DEFAULT_LEVERS)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    defaultSetting: '',
    config: {},
  },
  // From the settings table (src/settings.ts), one at a time: the configuration fields that name values to try
  // (`ab`), then every lever (its `ab`, else its other choices).
  ...Object.entries(ENGINE_SETTINGS)
    .filter(([, spec]) => 'ab' in spec)
    .flatMap(([key, spec]) =>
      abValues(spec as AnySpec).map((value) => ({
        lever: key,
        setting: String(value),
        defaultSetting: String(spec.default),
        config: { [key]: value } as EngineConfig,
      })),
    ),
  ...Object.entries(LEVER_TABLE).flatMap(([key, spec]) =>
    abValues(spec as AnySpec).map((value) => ({
      lever: key,
      setting: String(value),
      defaultSetting: String(DEFAULT_LEVERS[key as keyof EngineLevers]),
      config: { levers: { [key]: value } as EngineLevers },
    })),
  ),
  ...(['MALLOC_MMAP_THRESHOLD_', 'MALLOC_ARENA_MAX'] as const).map((name) => ({
    lever: name,
    setting: `${MALLOC_ALTERNATIVE[name]} (glibc)`,
    defaultSetting: String(ENGINE_ENV[name]),
    config: {},
    env: { [name]: MALLOC_ALTERNATIVE[name] },
  })),
  {
    lever: 'V8 semi-space',
    setting: `${V8_SEMI_SPACE_DEFAULT} (node's default)`,
    defaultSetting: ENGINE_EXEC_ARGV.join(' '),
    config: {},
    execArgv: [V8_SEMI_SPACE_DEFAULT],
  },
];

export interface LeverSettingResult extends LeverSetting {
  init: { loadMs: number; cachedEdits: boolean };
  summary: ImplSummary;
  /** Engine process RSS after the runs. */
  rssBytes: number;
}

export interface LeverAbResult {
  model: ModelName;
  settings: LeverSettingResult[];
  /** Per clip, the runs of each setting in the order of `settings`. */
  clips: { clip: string; kind: ClipKind; seconds: number; reference?: string; runs: ImplRuns[] }[];
  /** CPU other processes used during the A/B (Linux). */
  contention?: Contention;
}

const progress = (s: string) => process.stderr.write(s);

export async function measureLevers(enginePath: string, model: ModelName, clips: readonly Clip[], runs: number): Promise<LeverAbResult> {
  const engines: EngineRunner[] = [];
  try {
    for (const s of LEVER_SETTINGS) {
      progress(`[levers] loading ${model}, ${s.defaultSetting ? `${s.lever} ${s.setting}` : s.lever}...\n`);
      engines.push(await EngineRunner.start(enginePath, { model, ...s.config }, s.env, s.execArgv));
    }
    const results: LeverAbResult['clips'] = [];
    for (const clip of clips) {
      progress(`[levers] ${clip.name} `);
      const clipRuns = await runAlternately(
        engines.map((e) => () => e.transcribe(clip.path)),
        runs,
      );
      progress(`${clipRuns.map((r) => Math.round(r.medianMs)).join(' / ')} ms\n`);
      results.push({ clip: clip.name, kind: clip.kind, seconds: clip.seconds, reference: clip.reference, runs: clipRuns });
    }
    const settings: LeverSettingResult[] = [];
    for (const [j, s] of LEVER_SETTINGS.entries()) {
      settings.push({
        ...s,
        init: { loadMs: engines[j].init.loadMs, cachedEdits: engines[j].init.cachedEdits },
        summary: summarize(results.map((c) => ({ ...c, runs: c.runs[j] }))),
        rssBytes: await engines[j].rssBytes(),
      });
    }
    return { model, settings, clips: results };
  } finally {
    for (const e of engines) await e.shutdown();
  }
}
