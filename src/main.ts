import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfigFromProcess } from './config';
import { InFlightTracker, installGracefulShutdown } from './lifecycle/graceful-shutdown';
import { describeStartupError } from './lifecycle/startup-error';

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
    // init() runs the modules' start hooks (audit store opened, migrated, recovered): an
    // unreachable store must stop the start here, with one clear line, not as an unhandled
    // rejection out of listen(). The gateway never serves without a writable audit log.
    await app.init();
  } catch (err) {
    // Policy, key file and store problems surface here with their own clear messages.
    process.stderr.write(`pam-gateway: cannot start: ${describeStartupError(err, config)}\n`);
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
  installGracefulShutdown(app, tracker, config.shutdownTimeoutMs);
  if (config.pamCore.tlsInsecure) {
    new Logger('Main').warn('PAM_CORE_TLS_INSECURE=true: Segura certificate NOT verified');
  }
  try {
    await app.listen(config.port, config.host);
  } catch (err) {
    process.stderr.write(`pam-gateway: cannot listen: ${describeStartupError(err, config)}\n`);
    await app.close().catch(() => undefined);
    process.exit(1);
  }
  new Logger('Main').log(`pam-gateway listening on ${await app.getUrl()}`);
}

void main();
