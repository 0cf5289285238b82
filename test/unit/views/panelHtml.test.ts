import * as fs from 'fs';
import * as path from 'path';
import * as assert from 'assert';
import { panelHtml } from '../../../src/views/panelHtml';

const page = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'bm9uY2Utbm9uY2Utbm9uY2U=',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
};

describe('performance panel page (src/views/panelHtml.ts)', () => {
  const html = panelHtml(page);

  it('has a strict CSP: nothing by default, styles and images from the extension, scripts only with the nonce', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.strictEqual(
      csp,
      `default-src 'none'; style-src ${page.cspSource}; script-src 'nonce-${page.nonce}'; img-src ${page.cspSource} data:`,
    );
  });

  it('loads the one bundled script with the nonce and the stylesheet; no inline script', () => {
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepStrictEqual(scripts, [`<script nonce="${page.nonce}" src="${page.scriptUri}">`]);
    assert.ok(html.includes(`<link rel="stylesheet" href="${page.styleUri}">`));
    assert.ok(!/\son[a-z]+=/.test(html), 'no inline event handlers');
  });

  it('has every element the page script fills in (each id panel.ts looks up)', () => {
    const script = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'src', 'views', 'webview', 'panel.ts'), 'utf8');
    const ids = [...script.matchAll(/(?:byId(?:<[^>]+>)?|text|show)\('([a-z-]+)'/g)].map((m) => m[1]);
    assert.ok(ids.length >= 15, `only ${ids.length} ids found in panel.ts`);
    for (const id of new Set(ids)) assert.ok(html.includes(`id="${id}"`), `#${id}`);
    assert.ok(html.includes('<h2 id="stages-title">'), 'the heading the UI test looks for');
  });
});
