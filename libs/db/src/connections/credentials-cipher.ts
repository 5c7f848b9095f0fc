import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NonRetriableError } from '@connector/core';

/** Wrong or missing key, or a blob that was tampered with: fix the configuration, don't retry. */
export class CredentialsCipherError extends NonRetriableError {
  constructor(message: string) {
    super('CREDENTIALS_CIPHER', message);
  }
}

export interface SealedSecret {
  ciphertext: Buffer;
  keyId: string;
}

/**
 * AES-256-GCM for secrets at rest (connection credentials, buyer PII): a random 12-byte IV per
 * value, the 16-byte tag, then the ciphertext, in one blob; the key id is stored beside it so keys
 * can be rotated (new writes use the current key; old keys still decrypt). The additional data
 * binds a blob to its row, so a blob copied to another connection does not decrypt.
 */
export class CredentialsCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly currentKeyId: string,
    keys: Record<string, string>,
  ) {
    for (const [id, b64] of Object.entries(keys)) {
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32)
        throw new CredentialsCipherError(`key "${id}" must be 32 bytes, base64-encoded (got ${key.length})`);
      this.keys.set(id, key);
    }
    if (!this.keys.has(currentKeyId)) throw new CredentialsCipherError(`no key "${currentKeyId}"`);
  }

  /** From CREDENTIALS_KEY (base64, 32 bytes), CREDENTIALS_KEY_ID and CREDENTIALS_PREVIOUS_KEYS ("id:base64,..."). */
  static fromConfig(cfg: {
    CREDENTIALS_KEY?: string;
    CREDENTIALS_KEY_ID?: string;
    CREDENTIALS_PREVIOUS_KEYS?: string;
  }) {
    if (!cfg.CREDENTIALS_KEY)
      throw new CredentialsCipherError(
        'CREDENTIALS_KEY is not set: generate one with `openssl rand -base64 32` and keep it in a secret store',
      );
    const id = cfg.CREDENTIALS_KEY_ID ?? 'k1';
    const previous = Object.fromEntries(
      (cfg.CREDENTIALS_PREVIOUS_KEYS ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const at = pair.indexOf(':');
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
    );
    return new CredentialsCipher(id, { ...previous, [id]: cfg.CREDENTIALS_KEY });
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]), keyId: this.currentKeyId };
  }

  open(sealed: SealedSecret, associatedData: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key)
      throw new CredentialsCipherError(
        `secret was sealed with key "${sealed.keyId}", which is not configured`,
      );
    const blob = sealed.ciphertext;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialsCipherError('secret does not decrypt: wrong key, or the stored value was altered');
    }
  }
}
