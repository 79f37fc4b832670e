import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import { existsSync, mkdirSync, readFileSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import type { Logger } from './core/logger.ts';

/** No mail port speaks anything older (TLS 1.0 and 1.1 are deprecated by RFC 8996). */
export const TLS_MIN_VERSION: SecureVersion = 'TLSv1.2';

/** A certificate chain and its key, as every mail port presents them. */
export interface TlsMaterial {
  key: string;
  cert: string;
  /** SHA-256 fingerprint of the leaf certificate, as people compare it (`AB:CD:…`). */
  fingerprint: string;
}

/** The certificate of the mail ports: the provider's files, reloaded when they change, or a self-signed one. */
export interface TlsSource {
  current(): TlsMaterial;
  /** Calls listener with the new material whenever the files change (after a certbot renewal, say). */
  onChange(listener: (material: TlsMaterial) => void): void;
  selfSigned: boolean;
  close(): void;
}

/** The fingerprint of a PEM certificate chain's first certificate. */
export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Reads a key and certificate, refusing a pair that does not belong together. */
function readMaterial(certFile: string, keyFile: string): TlsMaterial {
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  const x509 = new X509Certificate(cert);
  // A renewal caught between writing its two files is refused, not served.
  if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error(`${keyFile} is not the key of ${certFile}`);
  return { key, cert, fingerprint: x509.fingerprint256 };
}

/** A self-signed certificate for hostname, made once under dir and kept while it is valid for that name. */
async function selfSignedMaterial(dir: string, hostname: string): Promise<TlsMaterial> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const material = readMaterial(certFile, keyFile);
    const x509 = new X509Certificate(material.cert);
    if (x509.checkHost(hostname) && new Date(x509.validTo) > new Date(Date.now() + 7 * 86_400_000)) return material;
  }
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 2);
  const made = await selfsigned.generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, made.private, { mode: 0o600 });
  writeFileSync(certFile, made.cert);
  return { key: made.private, cert: made.cert, fingerprint: fingerprintOf(made.cert) };
}

/**
 * The mail ports' certificate: TLS_CERT_FILE and TLS_KEY_FILE when set (watched, and reloaded
 * when either changes; a broken pair keeps the previous one in service), else a self-signed
 * certificate for MAIL_HOSTNAME made once under `<dataDir>/tls/`.
 */
export async function openTls(
  options: { certFile?: string; keyFile?: string; hostname: string; dataDir: string; pollMs?: number },
  log: Logger,
): Promise<TlsSource> {
  const listeners: ((material: TlsMaterial) => void)[] = [];
  if (!options.certFile || !options.keyFile) {
    const material = await selfSignedMaterial(join(options.dataDir, 'tls'), options.hostname);
    return { current: () => material, onChange: () => {}, selfSigned: true, close: () => {} };
  }
  const { certFile, keyFile } = options;
  let material = readMaterial(certFile, keyFile);
  const reload = () => {
    try {
      const next = readMaterial(certFile, keyFile);
      if (next.fingerprint === material.fingerprint && next.key === material.key) return;
      material = next;
      log.info({ subsystem: 'tls', fingerprint: material.fingerprint }, 'certificate reloaded');
      for (const listener of listeners) listener(material);
    } catch (error) {
      log.warn({ subsystem: 'tls', err: error }, 'certificate files unreadable: keeping the previous one');
    }
  };
  // Polling, not inotify: certbot swaps symlinks, which fs.watch loses track of.
  const pollMs = options.pollMs ?? 5000;
  watchFile(certFile, { interval: pollMs }, reload);
  watchFile(keyFile, { interval: pollMs }, reload);
  return {
    current: () => material,
    onChange: (listener) => void listeners.push(listener),
    selfSigned: false,
    close: () => {
      unwatchFile(certFile, reload);
      unwatchFile(keyFile, reload);
    },
  };
}
