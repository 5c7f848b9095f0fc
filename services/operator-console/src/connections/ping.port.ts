import { systemClock } from '@connector/core';
import { ConnectionRepository, CredentialsCipher, type Db } from '@connector/db';
import { SpApiFactory, pingAmazon } from '@connector/sp-api';
import { ConflictError } from '../auth/errors';

export interface PingResult {
  ok: boolean;
  lines: string[];
}

/** `ping` of a connection (the connection CLI's, libs/sp-api's pingAmazon); a fake in unit tests. */
export interface PingPort {
  ping(connectionId: string): Promise<PingResult>;
}

export class SpApiPingPort implements PingPort {
  private readonly factory: SpApiFactory;

  constructor(
    private readonly repo: ConnectionRepository,
    endpoints: { endpoint?: string; lwaTokenUrl?: string },
  ) {
    this.factory = new SpApiFactory({ ...endpoints, maxAttempts: 2 }, undefined, undefined, systemClock);
  }

  static fromConfig(
    db: Db,
    c: {
      CREDENTIALS_KEY?: string;
      CREDENTIALS_KEY_ID?: string;
      CREDENTIALS_PREVIOUS_KEYS?: string;
      SPAPI_ENDPOINT?: string;
      LWA_TOKEN_URL?: string;
    },
  ): SpApiPingPort {
    return new SpApiPingPort(new ConnectionRepository(db, CredentialsCipher.fromConfig(c)), {
      endpoint: c.SPAPI_ENDPOINT,
      lwaTokenUrl: c.LWA_TOKEN_URL,
    });
  }

  async ping(connectionId: string): Promise<PingResult> {
    const conn = await this.repo.get(connectionId);
    return pingAmazon(conn, await this.repo.credentials(connectionId), this.factory);
  }
}

/** Where ping is not switched on (CONSOLE_PING): says so, and how to ping instead. */
export class DisabledPingPort implements PingPort {
  async ping(): Promise<PingResult> {
    throw new ConflictError(
      'ping is not switched on for this console (CONSOLE_PING=true with CREDENTIALS_KEY); use npm run connection -- ping --id ID',
    );
  }
}
