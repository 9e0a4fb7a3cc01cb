import { type DynamicModule, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config';
import type { ConsoleSettings } from '../config/console-settings';
import { CONSOLE_FILES, ConsoleController } from './console.controller';
import { CONSOLE_BUILD_DIR, type ConsoleFile, loadConsoleFiles } from './console-files';

const CONSOLE_OFF_REASON = Symbol('CONSOLE_OFF_REASON');

/** Why the console is not served, or undefined when it is configured. */
export function consoleOffReason(settings: ConsoleSettings): string | undefined {
  if (!settings.enabled) return 'CONSOLE=false';
  if (settings.clientId === undefined)
    return "CONSOLE_OIDC_CLIENT_ID is not set (the console's public OIDC client at AUTH_ISSUER)";
  return undefined;
}

/** Serves the operator console at /console when configured (README, "Operator console"). */
@Module({})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(
    @Inject(CONSOLE_FILES) private readonly files: Map<string, ConsoleFile> | null,
    @Inject(CONSOLE_OFF_REASON) private readonly offReason: string | undefined,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    const offReason = consoleOffReason(config.console);
    return {
      module: ConsoleModule,
      controllers: offReason === undefined ? [ConsoleController] : [],
      providers: [
        {
          provide: CONSOLE_FILES,
          useFactory: () => (offReason === undefined ? loadConsoleFiles() : null),
        },
        { provide: CONSOLE_OFF_REASON, useValue: offReason },
      ],
    };
  }

  onModuleInit(): void {
    if (this.offReason !== undefined) this.logger.log(`console off: ${this.offReason}`);
    else if (this.files === null)
      this.logger.warn(
        `console not served: no build in ${CONSOLE_BUILD_DIR} (run npm run console:build)`,
      );
    else this.logger.log(`console served at /console (${this.files.size} files)`);
  }
}
