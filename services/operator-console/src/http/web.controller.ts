import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { NotFoundError } from '../auth/errors';
import { Public } from './decorators';

const WEB = path.join(__dirname, '..', 'web');
const dirOf = (m: string) => path.dirname(require.resolve(m));

/**
 * The page's files: its own modules (src/web) and the libraries it uses, straight from node_modules
 * (no bundler, no build step). Only the names listed here are served.
 */
const ASSETS: Record<string, { file: string; type: string }> = {
  'preact.mjs': { file: path.join(dirOf('preact'), 'preact.module.js'), type: 'text/javascript' },
  'preact-hooks.mjs': { file: path.join(dirOf('preact/hooks'), 'hooks.module.js'), type: 'text/javascript' },
  'htm.mjs': { file: path.join(dirOf('htm'), 'htm.module.js'), type: 'text/javascript' },
  'decimal.mjs': { file: path.join(dirOf('decimal.js'), 'decimal.mjs'), type: 'text/javascript' },
  'tabulator.mjs': {
    file: path.join(dirOf('tabulator-tables'), 'tabulator_esm.min.mjs'),
    type: 'text/javascript',
  },
  'tabulator.css': {
    file: path.join(dirOf('tabulator-tables'), '..', 'css', 'tabulator_simple.min.css'),
    type: 'text/css',
  },
  'chart.umd.js': { file: path.join(dirOf('chart.js'), 'chart.umd.min.js'), type: 'text/javascript' },
};
for (const f of ['app.mjs', 'api.mjs', 'format.mjs', 'widgets.mjs', 'pages.mjs', 'app.css'])
  ASSETS[f] = { file: path.join(WEB, f), type: f.endsWith('.css') ? 'text/css' : 'text/javascript' };

const INDEX = readFileSync(path.join(WEB, 'index.html'), 'utf8');
/** the hash of the page's inline import map, allowed by the Content-Security-Policy */
export const IMPORT_MAP_HASH = createHash('sha256')
  .update(/<script type="importmap">([\s\S]*?)<\/script>/.exec(INDEX)?.[1] ?? '')
  .digest('base64');

@Controller()
export class WebController {
  /** The page; without a session the guard sends the browser to /sign-in. */
  @Get()
  index(@Res() res: Response): void {
    res.type('html').send(INDEX);
  }

  /** The same page, which shows the sign-in form when there is no session. */
  @Public()
  @Get('sign-in')
  signIn(@Res() res: Response): void {
    res.type('html').send(INDEX);
  }

  @Public()
  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const a = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!a) throw new NotFoundError(name);
    res.setHeader('Cache-Control', 'no-cache');
    res.type(a.type).sendFile(a.file);
  }
}
