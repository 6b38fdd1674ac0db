// Builds the dashboard into web/dist: one script and one stylesheet with content hashes
// in their names (cached for a year by the server), index.html pointing at them (never
// cached), and a .gz beside every compressible file (the server sends it to clients that
// accept gzip). Runs as part of `npm run build`, so `npm install` and `npm ci` build it.
// `node web/build.mjs --quiet` prints nothing on success.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const web = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(web, 'dist');
const quiet = process.argv.includes('--quiet');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: path.join(web, 'src', 'main.ts') },
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  // Wall screens run whatever browser the TV shipped with: an IIFE and ES2020 syntax work in
  // every Chromium/WebKit/Gecko of the last five years.
  format: 'iife',
  target: ['es2020', 'chrome80', 'firefox78', 'safari15'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

const outputs = Object.entries(result.metafile.outputs);
const js = outputs.find(([file, o]) => file.endsWith('.js') && o.entryPoint);
if (!js) throw new Error('esbuild produced no script');
const css = js[1].cssBundle;
if (!css) throw new Error('esbuild produced no stylesheet (web/src/main.ts must import styles/index.css)');
const url = (file) => '/' + path.relative(out, path.resolve(file)).split(path.sep).join('/');

const html = fs
  .readFileSync(path.join(web, 'index.html'), 'utf8')
  .replace('%APP_JS%', url(js[0]))
  .replace('%APP_CSS%', url(css));
fs.copyFileSync(path.join(web, 'favicon.svg'), path.join(out, 'favicon.svg'));
// The project docs, so the dashboard can link to the section that explains what it shows
// ("what would measure this pillar"), served as plain text at /docs/<name>.md.
const docs = path.join(web, '..', 'docs');
if (fs.existsSync(docs)) {
  fs.mkdirSync(path.join(out, 'docs'));
  for (const f of fs.readdirSync(docs)) if (f.endsWith('.md')) fs.copyFileSync(path.join(docs, f), path.join(out, 'docs', f));
}

// index.html last: the server reloads its file index when index.html changes.
const compressible = /\.(js|css|svg|map|html|md)$/;
const sizes = [];
for (const file of [...walk(out), path.join(out, 'index.html')]) {
  if (file.endsWith('index.html')) fs.writeFileSync(file, html);
  if (!compressible.test(file)) continue;
  const body = fs.readFileSync(file);
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  fs.writeFileSync(`${file}.gz`, gz);
  if (!file.endsWith('.map') && !file.endsWith('.md')) sizes.push([path.relative(out, file), body.length, gz.length]);
}

if (!quiet) {
  for (const [file, raw, gz] of sizes) {
    console.log(`web/dist/${file.padEnd(28)} ${(raw / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gzip`);
  }
  const hash = createHash('sha1').update(html).digest('hex').slice(0, 8);
  console.log(`web/dist/index.html ${hash}: dashboard built`);
}

function walk(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (entry.isFile() && entry.name !== 'index.html') files.push(full);
  }
  return files;
}
