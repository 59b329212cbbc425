import { readFileSync, type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { Reporter } from '../observe/reporter.js';
import { checkMtlsMaterial, type MtlsServerOptions, mtlsServerOptions } from './mtls.js';

/** Paths of the PEM files your certificate agent (spiffe-helper, cert-manager, Vault agent…) keeps fresh. */
export interface CertificateFiles {
  cert: string;
  key: string;
  ca: string;
}

/** Options of {@link watchCertificateFiles}. */
export interface CertificateRotationOptions {
  /** Receives `mtls.rotated` and `mtls.rotation_failed` (with the reason; the old context stays). */
  onEvent?: OnEvent;
  /** Wait this long after the last file event before reloading, so a cert and key written one after the other are read together. Default 150 ms. */
  debounceMs?: number;
  /** Must match the server's `minVersion` (it lives in the secure context). Default `TLSv1.2`. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

const ROTATION_KEYS = optionKeys<CertificateRotationOptions>()('onEvent', 'debounceMs', 'minVersion');

/** A running watch. */
export interface CertificateRotation {
  /** Read the files now and swap the context if they changed and are valid. Resolves true when swapped. */
  reload(): Promise<boolean>;
  /** Stop watching. */
  close(): void;
}

/** A server that can swap its TLS context: `https.Server`, `http2.Http2SecureServer`, `tls.Server`. */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * Read the certificate files once and build {@link mtlsServerOptions} from them, for the server's first start.
 *
 * @example
 * const files = { cert: '/run/spiffe/svid.pem', key: '/run/spiffe/svid_key.pem', ca: '/run/spiffe/bundle.pem' };
 * const server = https.createServer(loadMtlsServerOptions(files), app);
 */
export function loadMtlsServerOptions(
  files: CertificateFiles,
  minVersion?: 'TLSv1.2' | 'TLSv1.3',
): MtlsServerOptions {
  const read = (name: keyof CertificateFiles): Buffer => {
    try {
      return readFileSync(files[name]);
    } catch (err) {
      throw new ConfigError(
        `mtls.files.${name}`,
        `cannot be read (${(err as Error).message})`,
        'check the path and permissions',
      );
    }
  };
  return mtlsServerOptions({
    cert: read('cert'),
    key: read('key'),
    ca: read('ca'),
    ...(minVersion !== undefined ? { minVersion } : {}),
  });
}

/**
 * Hot certificate rotation: watch the certificate, key and CA bundle files and swap them into the running
 * server with `setSecureContext`. New handshakes use the new material; established connections keep theirs
 * and are never dropped. A missing, half-written or mismatched set is refused: the old context stays and
 * `mtls.rotation_failed` is emitted; the next file event retries. Directories are watched rather than files,
 * so atomic renames and Kubernetes' `..data` symlink swaps are seen.
 *
 * @example
 * const rotation = watchCertificateFiles(server, files, { onEvent: (e) => log.info(e) });
 * process.on('SIGTERM', () => rotation.close());
 */
export function watchCertificateFiles(
  server: SecureContextTarget,
  files: CertificateFiles,
  options: CertificateRotationOptions = {},
): CertificateRotation {
  if (typeof server?.setSecureContext !== 'function') {
    throw new ConfigError(
      'mtls.server',
      'cannot swap its TLS context',
      'pass the https/http2/tls server (fastify: app.server, Nest: app.getHttpServer())',
    );
  }
  for (const name of ['cert', 'key', 'ca'] as const) {
    if (typeof files?.[name] !== 'string' || files[name] === '') {
      throw new ConfigError(
        `mtls.files.${name}`,
        'must be a file path',
        'pass the paths your certificate agent writes',
      );
    }
  }
  checkOptions('mtls', options, ROTATION_KEYS);
  const debounceMs = numberOption('mtls.debounceMs', options.debounceMs, {
    min: 0,
    max: 60_000,
    fallback: 150,
  });
  const minVersion = options.minVersion ?? 'TLSv1.2';
  // Without a hook a failed rotation is still logged: the server keeps serving a certificate that expires.
  const onEvent = new Reporter(options.onEvent, 'mtls').emit;
  const paths = { cert: resolve(files.cert), key: resolve(files.key), ca: resolve(files.ca) };
  let last: string | undefined;
  let chain: Promise<boolean> = Promise.resolve(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  async function load(): Promise<boolean> {
    let material: [Buffer, Buffer, Buffer];
    try {
      material = await Promise.all([readFile(paths.cert), readFile(paths.key), readFile(paths.ca)]);
    } catch (err) {
      emit(onEvent, {
        type: 'mtls.rotation_failed',
        detail: `cannot read the certificate files: ${(err as Error).message}`,
      });
      return false;
    }
    const fingerprint = material.map((b) => b.toString('base64')).join('|');
    if (fingerprint === last) return false;
    try {
      const checked = checkMtlsMaterial({ cert: material[0], key: material[1], ca: material[2] });
      server.setSecureContext({ cert: checked.cert, key: checked.key, ca: checked.ca, minVersion });
      last = fingerprint;
      emit(onEvent, {
        type: 'mtls.rotated',
        detail: 'new certificate, key and CA bundle are in use for new handshakes',
        data: { validTo: checked.validTo.toISOString() },
      });
      return true;
    } catch (err) {
      emit(onEvent, {
        type: 'mtls.rotation_failed',
        detail: `kept the previous certificate: ${(err as Error).message}`,
      });
      return false;
    }
  }

  function reload(): Promise<boolean> {
    chain = chain.then(load, load);
    return chain;
  }

  // The server was started with these files; remember them so an unrelated event does not swap for nothing.
  try {
    last = [readFileSync(paths.cert), readFileSync(paths.key), readFileSync(paths.ca)]
      .map((b) => b.toString('base64'))
      .join('|');
  } catch {
    last = undefined;
  }

  const names = new Set([basename(paths.cert), basename(paths.key), basename(paths.ca), '..data']);
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(paths.cert), dirname(paths.key), dirname(paths.ca)])) {
    const watcher = watch(dir, { persistent: false }, (_event, filename) => {
      if (closed) return;
      if (filename !== null && !names.has(String(filename))) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void reload();
      }, debounceMs);
    });
    watcher.on('error', (err) =>
      emit(onEvent, { type: 'mtls.rotation_failed', detail: `watch error on ${dir}: ${err.message}` }),
    );
    watchers.push(watcher);
  }

  return {
    reload,
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
