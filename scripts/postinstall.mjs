// Runs after `npm ci` / `npm install` in this repository (never in a packaged extension). npm drops an optional
// dependency whose build fails without a word; naudiodon (the optional PortAudio capture backend) is one, so say so.
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const binary = path.join(root, 'node_modules', 'naudiodon', 'build', 'Release', 'naudiodon.node');
if (!fs.existsSync(binary)) {
  console.log(
    'naudiodon (optional microphone backend) was not built, so npm left it out; the default backend (pvrecorder) ' +
      "does not need it. To have it: install make, g++ and python3 and let node-gyp reach Node's headers " +
      '(nodejs.org, or `npm config set nodedir` to a Node source/headers folder), then run npm ci again.',
  );
}
