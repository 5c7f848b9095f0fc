import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';

/**
 * Where raw Amazon files are kept (Amazon keeps reports only 90 days): gzip, addressed by a URI the
 * events carry. The filesystem store suits one node or a mounted volume; an object store goes
 * behind the same interface.
 */
export interface RawArchive {
  /** Streams `body` into the archive under `key`, compressing unless it is gzip already. */
  put(key: string, body: Readable, opts: { gzipped: boolean }): Promise<{ uri: string; bytes: number }>;
  /** The archived file, decompressed, as a stream. */
  open(uri: string): Readable;
  exists(uri: string): Promise<boolean>;
}

export class FileRawArchive implements RawArchive {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable, opts: { gzipped: boolean }) {
    const path = join(this.root, `${key}.gz`);
    if (!path.startsWith(this.root)) throw new Error(`archive key escapes the archive: ${key}`);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.part`;
    try {
      if (opts.gzipped) await pipeline(body, createWriteStream(tmp));
      else await pipeline(body, createGzip(), createWriteStream(tmp));
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { uri: pathToFileURL(path).href, bytes: (await stat(path)).size };
  }

  open(uri: string): Readable {
    return createReadStream(this.pathOf(uri)).pipe(createGunzip());
  }

  async exists(uri: string): Promise<boolean> {
    return stat(this.pathOf(uri)).then(
      () => true,
      () => false,
    );
  }

  private pathOf(uri: string): string {
    const path = fileURLToPath(uri);
    if (!resolve(path).startsWith(this.root)) throw new Error(`not in this archive: ${uri}`);
    return path;
  }
}

/** A report document's body as a stream (no buffering of the whole file). */
export async function downloadStream(url: string): Promise<Readable> {
  const res = await fetch(url);
  if (res.status !== 200 || !res.body)
    throw new Error(`report document download answered ${res.status} (the URL lives 5 minutes)`);
  return Readable.fromWeb(res.body);
}
