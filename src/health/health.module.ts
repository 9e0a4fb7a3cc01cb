import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PamCoreModule } from '../pam-core';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }), PamCoreModule],
  controllers: [HealthController],
})
export class HealthModule {}
