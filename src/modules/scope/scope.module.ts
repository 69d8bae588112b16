import { Global, Module } from '@nestjs/common';
import { ScopeService } from './scope.service';

/** Organization/ledger existence checks shared by every feature module. */
@Global()
@Module({ providers: [ScopeService], exports: [ScopeService] })
export class ScopeModule {}
