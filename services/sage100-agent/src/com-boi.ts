import type { Boi, BoiBusinessObject, BoiServiceObject, BoiSession } from '@connector/sage100-agent-core';

/**
 * The real BOI over COM: `ProvideX.Script` → `Init(<MAS90 home>)` → `NewObject(...)`, through the
 * `winax` package, which exists only on Windows with Sage 100 installed. It is loaded at run time
 * and only on Windows; nothing here has been run against a real Sage 100 (this repository's
 * machines are Linux). ByRef out-parameters (nGetValue, nGetNextInvoiceNo, nSelectNewBatch) need
 * winax Variants and are not mapped yet: this is a stub that states so rather than guessing.
 */
export class ComBoi implements Boi {
  private readonly script: unknown;

  constructor(mas90Home: string) {
    if (process.platform !== 'win32')
      throw new Error('the COM BOI runs only on the Sage 100 Windows server (winax, ProvideX.Script)');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const winax = require('winax') as { Object: new (progId: string) => { Init(home: string): void } };
    const script = new winax.Object('ProvideX.Script');
    script.Init(mas90Home);
    this.script = script;
  }

  newSession(): BoiSession {
    return (this.script as { NewObject(name: string): BoiSession }).NewObject('SY_Session');
  }

  newObject(_name: string, _session: BoiSession): BoiBusinessObject | BoiServiceObject {
    throw new Error('ComBoi.newObject: ByRef mapping of BOI objects over winax is not written yet');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
