import { createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';

// Just enough DER to write one self-signed certificate for the attacker key: the `x5u` and `x5c` probes
// need a certificate an API could read a key from, and node:crypto can parse certificates but not make them.

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const int = (bytes: Buffer) => tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const oid = (dotted: string) => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      chunk.unshift((v % 128) | (chunk.length > 0 ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
};
const utc = (d: Date) => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const name = (cn: string) => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));

/**
 * A self-signed X.509 certificate (DER) for `privateKey`, valid for one hour, CN `bulwark-audit attacker`.
 *
 * @example
 * const der = selfSignedCertificate(key.privateKey);
 * const x5c = [der.toString('base64')];
 */
export function selfSignedCertificate(privateKey: KeyObject): Buffer {
  const publicKey = createPublicKey(privateKey);
  const ec = publicKey.asymmetricKeyType === 'ec';
  const algorithm = ec ? seq(oid('1.2.840.10045.4.3.2')) : seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));
  const now = Date.now();
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(randomBytes(8)),
    algorithm,
    name('bulwark-audit attacker'),
    seq(utc(new Date(now - 60_000)), utc(new Date(now + 3_600_000))),
    name('bulwark-audit attacker'),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  return seq(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
}

/** PEM armour for a DER certificate. */
export function certificatePem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
