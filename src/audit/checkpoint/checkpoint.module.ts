import { Module } from '@nestjs/common';
import { CheckpointService } from './checkpoint.service';

/**
 * Signed audit checkpoints. Not global on purpose: Nest destroys global modules (the audit
 * module) first, so this one's final checkpoint runs after the last append has committed.
 */
@Module({ providers: [CheckpointService], exports: [CheckpointService] })
export class CheckpointModule {}
