import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfigFromProcess } from './config';
import { InFlightTracker, installGracefulShutdown } from './lifecycle/graceful-shutdown';

/** Production entry point: validated configuration or exit 1 with one line per problem. */
async function main(): Promise<void> {
  const result = loadConfigFromProcess();
  if (!result.ok) {
    process.stderr.write('pam-gateway: invalid configuration\n');
    for (const line of result.errors) process.stderr.write(`  ${line}\n`);
    process.exit(1);
  }
  const config = result.config;
  const tracker = new InFlightTracker();
  let app;
  try {
    app = await createApp(config, { tracker });
  } catch (err) {
    // Policy, key file and store problems surface here with their own clear messages.
    process.stderr.write(
      `pam-gateway: cannot start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  }
  installGracefulShutdown(app, tracker, config.shutdownTimeoutMs);
  if (config.pamCore.tlsInsecure) {
    new Logger('Main').warn('PAM_CORE_TLS_INSECURE=true: Segura certificate NOT verified');
  }
  await app.listen(config.port, config.host);
  new Logger('Main').log(`pam-gateway listening on ${await app.getUrl()}`);
}

void main();
