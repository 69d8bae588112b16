import { BullModule } from '@nestjs/bull';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module';
import { BullJobRunner } from './bull-job-runner';
import { InProcessJobRunner } from './in-process-job-runner';
import { JobMode, JobRunner } from './job-runner';

/** Provides the JobRunner of this process: Bull when Redis answered at start, in-process otherwise. */
@Global()
@Module({})
export class JobsModule {
  static forRoot(mode: JobMode): DynamicModule {
    if (mode === 'bull') {
      return {
        module: JobsModule,
        imports: [QueueModule],
        providers: [{ provide: JobRunner, useClass: BullJobRunner }],
        exports: [JobRunner, QueueModule],
      };
    }
    return { module: JobsModule, providers: [{ provide: JobRunner, useClass: InProcessJobRunner }], exports: [JobRunner] };
  }
}

/** The Bull queue of one job, registered only when jobs run on Bull. */
export function jobQueue(mode: JobMode, name: string): DynamicModule[] {
  return mode === 'bull' ? [BullModule.registerQueue({ name })] : [];
}
