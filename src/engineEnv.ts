/**
 * The environment of the speech engine process, built explicitly. The engine does not inherit its parent's
 * environment wholesale: the extension host's NODE_OPTIONS, a stray VOICEFLOW_* debug variable (one writes every
 * utterance to disk) or the parent's malloc settings must not reach it. Only what a process needs to run and to open
 * an audio device passes from the parent; a caller's explicit `env` comes next; the engine's own settings last, and
 * telemetry is off whatever anyone passes.
 */

/**
 * The engine's tunables. glibc malloc settings (read by glibc at exec; where another allocator runs they are
 * ignored). A fixed mmap threshold keeps large buffers (model bytes while loading, tensors of a long window) in
 * their own mappings that go back to the system when freed: glibc's default raises the threshold after the first
 * such free and serves the next ones from the heap, which then stays at its peak. Measured on tiny after
 * transcribing 11 s and 28 s: RSS 288 MB -> 206 MB; the price is some speed against a 1 MiB threshold (the bench's
 * lever rows MALLOC_MMAP_THRESHOLD_ and MALLOC_ARENA_MAX show both). A caller's explicit `env` may turn them (the
 * bench's lever A/B does); the parent's inherited environment never does.
 */
export const ENGINE_ENV: NodeJS.ProcessEnv = {
  MALLOC_MMAP_THRESHOLD_: '65536',
  // Two malloc arenas instead of up to 8 per core: the engine's threads rarely allocate at once, and each arena keeps
  // its own freed memory (dictating from the microphone: 216 -> 199 MB, no change in speed).
  MALLOC_ARENA_MAX: '2',
  // Loading runs two onnxruntime session builds and file hashing at once on libuv's pool (4 threads by default).
  UV_THREADPOOL_SIZE: '8',
};

/**
 * Set last, over anything a caller passes. onnxruntime's own telemetry is on by default: it keeps a device id and an
 * event database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime and looks up Microsoft's collector
 * (mobile.events.data.microsoft.com). ORT_DISABLE_TELEMETRY is its documented opt-out. ELECTRON_RUN_AS_NODE makes
 * VS Code's Electron binary run the engine as plain Node.
 */
export const ENGINE_FIXED_ENV: Readonly<Record<string, string>> = {
  ORT_DISABLE_TELEMETRY: '1',
  ELECTRON_RUN_AS_NODE: '1',
};

/** Variables passed on from the parent by exact name: running a process, finding home, temp and locale. */
const INHERITED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TMP',
  'TEMP',
  // Editors packaged as a snap, AppImage or Nix wrapper find their own libraries through it (the engine runs their Node).
  'LD_LIBRARY_PATH',
  // A model download (Requests.downloadModel) behind a TLS-inspecting proxy trusts the certificates the user added.
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  // Audio servers a capture library may have to reach.
  'AUDIODEV',
  'ALSA_CONFIG_PATH',
  'ALSA_CARD',
  // Windows: the system folders and the user's profile, without which DLL loading and os.homedir()/tmpdir() fail.
  'SYSTEMROOT',
  'WINDIR',
  'SYSTEMDRIVE',
  'COMSPEC',
  'PATHEXT',
  'USERPROFILE',
  'USERNAME',
  'HOMEDRIVE',
  'HOMEPATH',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMDATA',
  'PROGRAMFILES',
  'PROGRAMFILES(X86)',
  'COMMONPROGRAMFILES',
  'NUMBER_OF_PROCESSORS',
  'PROCESSOR_ARCHITECTURE',
]);
/** Variables passed on from the parent by prefix: locale, XDG folders (the cache, PulseAudio's socket), audio servers. */
const INHERITED_PREFIXES = ['LC_', 'XDG_', 'PULSE_', 'PIPEWIRE_', 'JACK_'];

function inherited(name: string, platform: NodeJS.Platform): boolean {
  // Windows names are case-insensitive (Path, SystemRoot, windir).
  const key = platform === 'win32' ? name.toUpperCase() : name;
  return INHERITED.has(key) || INHERITED_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * The engine's environment: the parent's variables that pass (see INHERITED), then `explicit` (a caller's deliberate
 * choice: the fake microphone's PULSE_SERVER, a test's HOME, a debug variable), then ENGINE_ENV where `explicit`
 * leaves it unset, then ENGINE_FIXED_ENV over everything.
 */
export function engineEnvironment(
  parent: NodeJS.ProcessEnv = process.env,
  explicit: NodeJS.ProcessEnv = {},
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && inherited(name, platform)) env[name] = value;
  }
  Object.assign(env, ENGINE_ENV);
  for (const [name, value] of Object.entries(explicit)) {
    if (value !== undefined) env[name] = value;
  }
  return Object.assign(env, ENGINE_FIXED_ENV);
}
